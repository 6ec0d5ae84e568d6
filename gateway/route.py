"""What a route is: one operation, who may call it, what it takes and returns, how it fails."""

from __future__ import annotations

import re
from dataclasses import dataclass

from marshmallow import Schema


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
