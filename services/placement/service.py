"""The placement nameko service: turns each RPC call or recruitment event into a command."""

from __future__ import annotations

import uuid
from typing import Any

from services.placement import arguments, commands
from services.placement.adapters.recruitment_events import command_for
from services.placement.domain.events import PLACEMENT_EVENTS
from services.placement.handlers import HANDLERS
from shared.logging import get_logger
from shared.messaging.inbox import event_context, reliable_event_handler
from shared.rpc import CommandRejected, rpc
from shared.runtime import LogContext, UnitOfWorkProvider, command_context, dispatch

log = get_logger(__name__)
Result = dict[str, Any]


class PlacementService:
    """Host units and positions, two-way selection, placements and their readiness gates."""

    name = "placement"
    unit_of_work = UnitOfWorkProvider("placement", PLACEMENT_EVENTS)
    log_context = LogContext()

    def _run(self, context: Any, command: Any) -> Result:
        return dispatch(HANDLERS, command, self.unit_of_work, command_context(context))

    @rpc(expected_exceptions=CommandRejected)
    def register_host_unit(self, context: Any, host_unit: Any) -> Result:
        return self._run(context, arguments.register_host_unit(host_unit))

    @rpc(expected_exceptions=CommandRejected)
    def post_position(self, context: Any, position: Any) -> Result:
        return self._run(context, arguments.post_position(position))

    @rpc(expected_exceptions=CommandRejected)
    def close_position(self, context: Any, position_id: Any, reason: Any) -> Result:
        command = commands.ClosePosition(
            arguments.identifier(position_id, "position_id"), _reason(reason)
        )
        return self._run(context, command)

    @rpc(expected_exceptions=CommandRejected)
    def withdraw_position(self, context: Any, position_id: Any, reason: Any) -> Result:
        command = commands.WithdrawPosition(
            arguments.identifier(position_id, "position_id"), _reason(reason)
        )
        return self._run(context, command)

    @rpc(expected_exceptions=CommandRejected)
    def open_selection(self, context: Any, campaign_id: Any, window: Any) -> Result:
        return self._run(context, arguments.open_selection(campaign_id, window))

    @rpc(expected_exceptions=CommandRejected)
    def submit_ranking(
        self, context: Any, campaign_id: Any, student_id: Any, position_ids: Any
    ) -> Result:
        command = commands.SubmitRanking(
            arguments.identifier(campaign_id, "campaign_id"),
            arguments.identifier(student_id, "student_id"),
            arguments.identifiers(position_ids, "position_ids"),
        )
        return self._run(context, command)

    @rpc(expected_exceptions=CommandRejected)
    def rank_applicants(
        self, context: Any, position_id: Any, student_ids: Any, unacceptable: Any
    ) -> Result:
        command = commands.RankApplicants(
            arguments.identifier(position_id, "position_id"),
            arguments.identifiers(student_ids, "student_ids"),
            arguments.identifiers(unacceptable, "unacceptable"),
        )
        return self._run(context, command)

    @rpc(expected_exceptions=CommandRejected)
    def propose_matching(self, context: Any, campaign_id: Any) -> Result:
        campaign = arguments.identifier(campaign_id, "campaign_id")
        return self._run(context, commands.ProposeMatching(str(uuid.uuid4()), campaign))

    @rpc(expected_exceptions=CommandRejected)
    def publish_matching(self, context: Any, round_id: Any) -> Result:
        command = commands.PublishMatching(arguments.identifier(round_id, "round_id"))
        return self._run(context, command)

    @rpc(expected_exceptions=CommandRejected)
    def confirm_offer(self, context: Any, placement_id: Any) -> Result:
        return self._run(context, commands.ConfirmOffer(_placement(placement_id)))

    @rpc(expected_exceptions=CommandRejected)
    def decline_offer(self, context: Any, placement_id: Any, reason: Any) -> Result:
        command = commands.DeclineOffer(_placement(placement_id), _reason(reason))
        return self._run(context, command)

    @rpc(expected_exceptions=CommandRejected)
    def place_directly(self, context: Any, placement: Any) -> Result:
        return self._run(context, arguments.place_directly(placement))

    @rpc(expected_exceptions=CommandRejected)
    def record_insurance(self, context: Any, placement_id: Any, insurance: Any) -> Result:
        policy = arguments.insurance_policy(insurance)
        return self._run(context, commands.RecordInsurance(_placement(placement_id), policy))

    @rpc(expected_exceptions=CommandRejected)
    def record_training(self, context: Any, placement_id: Any, training: Any) -> Result:
        record = arguments.training_record(training)
        return self._run(context, commands.RecordTraining(_placement(placement_id), record))

    @rpc(expected_exceptions=CommandRejected)
    def sign_document(self, context: Any, placement_id: Any, document: Any) -> Result:
        signed = arguments.signed_document(document)
        return self._run(context, commands.SignDocument(_placement(placement_id), signed))

    @rpc(expected_exceptions=CommandRejected)
    def start_placement(self, context: Any, placement_id: Any, started_on: Any) -> Result:
        day = arguments.day(started_on, "started_on")
        return self._run(context, commands.StartPlacement(_placement(placement_id), day))

    @rpc(expected_exceptions=CommandRejected)
    def complete_placement(self, context: Any, placement_id: Any, completion: Any) -> Result:
        served = arguments.completion(completion)
        return self._run(context, commands.CompletePlacement(_placement(placement_id), served))

    @rpc(expected_exceptions=CommandRejected)
    def evaluate_placement(self, context: Any, placement_id: Any, evaluation: Any) -> Result:
        assessed = arguments.evaluation(evaluation)
        return self._run(context, commands.EvaluatePlacement(_placement(placement_id), assessed))

    @rpc(expected_exceptions=CommandRejected)
    def submit_feedback(self, context: Any, placement_id: Any, feedback: Any) -> Result:
        given = arguments.feedback(feedback)
        return self._run(context, commands.SubmitFeedback(_placement(placement_id), given))

    @reliable_event_handler("recruitment", "StudentScreened")
    def on_student_screened(self, body: Any) -> None:
        self._consume(body)

    @reliable_event_handler("recruitment", "StudentWithdrew")
    def on_student_withdrew(self, body: Any) -> None:
        self._consume(body)

    def _consume(self, body: Any) -> None:
        command = command_for(body)
        if command is None:
            log.info("event.skipped", event_type=body.get("event_type"))
            return
        self._run(event_context(body), command)


def _placement(placement_id: Any) -> str:
    return arguments.identifier(placement_id, "placement_id")


def _reason(reason: Any) -> str:
    return arguments.text({"reason": reason}, "reason", required=False)
