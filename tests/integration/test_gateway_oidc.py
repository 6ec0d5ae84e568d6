"""Single sign-on through the real gateway: an OpenID Connect provider's key set served over
HTTP on a local port (an RSA key made with ``cryptography``), tokens shaped like Keycloak's,
and the gateway's answers to genuine, forged, misdirected and unmapped tokens, to a rotated
key and to a provider that is away."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from structlog.testing import capture_logs

from gateway.core.process import prepare_databases
from gateway.core.tokens import issue_token
from services.recruitment.service import RecruitmentService
from shared.config import Settings
from shared.migrations import upgrade_to_head
from tests.integration.test_gateway_accounts import Gateway, gateway_with, visible
from tests.integration.test_gateway_api import (
    ContainerFactory,
    free_port,
    make_campaign,
    make_registration,
    make_settings,
    wait_for,
)

ISSUER = "https://sso.example.gov/realms/gravity"
running = contextmanager(gateway_with)
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey


def algorithm_of(key: PrivateKey) -> str:
    if isinstance(key, rsa.RSAPrivateKey):
        return "RS256"
    return "ES256" if isinstance(key, ec.EllipticCurvePrivateKey) else "EdDSA"


AUDIENCE = "gravity"


class Provider:
    """The provider's JWKS endpoint: its keys can be rotated, and it can answer slowly or
    with an error. ``fetches`` counts the key sets it served."""

    def __init__(self) -> None:
        self.keys: dict[str, PrivateKey] = {}
        self.delay = 0.0
        self.status = 200
        self.garbage = b""  # answered instead of the key set when set
        self.fetches = 0
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                time.sleep(provider.delay)
                body = provider.garbage or json.dumps(provider.key_set()).encode()
                provider.fetches += provider.status == 200
                self.send_response(provider.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # A path of its own: the gateway keeps one key set per provider URL for its process.
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/{uuid.uuid4()}/certs"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def add_key(self, kid: str) -> rsa.RSAPrivateKey:
        self.keys[kid] = make_key()
        return self.keys[kid]

    def key_set(self) -> dict[str, Any]:
        keys = []
        for kid, key in self.keys.items():
            algorithm = jwt.get_algorithm_by_name(algorithm_of(key))
            jwk = algorithm.to_jwk(key.public_key(), as_dict=True)
            keys.append(jwk | {"kid": kid, "alg": algorithm_of(key), "use": "sig"})
        return {"keys": keys}

    def token(self, kid: str = "k1", key: PrivateKey | None = None, **claims: Any) -> str:
        """A token the provider would sign for ``claims`` (a student's by default)."""
        key = key or self.keys[kid]
        return jwt.encode(
            make_claims(**claims), key, algorithm=algorithm_of(key), headers={"kid": kid}
        )

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


def make_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def make_claims(**overrides: Any) -> dict[str, Any]:
    """Claims as Keycloak puts them in an access token, with Gravity's client role and the
    student id in a user attribute mapped to ``gravity_id``."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": [AUDIENCE, "account"],
        "azp": "gravity-student-app",
        "sub": str(uuid.uuid4()),
        "iat": now,
        "exp": now + 300,
        "typ": "Bearer",
        "realm_access": {"roles": ["offline_access", "default-roles-gravity"]},
        "resource_access": {"gravity": {"roles": ["student"]}},
        "gravity_id": str(uuid.uuid4()),
    }
    return {key: value for key, value in (claims | overrides).items() if value is not None}


def hs256_signed(token: str, secret: bytes) -> str:
    """The token's claims under an HS256 header, its HMAC keyed with ``secret``."""
    _, payload, _ = token.split(".")
    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT","kid":"k1"}').rstrip(b"=")
    signing_input = header + b"." + payload.encode()
    mac = hmac.new(secret, signing_input, hashlib.sha256).digest()
    return (signing_input + b"." + base64.urlsafe_b64encode(mac).rstrip(b"=")).decode()


def unsigned(token: str) -> str:
    """The token's claims under ``alg: none``, without a signature."""
    _, payload, _ = token.split(".")
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT","kid":"k1"}').rstrip(b"=")
    return f"{header.decode()}.{payload}."


def sso_settings(tmp_path: Path, amqp_uri: str, jwks_url: str, **oidc: Any) -> Settings:
    settings = make_settings(
        tmp_path,
        amqp_uri,
        services=["recruitment"],
        oidc={
            "issuer": ISSUER,
            "jwks_url": jwks_url,
            "audience": AUDIENCE,
            "role_claim": "resource_access.gravity.roles",
            "subject_claim": "gravity_id",
            "jwks_cooldown_seconds": 2,
        }
        | oidc,
    )
    upgrade_to_head(settings.database_url("recruitment"), "services.recruitment.migrations")
    prepare_databases(settings)
    return settings


@pytest.fixture
def provider() -> Iterator[Provider]:
    provider = Provider()
    provider.add_key("k1")
    yield provider
    provider.close()


def refusal(response: requests.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]


def test_a_provider_token_acts_as_its_student_and_no_forged_one_is_accepted(
    tmp_path: Path, amqp_uri: str, container_factory: ContainerFactory, provider: Provider
) -> None:
    provider.keys["e1"] = ec.generate_private_key(ec.SECP256R1())
    provider.keys["o1"] = ed25519.Ed25519PrivateKey.generate()
    settings = sso_settings(tmp_path, amqp_uri, provider.url)
    with running(settings, container_factory, (RecruitmentService,)) as gateway:
        acts_as_its_student_and_refuses_forgeries(gateway, provider)


def acts_as_its_student_and_refuses_forgeries(gateway: Gateway, provider: Provider) -> None:
    settings = gateway.settings
    operator = issue_token(settings, "operator", "director")
    campaign = gateway.call("POST", "/campaigns", operator, json=make_campaign()).json()
    opened = gateway.call("POST", f"/campaigns/{campaign['campaign_id']}/open", operator)
    assert opened.status_code == 200, opened.text
    path = f"/campaigns/{campaign['campaign_id']}/registrations"
    mine, other = (
        gateway.call("POST", path, operator, json=make_registration(seed)).json()["student_id"]
        for seed in (3, 4)
    )
    visible(gateway, f"/students/{other}", operator)

    student = provider.token(gravity_id=mine)
    with capture_logs() as logs:
        own = gateway.call("GET", f"/students/{mine}", student)
        assert own.status_code == 200, own.text
        assert own.json()["student_id"] == mine
        assert refusal(gateway.call("GET", f"/students/{other}", student)) == (404, "NOT_FOUND")
        assert refusal(gateway.call("GET", "/students", student)) == (403, "FORBIDDEN")
        for kid in ("e1", "o1"):  # ES256 and EdDSA keys of the set
            signed = provider.token(kid=kid, gravity_id=mine)
            assert gateway.call("GET", f"/students/{mine}", signed).status_code == 200, kid
        assert provider.fetches == 1  # the key set is cached

        refused = {
            "another audience": provider.token(gravity_id=mine, aud="another-client"),
            "no audience": provider.token(gravity_id=mine, aud=None),
            "expired": provider.token(
                gravity_id=mine, iat=int(time.time()) - 900, exp=int(time.time()) - 600
            ),
            "not yet valid": provider.token(gravity_id=mine, nbf=int(time.time()) + 600),
            "another key with the same kid": provider.token(key=make_key(), gravity_id=mine),
            "an unknown kid": provider.token(kid="k9", key=make_key(), gravity_id=mine),
            "ES256 naming the RSA key": provider.token(
                kid="k1", key=provider.keys["e1"], gravity_id=mine
            ),
            "alg none": unsigned(student),
            "HS256 keyed with the public key": hs256_signed(
                student,
                provider.keys["k1"]
                .public_key()
                .public_bytes(
                    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
                ),
            ),
            "HS256 keyed with our own secret": hs256_signed(student, settings.jwt_secret.encode()),
            "our issuer signed by the provider": provider.token(iss=settings.jwt_issuer),
        }
        for label, token in refused.items():
            answer = gateway.call("GET", f"/students/{mine}", token)
            assert refusal(answer) == (401, "UNAUTHENTICATED"), label

        unmapped = {
            "an unknown role": provider.token(
                gravity_id=mine, resource_access={"gravity": {"roles": ["superuser"]}}
            ),
            "two roles": provider.token(
                gravity_id=mine, resource_access={"gravity": {"roles": ["student", "operator"]}}
            ),
            "no role claim": provider.token(gravity_id=mine, resource_access=None),
        }
        for label, token in unmapped.items():
            answer = gateway.call("GET", f"/students/{mine}", token)
            assert refusal(answer) == (403, "SSO_ROLE_UNMAPPED"), label
            assert answer.json()["details"] == {"claim": "resource_access.gravity.roles"}
        for token in (provider.token(gravity_id=None), provider.token(gravity_id="S-2024-17")):
            answer = gateway.call("GET", f"/students/{mine}", token)
            assert refusal(answer) == (403, "SSO_SUBJECT_MISSING")

    sso_operator = provider.token(
        gravity_id=None, resource_access={"gravity": {"roles": ["operator"]}}
    )
    assert gateway.call("GET", f"/students/{mine}", sso_operator).status_code == 200
    assert gateway.call("GET", f"/students/{mine}", operator).status_code == 200
    assert student not in repr(logs)


def test_a_rotated_provider_key_is_picked_up_and_unknown_kids_refetch_at_most_per_cooldown(
    tmp_path: Path, amqp_uri: str, container_factory: ContainerFactory, provider: Provider
) -> None:
    settings = sso_settings(tmp_path, amqp_uri, provider.url, jwks_cooldown_seconds=2)
    with running(settings, container_factory, ()) as gateway:
        path = f"/students/{uuid.uuid4()}"  # unknown to the read models: 404 once signed in
        assert refusal(gateway.call("GET", path, provider.token())) == (404, "NOT_FOUND")
        assert provider.fetches == 1

        started = time.monotonic()
        for _ in range(20):
            forged = provider.token(kid=uuid.uuid4().hex, key=make_key())
            assert refusal(gateway.call("GET", path, forged)) == (401, "UNAUTHENTICATED")
        assert provider.fetches - 1 <= 1 + (time.monotonic() - started) / 2

        provider.keys.pop("k1")
        provider.add_key("k2")
        wait_for(
            lambda: gateway.call("GET", path, provider.token(kid="k2")).status_code,
            lambda status: status == 404,
        )
        old = jwt.encode(make_claims(), make_key(), algorithm="RS256", headers={"kid": "k1"})
        assert refusal(gateway.call("GET", path, old)) == (401, "UNAUTHENTICATED")


def test_a_provider_that_is_away_answers_503_and_accepts_nothing(
    tmp_path: Path, amqp_uri: str, container_factory: ContainerFactory, provider: Provider
) -> None:
    settings = sso_settings(
        tmp_path, amqp_uri, provider.url, jwks_lifetime_seconds=1, jwks_timeout_seconds=1
    )
    with running(settings, container_factory, ()) as gateway:
        path = f"/students/{uuid.uuid4()}"
        token = provider.token()
        assert refusal(gateway.call("GET", path, token)) == (404, "NOT_FOUND")

        def answer_after_the_cache_expired() -> requests.Response:
            time.sleep(1.2)
            started = time.monotonic()
            response = gateway.call("GET", path, token)
            assert time.monotonic() - started < 5  # bounded by the 1 s timeout
            return response

        faults = (  # an error, an answer slower than the timeout, not JSON, no keys
            (500, 0.0, b""),
            (200, 3.0, b""),
            (200, 0.0, b"<html>maintenance</html>"),
            (200, 0.0, b'{"keys": []}'),
            (200, 0.0, b'{"keys": [{"kty": "RSA", "kid": "k1", "n": "AQAB"}]}'),
        )
        for fault in faults:
            provider.status, provider.delay, provider.garbage = fault
            unavailable = answer_after_the_cache_expired()
            assert refusal(unavailable) == (503, "IDENTITY_PROVIDER_UNAVAILABLE"), fault
            assert unavailable.headers["Retry-After"]
        provider.status, provider.delay, provider.garbage = 200, 0.0, b""
        assert refusal(answer_after_the_cache_expired()) == (404, "NOT_FOUND")
        own = issue_token(settings, "student", str(uuid.uuid4()))
        provider.close()
        assert refusal(answer_after_the_cache_expired()) == (503, "IDENTITY_PROVIDER_UNAVAILABLE")
        assert refusal(gateway.call("GET", path, own)) == (
            404,
            "NOT_FOUND",
        )  # ours need no provider


def test_a_gateway_whose_provider_never_answered_accepts_none_of_its_tokens(
    tmp_path: Path, amqp_uri: str, container_factory: ContainerFactory, provider: Provider
) -> None:
    closed = f"http://127.0.0.1:{free_port()}/certs"
    settings = sso_settings(tmp_path, amqp_uri, closed)
    with running(settings, container_factory, ()) as gateway:
        answer = gateway.call("GET", f"/students/{uuid.uuid4()}", provider.token())
        assert refusal(answer) == (503, "IDENTITY_PROVIDER_UNAVAILABLE")
