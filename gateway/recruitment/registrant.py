"""Whose registration this is: a student registers only itself, through the self channel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gateway.core.auth import student_subject
from gateway.core.errors import ApiError
from shared.contracts.records import Command
from shared.contracts.recruitment.commands import RegisterStudent

if TYPE_CHECKING:
    from gateway.core.pipeline import ApiCall


def own_registration(call: ApiCall, command: Command) -> Command:
    """An operator registers anyone; a student only itself (its token subject), self-channel."""
    assert isinstance(command, RegisterStudent)
    if call.caller.role != "student":
        return command
    own = student_subject(call.caller)
    if own is None:
        raise ApiError("FORBIDDEN", "a student token's subject must be its student id (a UUID)")
    if command.channel != "self":
        raise ApiError("FORBIDDEN", "students register themselves through the self channel")
    if command.student_id not in ("", own):
        raise ApiError("FORBIDDEN", "a student may only register itself")
    return command.with_values(student_id=own)
