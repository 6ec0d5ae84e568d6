"""Whose host unit this is: a host unit registers only itself, under its token subject."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gateway.core.auth import host_unit_subject
from gateway.core.errors import ApiError
from shared.contracts.placement.commands import RegisterHostUnit
from shared.contracts.records import Command

if TYPE_CHECKING:
    from gateway.core.pipeline import ApiCall


def own_host_unit_registration(call: ApiCall, command: Command) -> Command:
    """An operator registers any host unit; a host unit only itself (its token subject)."""
    assert isinstance(command, RegisterHostUnit)
    if call.caller.role != "host_unit":
        return command
    own = host_unit_subject(call.caller)
    if own is None:
        raise ApiError("FORBIDDEN", "a host unit token's subject must be its host unit id (a UUID)")
    if command.host_unit_id not in ("", own):
        raise ApiError("FORBIDDEN", "a host unit may only register itself")
    return command.with_values(host_unit_id=own)
