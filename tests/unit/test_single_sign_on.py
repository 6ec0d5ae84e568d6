"""Single sign-on settings and claims: what a deployment must configure, and how a role or a
subject is found in a provider's claims (the tokens themselves are tested through the real
gateway in tests/integration/test_gateway_oidc.py)."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.core.single_sign_on import claim_at
from shared.config import ConfigError, load_settings
from shared.production import production_problems

PROVIDER = {
    "GRAVITY_OIDC_ISSUER": "https://sso.example.gov/realms/gravity",
    "GRAVITY_OIDC_JWKS_URL": "https://sso.example.gov/realms/gravity/protocol/openid-connect/certs",
    "GRAVITY_OIDC_AUDIENCE": "gravity",
}


def settings_with(**environ: str) -> Any:
    return load_settings(environ=PROVIDER | environ)


def test_single_sign_on_is_off_without_an_issuer() -> None:
    assert load_settings(environ={}).oidc is None
    assert load_settings(environ={"GRAVITY_OIDC_JWKS_URL": "https://x/certs"}).oidc is None


def test_a_provider_is_read_with_its_claims_and_key_set_timings() -> None:
    oidc = settings_with(
        GRAVITY_OIDC_ROLE_CLAIM="realm_access.roles",
        GRAVITY_OIDC_SUBJECT_CLAIM="gravity_id",
        GRAVITY_OIDC_JWKS_TIMEOUT="2.5",
    ).oidc
    assert (oidc.issuer, oidc.audience) == (PROVIDER["GRAVITY_OIDC_ISSUER"], "gravity")
    assert (oidc.role_claim, oidc.subject_claim) == ("realm_access.roles", "gravity_id")
    assert (oidc.jwks_timeout_seconds, oidc.jwks_lifetime_seconds) == (2.5, 300.0)


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"GRAVITY_OIDC_AUDIENCE": ""}, "GRAVITY_OIDC_AUDIENCE is required"),
        ({"GRAVITY_OIDC_JWKS_URL": ""}, "GRAVITY_OIDC_JWKS_URL must be an http"),
        ({"GRAVITY_OIDC_JWKS_URL": "file:///etc/keys.json"}, "GRAVITY_OIDC_JWKS_URL"),
        ({"GRAVITY_OIDC_ISSUER": "gravity"}, "must differ from the gateway's own"),
        ({"GRAVITY_OIDC_JWKS_TIMEOUT": "-1"}, "GRAVITY_OIDC_JWKS_TIMEOUT must be from"),
        ({"GRAVITY_OIDC_JWKS_LIFETIME": "86400"}, "GRAVITY_OIDC_JWKS_LIFETIME must be from"),
    ],
)
def test_an_incomplete_or_unsafe_provider_is_refused_naming_its_variable(
    environ: dict[str, str], named: str
) -> None:
    with pytest.raises(ConfigError, match=named):
        settings_with(**environ)


def test_production_refuses_a_key_set_fetched_over_plain_http() -> None:
    secrets = {
        "GRAVITY_ENV": "production",
        "GRAVITY_JWT_SECRET": "k7Qx2-from-the-vault-9fL3mZp8rT4wYb6n",
        "GRAVITY_VERIFICATION_SECRET": "Vq8-from-the-vault-3mZp8rT4wYb6nK7Qx2",
        "GRAVITY_AMQP_URI": "amqp://gravity:broker-from-the-vault@rabbitmq:5672/",
    }
    assert production_problems(settings_with(**secrets)) == []
    plain = settings_with(**secrets, GRAVITY_OIDC_JWKS_URL="http://sso.example.gov/certs")
    assert production_problems(plain) == ["GRAVITY_OIDC_JWKS_URL is not an https URL"]


def test_a_claim_is_found_by_its_name_or_a_dotted_path() -> None:
    claims = {
        "gravity_role": "student",
        "realm_access": {"roles": ["offline_access", "auditor"]},
        "https://gravity.example.gov/role": "operator",
    }
    assert claim_at(claims, "gravity_role") == "student"
    assert claim_at(claims, "realm_access.roles") == ["offline_access", "auditor"]
    assert claim_at(claims, "https://gravity.example.gov/role") == "operator"
    assert claim_at(claims, "realm_access.roles.student") is None
    assert claim_at(claims, "resource_access.gravity.roles") is None
