"""Who may call what: authentication from the bearer token, role and object-level checks."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from gateway.core.errors import ApiError
from gateway.core.single_sign_on import is_single_sign_on, single_sign_on_principal
from gateway.core.tokens import InvalidTokenError, Principal, bearer_token, verify_token
from shared.config import Settings
from shared.contracts.records import Command
from shared.logging import get_logger

if TYPE_CHECKING:
    from gateway.core.call import ApiCall
    from gateway.core.route import Prepare

log = get_logger(__name__)

SessionCheck = Callable[[Principal], bool]
"""Whether a token's session (``Principal.session_id``) is still open for its subject and role:
not signed out, not expired, its account not disabled (``gateway.accounts``)."""


def authenticate(
    settings: Settings, authorization: str | None, sessions: SessionCheck | None = None
) -> Principal:
    """The caller behind an ``Authorization`` header, or 401 (the reason goes to the log).

    A token issued at sign-in names its session; it is refused once that session is closed.
    A token of the configured single sign-on provider is checked with its keys (403 without a
    role or subject of ours, 503 while its keys cannot be fetched).
    """
    try:
        token = bearer_token(authorization)
        if is_single_sign_on(settings, token):
            principal = single_sign_on_principal(settings, token)
        else:
            principal = verify_token(settings, token)
    except InvalidTokenError as error:
        log.info("auth.refused", reason=str(error))
        raise ApiError("UNAUTHENTICATED", "a valid bearer token is required") from None
    if principal.session_id is not None and (sessions is None or not sessions(principal)):
        log.info("auth.refused", reason="session closed")
        raise ApiError("UNAUTHENTICATED", "a valid bearer token is required")
    return principal


def authorize(principal: Principal, roles: frozenset[str]) -> None:
    """403 unless the principal's role is one the route admits."""
    if principal.role not in roles:
        log.info("auth.forbidden", role=principal.role)
        raise ApiError("FORBIDDEN", f"the {principal.role} role may not do this")


def own_id(principal: Principal, role: str) -> str | None:
    """The id a student or host unit acts as: its token subject, when that is a UUID."""
    if principal.role != role:
        return None
    try:
        return str(uuid.UUID(principal.subject))
    except ValueError:
        return None


def student_subject(principal: Principal) -> str | None:
    """A student's own student id (the token subject, when it is a UUID)."""
    return own_id(principal, "student")


def host_unit_subject(principal: Principal) -> str | None:
    """A host unit's own host unit id (the token subject, when it is a UUID)."""
    return own_id(principal, "host_unit")


# An owner field, the role that owns such records, and what the record is called.
OWNERS = {"student_id": ("student", "student"), "host_unit_id": ("host_unit", "host unit")}


def check_owner(principal: Principal, owner_field: str, owner_id: str) -> None:
    """Operators act for everyone; a student or host unit only for itself.

    Another one's record answers 404 exactly like a missing one, so that a caller cannot
    probe which ids exist; any other role is forbidden.
    """
    role, what = OWNERS[owner_field]
    if principal.role == "operator":
        return
    if principal.role != role:
        raise ApiError("FORBIDDEN", f"the {principal.role} role may not do this")
    if own_id(principal, role) != owner_id:
        raise ApiError("NOT_FOUND", f"no such {what}", {owner_field: owner_id})


def own_record(role: str, field: str) -> Prepare:
    """A command route's ``prepare``: a caller of ``role`` may only create its own record,
    named by its token subject in ``field``; other roles create any (a new id if none)."""
    who, what = role.replace("_", " "), field.removesuffix("_id").replace("_", " ") + " id"

    def prepare(call: ApiCall, command: Command) -> Command:
        if call.caller.role != role:
            return command
        own = own_id(call.caller, role)
        if own is None:
            raise ApiError("FORBIDDEN", f"a {who} token's subject must be its {what} (a UUID)")
        if getattr(command, field) not in ("", own):
            raise ApiError("FORBIDDEN", f"a {who} may only register itself")
        return command.with_values(**{field: own})

    return prepare


def may_see_placement(principal: Principal, placement: dict[str, object]) -> bool:
    """Operators see every placement; its student and its host unit see their own."""
    if principal.role == "operator":
        return True
    if principal.role == "student":
        return student_subject(principal) == placement["student_id"]
    if principal.role == "host_unit":
        return host_unit_subject(principal) == placement["host_unit_id"]
    return False
