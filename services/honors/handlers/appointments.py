"""Appointments of part-time deputy secretaries: make one (with its letter), end one.

Making one holds the student's appointments, then the year's letter numbers: a student never
gets two active appointments of one committee, and letters are numbered 1, 2, 3 ... per year
with no gap even when several are made at once.
"""

from __future__ import annotations

from services.honors.adapters import queries
from services.honors.domain.appointment import Appointment
from services.honors.handlers import lookups
from services.honors.handlers.views import appointment_view
from shared.contracts.honors import commands
from shared.contracts.honors.errors import AppointmentNotFoundError
from shared.contracts.records import Result
from shared.eventstore.uow import UnitOfWork


def appoint_deputy_secretary(command: commands.AppointDeputySecretary, uow: UnitOfWork) -> Result:
    now = uow.clock()
    lookups.hold(uow, f"appointee-{command.student_id}")
    lookups.hold(uow, f"letters-{now.year}")
    held = queries.active_letter(uow.session, command.student_id, command.committee, now.date())
    appointment = Appointment.make(
        command,
        lookups.actor(uow),
        held_serial=held,
        last_number=queries.last_letter_number(uow.session, now.year),
        now=now,
    )
    uow.add(appointment)
    return appointment_view(appointment)


def end_appointment(command: commands.EndAppointment, uow: UnitOfWork) -> Result:
    appointment_id = queries.appointment_of_letter(uow.session, command.serial)
    if appointment_id is None:
        raise AppointmentNotFoundError.for_id(command.serial)
    appointment = uow.require(Appointment, appointment_id, lock="exclusive")
    appointment.end(lookups.actor(uow), command.reason, uow.clock().date())
    return appointment_view(appointment)
