"""Bearer tokens and role checks: who gets in, who gets 401, 403 or a discreet 404."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from gateway.core import tokens
from gateway.core.auth import authenticate, authorize, check_owner
from gateway.core.errors import ApiError
from gateway.core.tokens import (
    CLOCK_SKEW_SECONDS,
    InvalidTokenError,
    Principal,
    bearer_token,
    issue_token,
    verify_token,
)
from shared.config import Settings, load_settings

SECRET = "a-test-secret-that-is-long-enough-for-hs256"


def make_settings(**auth: str) -> Settings:
    values = {"jwt_secret": SECRET, "issuer": "gravity"} | auth
    return load_settings(environ={}, overrides={"auth": values})


def make_claims(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims = {
        "iss": "gravity",
        "sub": "op-1",
        "role": "operator",
        "iat": now,
        "exp": now + timedelta(minutes=5),
    }
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not None}


def sign(claims: dict[str, Any], secret: str = SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, secret, algorithm=algorithm)


def test_an_issued_token_verifies_with_its_subject_and_role() -> None:
    settings = make_settings()
    token = issue_token(settings, "student", "b7f6c1de-5a39-4c1e-9a64-1f2d3c4b5a69")
    assert verify_token(settings, token) == Principal(
        "b7f6c1de-5a39-4c1e-9a64-1f2d3c4b5a69", "student"
    )


def test_an_issued_token_expires_after_its_ttl() -> None:
    settings = make_settings()
    claims = jwt.decode(
        issue_token(settings, "operator", "op-1", ttl_seconds=60),
        SECRET,
        algorithms=["HS256"],
        issuer="gravity",
    )
    assert claims["exp"] - claims["iat"] == 60


def test_issuing_refuses_an_unknown_role_or_an_empty_subject() -> None:
    with pytest.raises(ValueError, match="role"):
        issue_token(make_settings(), "admin", "x")
    with pytest.raises(ValueError, match="subject"):
        issue_token(make_settings(), "operator", " ")


def test_an_expired_token_is_refused() -> None:
    past = datetime.now(UTC) - timedelta(hours=1)
    token = sign(make_claims(iat=past - timedelta(hours=1), exp=past))
    with pytest.raises(InvalidTokenError, match="expired"):
        verify_token(make_settings(), token)


def test_a_token_verified_before_is_refused_once_it_expires(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = make_settings()
    token = sign(make_claims(sub="op-remembered"))
    assert verify_token(settings, token).subject == "op-remembered"
    assert verify_token(settings, token).subject == "op-remembered"  # remembered now
    later = datetime.now(UTC) + timedelta(minutes=5, seconds=CLOCK_SKEW_SECONDS + 1)
    monkeypatch.setattr(tokens, "_clock", later.timestamp)
    with pytest.raises(InvalidTokenError, match="expired"):
        verify_token(settings, token)


def test_a_token_verified_with_one_secret_is_refused_with_another() -> None:
    token = sign(make_claims())
    verify_token(make_settings(), token)
    with pytest.raises(InvalidTokenError, match="bad signature"):
        verify_token(make_settings(jwt_secret="another-secret-that-is-long-enough-for-it"), token)


def test_a_token_signed_with_another_secret_is_refused() -> None:
    token = sign(make_claims(), secret="someone-elses-secret-of-sufficient-length-123")
    with pytest.raises(InvalidTokenError, match="signature"):
        verify_token(make_settings(), token)


def test_a_token_from_another_issuer_is_refused() -> None:
    token = sign(make_claims(iss="somebody-else"))
    with pytest.raises(InvalidTokenError, match="issuer"):
        verify_token(make_settings(), token)


def test_an_unsigned_alg_none_token_is_refused() -> None:
    token = jwt.encode(make_claims(), key=None, algorithm="none")
    with pytest.raises(InvalidTokenError):
        verify_token(make_settings(), token)


def test_a_token_signed_with_another_algorithm_is_refused() -> None:
    token = sign(make_claims(), algorithm="HS512")
    with pytest.raises(InvalidTokenError):
        verify_token(make_settings(), token)


def test_no_token_is_issued_for_longer_than_the_configured_maximum() -> None:
    settings = make_settings()
    assert settings.jwt_max_ttl_seconds == 12 * 3600
    issue_token(settings, "operator", "op-1", ttl_seconds=12 * 3600)
    for ttl in (12 * 3600 + 1, 0, -10):
        with pytest.raises(ValueError, match="from 1 to 43200 seconds"):
            issue_token(settings, "operator", "op-1", ttl_seconds=ttl)


def test_the_maximum_lifetime_is_configurable() -> None:
    settings = make_settings(max_token_ttl_seconds="600")
    with pytest.raises(ValueError, match="from 1 to 600 seconds"):
        issue_token(settings, "operator", "op-1", ttl_seconds=601)


def test_a_token_expiring_in_2500_is_refused() -> None:
    token = sign(make_claims(exp=datetime(2500, 1, 1, tzinfo=UTC)))
    with pytest.raises(InvalidTokenError, match="longer than allowed"):
        verify_token(make_settings(), token)


def test_a_token_issued_in_the_future_to_outlive_the_maximum_is_refused() -> None:
    later = datetime.now(UTC) + timedelta(hours=20)
    token = sign(make_claims(iat=later, exp=later + timedelta(minutes=5)))
    with pytest.raises(InvalidTokenError):
        verify_token(make_settings(), token)


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
def test_a_time_claim_written_as_a_numeric_string_is_refused(claim: str) -> None:
    now = int(datetime.now(UTC).timestamp())
    values = {"exp": now + 300, "iat": now, "nbf": now - 1}
    token = sign(make_claims(**{claim: str(values[claim])}))
    with pytest.raises(InvalidTokenError):
        verify_token(make_settings(), token)


def test_an_oversize_token_is_refused_before_it_is_decoded() -> None:
    with pytest.raises(InvalidTokenError, match="too long"):
        bearer_token("Bearer " + "a" * 8000)


def test_gravity_token_with_a_negative_ttl_answers_a_clear_error_and_exit_2(capsys) -> None:
    from gravity.cli import main

    assert main(["token", "--role", "operator", "--subject", "me", "--ttl", "-10"]) == 2
    captured = capsys.readouterr()
    assert "from 1 to 43200 seconds" in captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""


@pytest.mark.parametrize("missing", ["exp", "iat", "iss", "sub"])
def test_a_token_without_a_required_claim_is_refused(missing: str) -> None:
    with pytest.raises(InvalidTokenError):
        verify_token(make_settings(), sign(make_claims(**{missing: None})))


@pytest.mark.parametrize("role", [None, "admin", 7])
def test_a_token_without_a_known_role_is_refused(role: object) -> None:
    with pytest.raises(InvalidTokenError):
        verify_token(make_settings(), sign(make_claims(role=role)))


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer  ", "Basic dXNlcjpwYXNz"])
def test_a_missing_or_non_bearer_authorization_header_is_refused(header: str | None) -> None:
    with pytest.raises(InvalidTokenError):
        bearer_token(header)


def test_authentication_failures_answer_401_without_the_reason() -> None:
    with pytest.raises(ApiError) as refused:
        authenticate(make_settings(), "Bearer not-a-jwt")
    assert refused.value.status == 401
    assert refused.value.body() == {
        "error": "UNAUTHENTICATED",
        "message": "a valid bearer token is required",
        "details": {},
    }


def test_a_valid_header_yields_the_principal() -> None:
    settings = make_settings()
    token = issue_token(settings, "auditor", "aud-7")
    assert authenticate(settings, f"Bearer {token}") == Principal("aud-7", "auditor")


def test_a_role_outside_the_routes_roles_answers_403() -> None:
    with pytest.raises(ApiError) as refused:
        authorize(Principal("hu-1", "host_unit"), frozenset({"operator"}))
    assert (refused.value.status, refused.value.code) == (403, "FORBIDDEN")


def test_an_operator_may_read_any_student() -> None:
    check_owner(Principal("op-1", "operator"), "student_id", str(uuid.uuid4()))


def test_a_student_may_read_itself() -> None:
    student_id = str(uuid.uuid4())
    check_owner(Principal(student_id.upper(), "student"), "student_id", student_id)


def test_a_student_reading_another_student_gets_404_as_if_it_did_not_exist() -> None:
    with pytest.raises(ApiError) as refused:
        check_owner(Principal(str(uuid.uuid4()), "student"), "student_id", str(uuid.uuid4()))
    assert (refused.value.status, refused.value.code) == (404, "NOT_FOUND")


def test_a_host_unit_may_not_read_students() -> None:
    with pytest.raises(ApiError) as refused:
        check_owner(Principal("hu-1", "host_unit"), "student_id", str(uuid.uuid4()))
    assert refused.value.status == 403
