"""What a route is: one operation, who may call it, what it takes and returns, how it fails.

A command route names the command it sends: its request body is the command's contract
minus the fields the path supplies, so the gateway validates and documents exactly what the
service will accept. A read route is answered from the read models by an endpoint.

(A little over 200 lines: the route's declaration and the role sets every section names
belong together.)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from marshmallow import Schema

from shared.contracts.fields import ERROR_CODE
from shared.contracts.records import Command
from shared.contracts.schemas import StrictSchema, build_schema

if TYPE_CHECKING:
    from gateway.core.call import ApiCall

BASE = "/api/v1"
OPERATOR = frozenset({"operator"})
OPERATOR_OR_STUDENT = frozenset({"operator", "student"})
OPERATOR_OR_HOST_UNIT = frozenset({"operator", "host_unit"})
HOST_UNIT = frozenset({"host_unit"})
PARTIES = frozenset({"student", "host_unit"})
PARTIES_AND_OPERATOR = frozenset({"operator", "student", "host_unit"})
ANY_ROLE = frozenset({"operator", "host_unit", "student", "auditor"})
AUDITOR = frozenset({"auditor"})
REPORT_READERS = frozenset({"operator", "auditor"})  # every campaign report
PUBLIC: frozenset[str] = frozenset()

Prepare = Callable[["ApiCall", Command], Command]
"""Adjusts a command to its caller before it is sent (a student registers only itself)."""


@dataclass(frozen=True)
class Route:
    """One operation: who may call it, what it takes and returns, how it can fail.

    ``owner`` names the path parameter that a student or host unit caller must be (any
    other id answers 404, as a missing one does); the pipeline checks it on every route.
    """

    name: str
    method: str
    path: str
    summary: str
    tag: str
    roles: frozenset[str]
    status: int = 200
    query: type[Schema] | None = None
    response: type[Schema] | None = None
    command: type[Command] | None = None
    owner: str | None = None
    prepare: Prepare | None = None
    errors: tuple[str, ...] = ()
    # Path parameters that are not UUIDs, each with the pattern it must match in full (a
    # certificate's serial); a value that does not match names nothing (404).
    path_patterns: tuple[tuple[str, str], ...] = ()
    # Command fields that the route's own endpoint fills from the read models (a holder's
    # name): not in the request body; until filled they hold these stand-ins, values their
    # rules accept, so that the body's other fields are checked by the contract as usual.
    filled: tuple[tuple[str, object], ...] = ()
    media_type: str = "application/json"  # of the success answer (a PDF: application/pdf)
    # False for a POST whose answer holds a secret that must never be stored (an invitation's
    # token): its Idempotency-Key header is ignored, so the answer is never kept for a replay.
    idempotent: bool = True

    def __post_init__(self) -> None:
        if self.command is not None:
            own = set(self.command.field_names())
            strangers = (set(self.path_parameters) | {name for name, _ in self.filled}) - own
            if strangers:
                raise ValueError(f"{self.name}: {sorted(strangers)} are not command fields")

    @property
    def rule(self) -> str:
        """The path in werkzeug's ``<name>`` syntax."""
        return re.sub(r"\{(\w+)\}", r"<\1>", self.path)

    @functools.cached_property
    def path_parameters(self) -> tuple[str, ...]:
        return tuple(re.findall(r"\{(\w+)\}", self.path))

    @functools.cached_property
    def body(self) -> type[Schema] | None:
        """The request body's schema: the command's fields that neither the path nor the
        gateway (``filled``) supplies."""
        if self.command is None:
            return None
        supplied = {*self.path_parameters, *(name for name, _ in self.filled)}
        return body_schema(self.command, frozenset(supplied))

    @property
    def takes_idempotency_key(self) -> bool:
        """Whether a retry with the same ``Idempotency-Key`` answers the first answer."""
        return self.method == "POST" and bool(self.roles) and self.idempotent

    @property
    def error_codes(self) -> tuple[str, ...]:
        """Every code this route can answer with."""
        codes: list[str] = []
        if self.roles:
            codes += ["UNAUTHENTICATED", "FORBIDDEN", *SINGLE_SIGN_ON_CODES]
        if self.path_parameters:
            codes.append("NOT_FOUND")
        if self.command is not None:
            codes += [
                "MALFORMED_JSON",
                "UNSUPPORTED_MEDIA_TYPE",
                "PAYLOAD_TOO_LARGE",
                "VALIDATION_FAILED",
                *field_error_codes(self.command),
            ]
        if self.query is not None:
            codes.append("VALIDATION_FAILED")
        if self.takes_idempotency_key:
            codes += ["IDEMPOTENCY_KEY_REUSED", "IDEMPOTENCY_KEY_IN_USE"]
        codes += list(self.errors)
        if self.command is not None:
            codes += [error.code for error in self.command.refusals]
            if self.command.creates is not None:
                codes.append("ALREADY_EXISTS")
            codes += ["CONCURRENT_UPDATE", "SERVICE_UNAVAILABLE"]
        codes.append("INTERNAL")
        return tuple(dict.fromkeys(codes))


# A single sign-on provider's token (gateway/core/single_sign_on.py), where one is configured.
SINGLE_SIGN_ON_CODES = ("SSO_ROLE_UNMAPPED", "SSO_SUBJECT_MISSING", "IDENTITY_PROVIDER_UNAVAILABLE")


def body_schema(command: type[Command], from_path: frozenset[str]) -> type[StrictSchema]:
    """The command's schema without the fields that come from the path."""
    return build_schema(command, f"{command.__name__}Request", exclude=from_path)


def field_error_codes(command: type[Command]) -> list[str]:
    """Codes of fields that answer with their own code (an invalid ID number)."""
    return [
        str(field.metadata[ERROR_CODE])
        for field in command.schema().fields.values()
        if ERROR_CODE in field.metadata
    ]


def command_route(  # noqa: PLR0917 - positional like Route, one argument per line per entry
    name: str,
    path: str,
    summary: str,
    tag: str,
    roles: frozenset[str],
    command: type[Command],
    response: type[Schema],
    *,
    method: str = "POST",
    status: int = 200,
    owner: str | None = None,
    prepare: Prepare | None = None,
    path_patterns: tuple[tuple[str, str], ...] = (),
    filled: tuple[tuple[str, object], ...] = (),
) -> Route:
    """A route under ``BASE`` that sends ``command`` to the service that owns it."""
    return Route(
        name,
        method,
        BASE + path,
        summary,
        tag,
        roles,
        status,
        response=response,
        command=command,
        owner=owner,
        prepare=prepare,
        path_patterns=path_patterns,
        filled=filled,
    )


def read_route(  # noqa: PLR0917 - positional like Route, one argument per line per entry
    name: str,
    path: str,
    summary: str,
    tag: str,
    roles: frozenset[str],
    response: type[Schema] | None,
    query: type[Schema] | None = None,
    *,
    owner: str | None = None,
    path_patterns: tuple[tuple[str, str], ...] = (),
    media_type: str = "application/json",
) -> Route:
    """A route under ``BASE`` answered from the read models."""
    return Route(
        name,
        "GET",
        BASE + path,
        summary,
        tag,
        roles,
        query=query,
        response=response,
        owner=owner,
        path_patterns=path_patterns,
        media_type=media_type,
    )
