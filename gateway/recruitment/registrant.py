"""Whose registration this is: a student registers only itself, through the self channel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gateway.core.auth import own_record
from gateway.core.errors import ApiError
from shared.contracts.records import Command
from shared.contracts.recruitment.commands import RegisterStudent

if TYPE_CHECKING:
    from gateway.core.call import ApiCall

_OWN_RECORD = own_record("student", "student_id")


def own_registration(call: ApiCall, command: Command) -> Command:
    """An operator registers anyone; a student only itself (its token subject), self-channel."""
    assert isinstance(command, RegisterStudent)
    own = _OWN_RECORD(call, command)
    if call.caller.role == "student" and command.channel != "self":
        raise ApiError("FORBIDDEN", "students register themselves through the self channel")
    return own
