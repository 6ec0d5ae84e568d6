"""How a refused command crosses RPC: one exception type that keeps its code and details.

nameko turns unknown remote exceptions into a bare RemoteError (losing the arguments);
registering ``CommandRejected`` as deserialisable keeps ``error_type``, ``message`` and
``details`` intact, so the gateway can answer with a precise status and body.
"""

from __future__ import annotations

from typing import Any

from nameko.exceptions import deserialize_to_instance

from shared.domain import DomainError


@deserialize_to_instance
class CommandRejected(Exception):  # noqa: N818 - it is a verdict, not a crash
    """A domain rule refused a command; ``error_type`` is the domain error's class name."""

    def __init__(self, error_type: str, message: str, details: dict[str, Any] | None = None):
        super().__init__(error_type, message, details or {})
        self.error_type = error_type
        self.message = message
        self.details = details or {}

    @classmethod
    def from_domain_error(cls, error: DomainError) -> CommandRejected:
        return cls(type(error).__name__, error.message, error.details)
