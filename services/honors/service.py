"""The honours nameko service: one line per RPC method and per consumed event (see
``shared.kit.service``)."""

from __future__ import annotations

from services.honors.adapters.indexes import KEEPERS
from services.honors.adapters.programme_events import (
    completion_for,
    decline_for,
    evaluation_for,
    practice_for,
)
from services.honors.handlers import HANDLERS
from shared.contracts.honors import commands
from shared.contracts.placement.events import (
    PlacementAgreed,
    PlacementCompleted,
    PlacementEvaluated,
)
from shared.contracts.recruitment.events import StudentScreened
from shared.kit.entrypoints import command_rpc, consume_event, readiness_ping
from shared.kit.privacy import consume_erasure, subject_key_rpc
from shared.kit.service import ServiceKit


class HonorsService:
    """Titles, awards and certificates; appointments and letters; consents,
    recommendations and the diary showcase."""

    name = "honors"
    kit = ServiceKit(HANDLERS, KEEPERS)
    ping = readiness_ping()

    define_title = command_rpc(commands.DefineTitle)
    nominate_for_award = command_rpc(commands.NominateForAward)
    grant_award = command_rpc(commands.GrantAward)
    revoke_certificate = command_rpc(commands.RevokeCertificate)
    appoint_deputy_secretary = command_rpc(commands.AppointDeputySecretary)
    end_appointment = command_rpc(commands.EndAppointment)
    record_consent = command_rpc(commands.RecordConsent)
    send_recommendation = command_rpc(commands.SendRecommendation)
    submit_diary = command_rpc(commands.SubmitDiary)
    feature_diary = command_rpc(commands.FeatureDiary)

    on_placement_agreed = consume_event(PlacementAgreed, practice_for)
    on_placement_completed = consume_event(PlacementCompleted, completion_for)
    on_placement_evaluated = consume_event(PlacementEvaluated, evaluation_for)
    on_student_screened = consume_event(StudentScreened, decline_for)

    share_subject_keys = subject_key_rpc()
    on_subject_erased = consume_erasure()
