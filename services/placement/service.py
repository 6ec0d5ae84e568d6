"""The placement nameko service: one line per RPC method and per consumed event (see
``shared.kit.service``)."""

from __future__ import annotations

from services.placement.adapters.indexes import KEEPERS
from services.placement.adapters.recruitment_events import admission_for, withdrawal_for
from services.placement.adapters.registered_names import erase_registered_name
from services.placement.handlers import HANDLERS
from shared.contracts.placement import commands, documents, placements
from shared.contracts.recruitment.events import StudentScreened, StudentWithdrew
from shared.kit.entrypoints import command_rpc, consume_event, readiness_ping
from shared.kit.privacy import consume_erasure, subject_key_rpc
from shared.kit.service import ServiceKit
from shared.messaging.retired import retired_event_handler


class PlacementService:
    """Host units and positions, two-way selection, placements and their readiness gates."""

    name = "placement"
    kit = ServiceKit(HANDLERS, KEEPERS)
    ping = readiness_ping()

    register_host_unit = command_rpc(commands.RegisterHostUnit)
    post_position = command_rpc(commands.PostPosition)
    close_position = command_rpc(commands.ClosePosition)
    withdraw_position = command_rpc(commands.WithdrawPosition)
    rank_applicants = command_rpc(commands.RankApplicants)
    open_selection = command_rpc(commands.OpenSelection)
    submit_ranking = command_rpc(commands.SubmitRanking)
    propose_matching = command_rpc(commands.ProposeMatching)
    publish_matching = command_rpc(commands.PublishMatching)
    confirm_offer = command_rpc(placements.ConfirmOffer)
    decline_offer = command_rpc(placements.DeclineOffer)
    place_directly = command_rpc(placements.PlaceDirectly)
    record_insurance = command_rpc(placements.RecordInsurance)
    record_training = command_rpc(placements.RecordTraining)
    sign_document = command_rpc(placements.SignDocument)
    publish_document = command_rpc(documents.PublishDocument)
    start_placement = command_rpc(placements.StartPlacement)
    complete_placement = command_rpc(placements.CompletePlacement)
    evaluate_placement = command_rpc(placements.EvaluatePlacement)
    submit_feedback = command_rpc(placements.SubmitFeedback)

    # A registered name is asked of recruitment when a policy is checked
    # (adapters/registered_names.py): the queue of every registration goes.
    on_student_registered = retired_event_handler("recruitment", "StudentRegistered")
    on_student_screened = consume_event(StudentScreened, admission_for)
    on_student_withdrew = consume_event(StudentWithdrew, withdrawal_for)

    share_subject_keys = subject_key_rpc()
    on_subject_erased = consume_erasure(erase_registered_name)
