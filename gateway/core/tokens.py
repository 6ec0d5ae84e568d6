"""Bearer tokens: HS256 JWTs carrying ``sub`` (who) and ``role`` (what they may do).

``issue_token`` is what ``gravity token --role ROLE --subject ID`` prints; ``verify_token``
is what every ``/api`` request goes through. A token issued at sign-in also carries ``sid``,
its session (``gateway.accounts``): the pipeline checks that the session is still open. Only
HS256 is accepted, so an unsigned (``alg=none``) or otherwise re-signed token is refused like
a forged one. A token of a configured OpenID Connect provider (its ``iss``) is checked by
``gateway.core.single_sign_on`` instead, with the provider's keys and never with HS256.

No token lives longer than ``settings.jwt_max_ttl_seconds`` (12 h unless configured): one is
never issued for longer, and one that claims a longer life (``exp - iat``) or expires
further ahead than that from now is refused. ``exp``, ``iat`` and ``nbf`` must be JSON
numbers: a numeric string is refused, whatever a lenient library would make of it.

A token that verified is remembered (``_VERIFIED``, by the token and the settings it was
checked with) until it expires: a client sends the same token with every request, and
decoding and checking it again cost about a twentieth of the gateway's CPU per registration.
Only its expiry can change its verdict later (``iat`` and ``nbf`` only pass more easily with
time), so a remembered token is still refused the moment it expires. A session's closing is
checked on every request anyway (``gateway.core.auth``).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from shared.config import Settings

ALGORITHM = "HS256"
ROLES = ("operator", "host_unit", "student", "auditor")
DEFAULT_TTL_SECONDS = 3600
CLOCK_SKEW_SECONDS = 60
NUMERIC_CLAIMS = ("exp", "iat", "nbf")
MAX_TOKEN_CHARS = 4096  # ours are ~300; a longer one is refused before it is decoded
REMEMBERED_TOKENS = 4096  # verified tokens kept at most; all are forgotten when full


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's subject and role, and the session it was issued in (none
    for a ``gravity token`` one)."""

    subject: str
    role: str
    session_id: str | None = None

    @property
    def actor(self) -> str:
        """The ``actor`` recorded on the events this caller causes."""
        return f"{self.role}:{self.subject}"


class InvalidTokenError(Exception):
    """The token cannot be trusted; the reason is for logs, never echoed with the token."""


def issue_token(
    settings: Settings,
    role: str,
    subject: str,
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
    session_id: str | None = None,
) -> str:
    """Sign a token for ``subject`` acting as ``role``, valid for ``ttl_seconds`` (in the
    session ``session_id``, if one)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not subject.strip():
        raise ValueError("a token needs a subject")
    if not 0 < ttl_seconds <= settings.jwt_max_ttl_seconds:
        raise ValueError(
            f"a token lives from 1 to {settings.jwt_max_ttl_seconds} seconds, not {ttl_seconds}"
        )
    now = datetime.now(UTC)
    claims = {
        "iss": settings.jwt_issuer,
        "sub": subject,
        "role": role,
        "iat": now,
        "exp": now + timedelta(seconds=ttl_seconds),
        "jti": str(uuid.uuid4()),
    }
    if session_id is not None:
        claims["sid"] = session_id
    return jwt.encode(claims, settings.jwt_secret, algorithm=ALGORITHM)


_VERIFIED: dict[tuple[str, str, str, int], tuple[Principal, float]] = {}
_clock = time.time


def verify_token(settings: Settings, token: str) -> Principal:
    """Check signature, issuer and expiry, and read the principal out of the claims."""
    key = (token, settings.jwt_secret, settings.jwt_issuer, settings.jwt_max_ttl_seconds)
    remembered = _VERIFIED.get(key)
    if remembered is not None:
        principal, expires = remembered
        if expires > _clock() - CLOCK_SKEW_SECONDS:  # as PyJWT checks ``exp``, with leeway
            return principal
        del _VERIFIED[key]
        raise InvalidTokenError("expired")
    principal, expires = _decode(settings, token)
    if len(_VERIFIED) >= REMEMBERED_TOKENS:
        _VERIFIED.clear()
    _VERIFIED[key] = (principal, expires)
    return principal


def _decode(settings: Settings, token: str) -> tuple[Principal, float]:
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret,
            algorithms=[ALGORITHM],
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "iat", "iss", "sub"]},
            leeway=CLOCK_SKEW_SECONDS,
        )
    except jwt.ExpiredSignatureError as error:
        raise InvalidTokenError("expired") from error
    except jwt.InvalidIssuerError as error:
        raise InvalidTokenError("wrong issuer") from error
    except jwt.InvalidSignatureError as error:
        raise InvalidTokenError("bad signature") from error
    except jwt.PyJWTError as error:
        raise InvalidTokenError(type(error).__name__) from error
    check_lifetime(settings, claims)
    subject, role = claims.get("sub"), claims.get("role")
    if not isinstance(subject, str) or not subject:
        raise InvalidTokenError("no subject")
    if role not in ROLES:
        raise InvalidTokenError("unknown role")
    session = claims.get("sid")
    if session is not None and not isinstance(session, str):
        raise InvalidTokenError("sid is not a string")
    principal = Principal(subject=subject, role=str(role), session_id=session)
    return principal, float(claims["exp"])


def check_lifetime(settings: Settings, claims: dict[str, object]) -> None:
    """Numeric ``exp``/``iat``/``nbf``, and no longer a life than ours (single sign-on too)."""
    for name in NUMERIC_CLAIMS:
        value = claims.get(name)
        if name in claims and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise InvalidTokenError(f"{name} is not a number")
    expires, issued = float(claims["exp"]), float(claims["iat"])  # type: ignore[arg-type]
    longest = settings.jwt_max_ttl_seconds
    if expires - issued > longest:
        raise InvalidTokenError("lives longer than allowed")
    if expires > datetime.now(UTC).timestamp() + longest + CLOCK_SKEW_SECONDS:
        raise InvalidTokenError("expires too far ahead")


def bearer_token(authorization: str | None) -> str:
    """The token out of an ``Authorization: Bearer <token>`` header."""
    if not authorization:
        raise InvalidTokenError("missing")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidTokenError("not a bearer token")
    if len(token) > MAX_TOKEN_CHARS:
        raise InvalidTokenError("too long")
    return token.strip()
