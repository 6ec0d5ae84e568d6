"""Who acts for whom at the edge, before a command is sent: a host unit schedules only its
own activities, a student signs up and logs hours only for itself. The service checks the
same from the caller's actor; refusing here answers sooner and never reaches it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gateway.core.auth import check_owner, host_unit_subject
from gateway.core.errors import ApiError
from shared.contracts.records import Command
from shared.contracts.volunteering.commands import LogHours, ScheduleActivity, SignUp

if TYPE_CHECKING:
    from gateway.core.call import ApiCall


def run_by_caller(call: ApiCall, command: Command) -> Command:
    """An operator schedules any activity (the committee runs it when no host unit is named);
    a host unit its own: ``host_unit_id`` is filled with its id, and another id is refused."""
    assert isinstance(command, ScheduleActivity)
    if call.caller.role != "host_unit":
        return command
    own = host_unit_subject(call.caller)
    if own is None:
        raise ApiError("FORBIDDEN", "a host unit token's subject must be its host unit id (a UUID)")
    if command.host_unit_id not in ("", own):
        raise ApiError("FORBIDDEN", "a host unit schedules only its own activities")
    return command.with_values(host_unit_id=own)


def for_themself(call: ApiCall, command: Command) -> Command:
    """A student acts only for itself: another student's id answers 404, as a missing one
    does. Operators and coordinators (host units) pass on to the service's own check."""
    assert isinstance(command, SignUp | LogHours)
    if call.caller.role == "student":
        check_owner(call.caller, "student_id", command.student_id)
    return command
