"""What placement does with recruitment's news: admit approved students, honour withdrawals.

The kit claims the causing event in the inbox with the effect, so a redelivered event changes
nothing. A withdrawal that overtakes the approval still wins, and the late approval is
ignored (see Candidate).
"""

from __future__ import annotations

from services.placement.adapters import indexes
from services.placement.domain.candidate import Candidate
from services.placement.domain.placement import Placement
from services.placement.handlers.views import candidate_view
from shared.contracts.placement import commands
from shared.contracts.records import Result
from shared.eventstore.uow import UnitOfWork
from shared.logging import get_logger

log = get_logger(__name__)


def admit_candidate(command: commands.AdmitCandidate, uow: UnitOfWork) -> Result:
    candidate = uow.get_or_start(Candidate, command.student_id)
    if not candidate.admit(command.campaign_id):
        log.info("candidate.admission_ignored", student_id=candidate.id)
    return candidate_view(candidate)


def withdraw_candidate(command: commands.WithdrawCandidate, uow: UnitOfWork) -> Result:
    """Record the withdrawal and end the student's open placement, freeing its seat."""
    candidate = uow.get_or_start(Candidate, command.student_id)
    candidate.withdraw(command.campaign_id, command.reason)
    held = indexes.placement_held_by(uow.session, candidate.id)
    if held is not None:
        placement = uow.require(Placement, held)
        placement.end(f"the student withdrew from the campaign: {command.reason}")
    return candidate_view(candidate)
