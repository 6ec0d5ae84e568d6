"""Every status and code a client can receive, in one catalogue.

The gateway's own refusals (a bad token, malformed JSON, ...) are the rows below. Refusals
of the services are their domain errors, declared with a code and a kind in
``shared.contracts``: the kind decides the status, the class docstring describes the code.
Both are answered as ``ApiError`` and listed in the OpenAPI document. (Past 200 lines: the
catalogue is one table of rows, and one table is what a client developer reads.)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from shared.domain import DomainError, ErrorKind, known_errors

KIND_STATUS: dict[ErrorKind, int] = {
    ErrorKind.INVALID: 422,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.FORBIDDEN: 403,
}


@dataclass(frozen=True)
class ErrorCode:
    """One row: the HTTP status, the stable code, what it means, and which domain errors."""

    status: int
    code: str
    description: str
    domain_errors: tuple[str, ...] = ()


GATEWAY_ERRORS: tuple[ErrorCode, ...] = (
    ErrorCode(
        400,
        "MALFORMED_JSON",
        "The body is not a JSON document (or not UTF-8), or an object in it names a key twice.",
    ),
    ErrorCode(400, "BAD_REQUEST", "The request is not well-formed HTTP/1.1."),
    ErrorCode(
        401,
        "UNAUTHENTICATED",
        "No valid bearer token: missing, expired, forged, "
        "wrong issuer, unsigned, or without the sub and role claims.",
    ),
    # Accounts and sign-in (gateway.accounts).
    ErrorCode(
        401,
        "INVALID_CREDENTIALS",
        "No account has this username and password (which of the two is wrong is not said).",
    ),
    ErrorCode(
        401,
        "REFRESH_TOKEN_INVALID",
        "The refresh token is unknown, expired, or its session is signed out; a refresh token "
        "used a second time also signs its whole session out. Sign in again.",
    ),
    ErrorCode(403, "WRONG_CURRENT_PASSWORD", "The current password given is not the account's."),
    ErrorCode(403, "ACCOUNT_DISABLED", "An operator disabled this account; it cannot sign in."),
    ErrorCode(404, "INVITATION_NOT_FOUND", "No invitation has this token."),
    ErrorCode(409, "INVITATION_USED", "The invitation was accepted already; it works once."),
    ErrorCode(409, "USERNAME_TAKEN", "Another account has this username."),
    ErrorCode(410, "INVITATION_EXPIRED", "The invitation expired; ask an operator for a new one."),
    ErrorCode(
        422,
        "WEAK_PASSWORD",
        "The password is shorter than 10 characters, a commonly used one, or the username; "
        "details list the reasons.",
    ),
    ErrorCode(
        422,
        "SUBJECT_UNKNOWN",
        "The invitation's subject_id names no host unit or student known to the gateway's read "
        "models (or one was given for an operator or auditor).",
    ),
    ErrorCode(
        423,
        "ACCOUNT_LOCKED",
        "Too many failed sign-ins: the account is locked until details.locked_until "
        "(Retry-After says in how many seconds).",
    ),
    ErrorCode(403, "FORBIDDEN", "The token's role may not do this."),
    # Single sign-on (gateway/core/single_sign_on.py).
    ErrorCode(
        403,
        "SSO_ROLE_UNMAPPED",
        "The identity provider's token is genuine, but its role claim names none, or more than "
        "one, of operator, host_unit, student and auditor.",
    ),
    ErrorCode(
        403,
        "SSO_SUBJECT_MISSING",
        "The identity provider's token is genuine, but its subject claim is missing, or is not "
        "a UUID for a student (its student id) or a host unit (its host unit id).",
    ),
    ErrorCode(404, "NOT_FOUND", "No such resource, or none that this caller may see."),
    ErrorCode(
        404,
        "EVENT_NOT_IN_LOG",
        "No entry of the event log has this event id, so there is nothing to prove.",
    ),
    ErrorCode(405, "METHOD_NOT_ALLOWED", "The path exists but not with this method."),
    ErrorCode(
        409,
        "IDEMPOTENCY_KEY_IN_USE",
        "A request with this Idempotency-Key is still being processed; retry later.",
    ),
    ErrorCode(
        408,
        "REQUEST_TIMEOUT",
        "The request line and headers, or the body, did not arrive within the server's "
        "deadline; the connection is closed.",
    ),
    ErrorCode(413, "PAYLOAD_TOO_LARGE", "The body exceeds the gateway's size limit."),
    ErrorCode(414, "URI_TOO_LONG", "The request line is longer than 8 KB."),
    ErrorCode(415, "UNSUPPORTED_MEDIA_TYPE", "A body must be sent as application/json."),
    ErrorCode(
        431,
        "HEADERS_TOO_LARGE",
        "A header line is longer than 8 KB (an oversize token, say) or the headers than 64 KB.",
    ),
    ErrorCode(
        422,
        "VALIDATION_FAILED",
        "Unknown fields, wrong types or invalid values; details map each field to its messages.",
    ),
    ErrorCode(
        422,
        "IDEMPOTENCY_KEY_REUSED",
        "This Idempotency-Key was used before with a different request.",
    ),
    ErrorCode(
        409,
        "PROOF_UNAVAILABLE",
        "No Merkle proof can be given: a tree size the log never had, an event after the "
        "requested size, or a log that no longer matches a checkpoint it signed (the message "
        "says which; for the last, run gravity audit verify).",
    ),
    ErrorCode(
        409,
        "TRANSCRIPT_CHANGED",
        "The student's transcript no longer renders to the PDF whose SHA-256 the "
        "recommendation recorded (a fact changed since); send a new recommendation.",
    ),
    ErrorCode(
        429,
        "RATE_LIMITED",
        "Too many requests from this client address; retry after the Retry-After seconds.",
    ),
    ErrorCode(500, "INTERNAL", "An unexpected failure; the correlation id locates its logs."),
    ErrorCode(
        503,
        "IDENTITY_PROVIDER_UNAVAILABLE",
        "The single sign-on provider's signing keys (its JWKS) could not be fetched in time or "
        "were unusable, so its token was not accepted; retry after Retry-After seconds.",
    ),
    ErrorCode(
        503,
        "SERVICE_UNAVAILABLE",
        "The broker, a database or a backing service did not answer in time.",
    ),
)


def domain_errors() -> list[type[DomainError]]:
    """The services' refusals: every domain error declared in the shared contracts."""
    import shared.contracts  # noqa: F401 - declares every service's errors

    return [error for error in known_errors() if error.__module__.startswith("shared.")]


@functools.cache
def error_catalogue() -> dict[str, ErrorCode]:
    """Every code, the gateway's and the services', with its status and description."""
    rows = {row.code: row for row in GATEWAY_ERRORS}
    for error in domain_errors():
        status = KIND_STATUS[error.kind]
        known = rows.get(error.code)
        if known is None:
            description = " ".join((error.__doc__ or error.code).split())
            rows[error.code] = ErrorCode(status, error.code, description, (error.__name__,))
        elif known.status != status:
            raise ValueError(f"{error.__name__} answers {error.code} with a second status")
        else:
            names = (*known.domain_errors, error.__name__)
            rows[error.code] = ErrorCode(status, error.code, known.description, names)
    return dict(sorted(rows.items(), key=lambda item: (item[1].status, item[0])))


@dataclass
class ApiError(Exception):
    """A refusal to answer with ``{"error": code, "message": ..., "details": {...}}``."""

    code: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in error_catalogue():
            raise ValueError(f"{self.code} is not in the error catalogue")
        super().__init__(self.code, self.message)

    @property
    def status(self) -> int:
        return error_catalogue()[self.code].status

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, "details": self.details}

    @classmethod
    def refusal(cls, code: str, message: str, details: dict[str, Any]) -> ApiError:
        """The answer to a service's refusal; an unknown code is the gateway's fault (500)."""
        if code not in error_catalogue():
            return cls("INTERNAL", "the request could not be completed")
        return cls(code, message, details)

    @classmethod
    def from_domain_error(cls, error: DomainError) -> ApiError:
        return cls.refusal(error.code, error.message, error.details)
