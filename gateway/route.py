"""What a route is: one operation, who may call it, what it takes and returns, how it fails."""

from __future__ import annotations

import re
from dataclasses import dataclass

from marshmallow import Schema

BASE = "/api/v1"
OPERATOR = frozenset({"operator"})
OPERATOR_OR_STUDENT = frozenset({"operator", "student"})
OPERATOR_OR_HOST_UNIT = frozenset({"operator", "host_unit"})
HOST_UNIT = frozenset({"host_unit"})
PARTIES = frozenset({"student", "host_unit"})
PARTIES_AND_OPERATOR = frozenset({"operator", "student", "host_unit"})
ANY_ROLE = frozenset({"operator", "host_unit", "student", "auditor"})
PUBLIC: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Route:
    """One operation: who may call it, what it takes and returns, how it can fail."""

    name: str
    method: str
    path: str
    summary: str
    tag: str
    roles: frozenset[str]
    status: int = 200
    body: type[Schema] | None = None
    query: type[Schema] | None = None
    response: type[Schema] | None = None
    errors: tuple[str, ...] = ()
    remote: bool = False

    @property
    def rule(self) -> str:
        """The path in werkzeug's ``<name>`` syntax."""
        return re.sub(r"\{(\w+)\}", r"<\1>", self.path)

    @property
    def path_parameters(self) -> list[str]:
        return re.findall(r"\{(\w+)\}", self.path)

    @property
    def error_codes(self) -> tuple[str, ...]:
        """Every code this route can answer with, in table order of discovery."""
        codes: list[str] = []
        if self.roles:
            codes += ["UNAUTHENTICATED", "FORBIDDEN"]
        if self.path_parameters:
            codes.append("NOT_FOUND")
        if self.body is not None:
            codes += [
                "MALFORMED_JSON",
                "UNSUPPORTED_MEDIA_TYPE",
                "PAYLOAD_TOO_LARGE",
                "VALIDATION_FAILED",
            ]
        if self.query is not None:
            codes.append("VALIDATION_FAILED")
        if self.method == "POST":
            codes += ["IDEMPOTENCY_KEY_REUSED", "IDEMPOTENCY_KEY_IN_USE"]
        codes += list(self.errors)
        if self.remote:
            codes.append("SERVICE_UNAVAILABLE")
        codes.append("INTERNAL")
        return tuple(dict.fromkeys(codes))


def command(  # noqa: PLR0917 - positional like Route, one argument per line per entry
    name: str,
    path: str,
    summary: str,
    tag: str,
    roles: frozenset[str],
    body: type[Schema],
    response: type[Schema],
    errors: tuple[str, ...] = (),
    *,
    method: str = "POST",
    status: int = 200,
) -> Route:
    """A route under ``BASE`` that sends a command to a service (which may be retried)."""
    return Route(
        name,
        method,
        BASE + path,
        summary,
        tag,
        roles,
        status,
        body,
        response=response,
        errors=(*errors, "CONCURRENT_UPDATE"),
        remote=True,
    )


def read(  # noqa: PLR0917 - positional like Route, one argument per line per entry
    name: str,
    path: str,
    summary: str,
    tag: str,
    roles: frozenset[str],
    response: type[Schema],
    query: type[Schema] | None = None,
) -> Route:
    """A route under ``BASE`` answered from the read models."""
    return Route(name, "GET", BASE + path, summary, tag, roles, query=query, response=response)
