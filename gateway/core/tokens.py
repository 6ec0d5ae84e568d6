"""Bearer tokens: HS256 JWTs carrying ``sub`` (who) and ``role`` (what they may do).

``issue_token`` is what ``gravity token --role ROLE --subject ID`` prints; ``verify_token``
is what every ``/api`` request goes through. Only HS256 is accepted, so an unsigned
(``alg=none``) or otherwise re-signed token is refused like a forged one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from shared.config import Settings

ALGORITHM = "HS256"
ROLES = ("operator", "host_unit", "student", "auditor")
DEFAULT_TTL_SECONDS = 3600


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's subject and role."""

    subject: str
    role: str

    @property
    def actor(self) -> str:
        """The ``actor`` recorded on the events this caller causes."""
        return f"{self.role}:{self.subject}"


class InvalidTokenError(Exception):
    """The token cannot be trusted; the reason is for logs, never echoed with the token."""


def issue_token(
    settings: Settings, role: str, subject: str, ttl_seconds: int = DEFAULT_TTL_SECONDS
) -> str:
    """Sign a token for ``subject`` acting as ``role``, valid for ``ttl_seconds``."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not subject.strip():
        raise ValueError("a token needs a subject")
    if ttl_seconds <= 0:
        raise ValueError("ttl_seconds must be positive")
    now = datetime.now(UTC)
    claims = {
        "iss": settings.jwt_issuer,
        "sub": subject,
        "role": role,
        "iat": now,
        "exp": now + timedelta(seconds=ttl_seconds),
        "jti": str(uuid.uuid4()),
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm=ALGORITHM)


def verify_token(settings: Settings, token: str) -> Principal:
    """Check signature, issuer and expiry, and read the principal out of the claims."""
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret,
            algorithms=[ALGORITHM],
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "iss", "sub"]},
        )
    except jwt.ExpiredSignatureError as error:
        raise InvalidTokenError("expired") from error
    except jwt.InvalidIssuerError as error:
        raise InvalidTokenError("wrong issuer") from error
    except jwt.InvalidSignatureError as error:
        raise InvalidTokenError("bad signature") from error
    except jwt.PyJWTError as error:
        raise InvalidTokenError(type(error).__name__) from error
    subject, role = claims.get("sub"), claims.get("role")
    if not isinstance(subject, str) or not subject:
        raise InvalidTokenError("no subject")
    if role not in ROLES:
        raise InvalidTokenError("unknown role")
    return Principal(subject=subject, role=str(role))


def bearer_token(authorization: str | None) -> str:
    """The token out of an ``Authorization: Bearer <token>`` header."""
    if not authorization:
        raise InvalidTokenError("missing")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidTokenError("not a bearer token")
    return token.strip()
