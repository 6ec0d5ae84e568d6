"""What placement does with recruitment's news: admit approved students, honour withdrawals.

Each handler claims the event's id in the inbox in the same transaction as its effect, so a
redelivered event changes nothing. A withdrawal that overtakes the approval still wins, and
the late approval is ignored (see Candidate).
"""

from __future__ import annotations

from services.placement import commands
from services.placement.adapters import indexes
from services.placement.domain.placement import Placement
from services.placement.handling import lookups
from services.placement.handling.views import Result, candidate_view
from shared.eventstore.uow import UnitOfWork
from shared.logging import get_logger
from shared.messaging.inbox import consume_once

log = get_logger(__name__)

ADMISSIONS_CONSUMER = "placement.on_student_screened"
WITHDRAWALS_CONSUMER = "placement.on_student_withdrew"


def admit_candidate(command: commands.AdmitCandidate, uow: UnitOfWork) -> Result:
    with uow:
        candidate = lookups.candidate(uow, command.student_id)
        if not consume_once(uow.session, ADMISSIONS_CONSUMER, command.event_id):
            log.info("event.already_consumed", event_id=command.event_id)
            return candidate_view(candidate)
        if candidate.admit(command.campaign_id):
            indexes.record_candidate(uow.session, candidate.id, command.campaign_id)
            log.info("candidate.admitted", student_id=candidate.id)
        else:
            log.info("candidate.admission_ignored", student_id=candidate.id)
        uow.commit()
        return candidate_view(candidate)


def withdraw_candidate(command: commands.WithdrawCandidate, uow: UnitOfWork) -> Result:
    """Record the withdrawal and end the student's open placement, freeing its seat."""
    with uow:
        candidate = lookups.candidate(uow, command.student_id)
        if not consume_once(uow.session, WITHDRAWALS_CONSUMER, command.event_id):
            log.info("event.already_consumed", event_id=command.event_id)
            return candidate_view(candidate)
        if candidate.withdraw(command.campaign_id, command.reason):
            indexes.record_candidate(uow.session, candidate.id, command.campaign_id)
            log.info("candidate.withdrew", student_id=candidate.id)
        held = indexes.placement_held_by(uow.session, candidate.id)
        if held is not None:
            placement = uow.repository(Placement).get(held)
            if placement is not None and placement.end(
                f"the student withdrew from the campaign: {command.reason}"
            ):
                indexes.record_placement_change(uow.session, placement)
                log.info("placement.ended", placement_id=placement.id, student_id=candidate.id)
        uow.commit()
        return candidate_view(candidate)
