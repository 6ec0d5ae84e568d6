"""The volunteering nameko service: one line per RPC method and per consumed event (see
``shared.kit.service``)."""

from __future__ import annotations

from services.volunteering.adapters.indexes import KEEPERS
from services.volunteering.adapters.recruitment_events import (
    alliance_qualification_for,
    qualification_for,
    release_for,
)
from services.volunteering.handlers import HANDLERS
from shared.contracts.recruitment.events import AllianceJoined, StudentScreened, StudentWithdrew
from shared.contracts.volunteering import commands
from shared.kit.entrypoints import command_rpc, consume_event, readiness_ping
from shared.kit.privacy import consume_erasure, subject_key_rpc
from shared.kit.service import ServiceKit


class VolunteeringService:
    """Activities and their seats, volunteers' hours, and the people the activities reached."""

    name = "volunteering"
    kit = ServiceKit(HANDLERS, KEEPERS)
    ping = readiness_ping()

    schedule_activity = command_rpc(commands.ScheduleActivity)
    reschedule_activity = command_rpc(commands.RescheduleActivity)
    cancel_activity = command_rpc(commands.CancelActivity)
    complete_activity = command_rpc(commands.CompleteActivity)
    report_beneficiaries = command_rpc(commands.ReportBeneficiaries)
    sign_up = command_rpc(commands.SignUp)
    withdraw_sign_up = command_rpc(commands.WithdrawSignUp)
    record_no_show = command_rpc(commands.RecordNoShow)
    log_hours = command_rpc(commands.LogHours)
    decide_hours = command_rpc(commands.DecideHours)
    correct_hours = command_rpc(commands.CorrectHours)

    on_student_screened = consume_event(StudentScreened, qualification_for)
    on_alliance_joined = consume_event(AllianceJoined, alliance_qualification_for)
    on_student_withdrew = consume_event(StudentWithdrew, release_for)

    share_subject_keys = subject_key_rpc()
    on_subject_erased = consume_erasure()
