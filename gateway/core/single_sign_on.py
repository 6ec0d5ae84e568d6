"""Single sign-on: bearer tokens of an OpenID Connect provider, checked against its JWKS.

A token whose ``iss`` (read before anything is trusted) is the configured provider's is checked
here instead of by ``gateway.core.tokens``; any other token goes on being checked as one of
ours. The provider's token must be signed with RS256, ES256 or EdDSA by the key its ``kid``
names in the provider's key set, and that key must be made for the same algorithm: never HS*
nor ``none``, so that a public key taken from the key set can never serve as an HMAC secret
(algorithm confusion). ``aud``, ``exp`` and ``iat`` are required, ``nbf`` is checked when
present, each with a minute's leeway, and no token lives longer than our own may.

The key set is fetched with ``jwt.PyJWKClient``: cached for a lifetime, fetched again at once
for an unknown ``kid`` (a rotated key) but at most once per cooldown, each fetch bounded by a
timeout. A provider that cannot be reached answers 503 and accepts nothing.

A genuine token still needs a role and a subject: the role claim (a name or a dotted path to a
string or a list, like Keycloak's ``resource_access.gravity.roles``) must hold exactly one of
our roles, and the subject claim a UUID for a student or a host unit (its own id here), else
403; an operator or auditor without the subject claim is its ``sub``. Such a principal has
no session of ours: the provider's token lifetime is its session.
"""

from __future__ import annotations

import functools
import uuid
from typing import Any

import jwt

from gateway.core.errors import ApiError
from gateway.core.tokens import CLOCK_SKEW_SECONDS, ROLES, InvalidTokenError, Principal
from gateway.core.tokens import check_lifetime as check_token_lifetime
from shared.config import Settings
from shared.logging import get_logger
from shared.single_sign_on import SingleSignOnSettings

log = get_logger(__name__)

ALGORITHMS = ("RS256", "ES256", "EdDSA")
OWN_ID_ROLES = ("student", "host_unit")  # their subject is their id in our records
_UNKNOWN_KID = "Unable to find a signing key"  # PyJWKClientError's message for a missing kid


def is_single_sign_on(settings: Settings, token: str) -> bool:
    """Whether the token claims to come from the configured provider (nothing verified yet)."""
    if settings.oidc is None:
        return False
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return False  # our own check refuses it
    return bool(claims.get("iss") == settings.oidc.issuer)


def single_sign_on_principal(settings: Settings, token: str) -> Principal:
    """The caller behind a provider's token: InvalidTokenError (401) unless it is genuine,
    ApiError 403 without a role or subject we know, ApiError 503 when the keys are away."""
    config = settings.oidc
    if config is None:
        raise InvalidTokenError("single sign-on is off")
    header = _header(token)
    key = _signing_key(key_set(config), header["kid"])
    if key.algorithm_name not in ALGORITHMS or key.algorithm_name != header["alg"]:
        raise InvalidTokenError("single sign-on: the key's algorithm is not the token's")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=list(ALGORITHMS),
            audience=config.audience,
            issuer=config.issuer,
            options={"require": ["exp", "iat", "iss", "aud"]},
            leeway=CLOCK_SKEW_SECONDS,
        )
    except jwt.PyJWTError as error:
        raise InvalidTokenError(f"single sign-on: {type(error).__name__}") from error
    check_token_lifetime(settings, claims)
    role = _role(claims, config.role_claim)
    return Principal(subject=_subject(claims, config.subject_claim, role), role=role)


@functools.cache
def key_set(config: SingleSignOnSettings) -> jwt.PyJWKClient:
    """One cached key set per provider for the life of the process."""
    return jwt.PyJWKClient(
        config.jwks_url,
        cache_jwk_set=True,
        lifespan=config.jwks_lifetime_seconds,
        timeout=config.jwks_timeout_seconds,
        cooldown_duration=config.jwks_cooldown_seconds,
        headers={"User-Agent": "gravity-gateway", "Accept": "application/json"},
    )


def _header(token: str) -> dict[str, str]:
    """The header's algorithm and key id, refused before any key is fetched for it."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise InvalidTokenError(f"single sign-on: {type(error).__name__}") from error
    if header.get("alg") not in ALGORITHMS:
        raise InvalidTokenError("single sign-on: algorithm not allowed")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise InvalidTokenError("single sign-on: no kid")
    return {"alg": str(header["alg"]), "kid": kid}


def _signing_key(keys: jwt.PyJWKClient, kid: str) -> jwt.PyJWK:
    try:
        return keys.get_signing_key(kid)
    except jwt.PyJWKClientConnectionError as error:
        log.warning("sso.keys_unreachable", error=str(error))
        raise _unavailable() from None
    except jwt.PyJWKClientError as error:
        if str(error).startswith(_UNKNOWN_KID):
            raise InvalidTokenError("single sign-on: unknown kid") from None
        log.warning("sso.keys_unusable", error=str(error))
        raise _unavailable() from None
    except (jwt.PyJWTError, ValueError, OSError) as error:
        # A key set that does not parse (not JSON, malformed keys), or a connection that
        # broke while the answer was read: PyJWKClient passes these on as they are.
        log.warning("sso.keys_unusable", error=type(error).__name__)
        raise _unavailable() from None


def _unavailable() -> ApiError:
    return ApiError(
        "IDENTITY_PROVIDER_UNAVAILABLE", "the single sign-on provider's keys cannot be fetched"
    )


def claim_at(claims: dict[str, Any], name: str) -> Any:
    """A claim by its name, or else by a dotted path through nested objects (None if absent).
    The whole name comes first: a namespaced claim such as ``https://x.org/role`` has dots."""
    if name in claims:
        return claims[name]
    value: Any = claims
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _role(claims: dict[str, Any], role_claim: str) -> str:
    value = claim_at(claims, role_claim)
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    roles = sorted({item for item in values if isinstance(item, str) and item in ROLES})
    if len(roles) != 1:
        log.info("auth.refused", reason="single sign-on role unmapped", roles=roles)
        raise ApiError(
            "SSO_ROLE_UNMAPPED",
            f"the token's {role_claim} claim must name exactly one of {', '.join(ROLES)}",
            {"claim": role_claim},
        )
    return roles[0]


def _subject(claims: dict[str, Any], subject_claim: str, role: str) -> str:
    value = claim_at(claims, subject_claim)
    if value is None and role not in OWN_ID_ROLES:
        value = claims.get("sub")  # an operator or auditor is no record of ours: who signed in
    subject = value.strip() if isinstance(value, str) else ""
    if role in OWN_ID_ROLES:
        try:
            subject = str(uuid.UUID(subject))
        except ValueError:
            subject = ""
    if not subject:
        log.info("auth.refused", reason="single sign-on subject missing", role=role)
        raise ApiError(
            "SSO_SUBJECT_MISSING",
            f"the token's {subject_claim} claim must name the caller"
            + (f" (a {role}'s id, a UUID)" if role in OWN_ID_ROLES else ""),
            {"claim": subject_claim},
        )
    return subject
