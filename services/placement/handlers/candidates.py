"""What placement does with recruitment's news: admit approved students, honour withdrawals.

The kit claims the causing event in the inbox with the effect, so a redelivered event changes
nothing. A withdrawal that overtakes the approval still wins, and the late approval is
ignored (see Candidate).
"""

from __future__ import annotations

from services.placement.adapters import indexes, registered_names
from services.placement.domain.candidate import Candidate
from services.placement.domain.placement import Placement
from services.placement.handlers.views import candidate_view
from shared.contracts.placement import commands
from shared.contracts.records import Result
from shared.eventstore.uow import UnitOfWork
from shared.logging import get_logger
from shared.privacy.sealing import is_sealed

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


def note_registered_name(command: commands.NoteRegisteredName, uow: UnitOfWork) -> Result:
    """Recruitment's copy of the name, kept beside placement's records (no event of its own:
    the name is recruitment's fact, and placement only checks policies against it). It is
    kept sealed as it came, bound to the registration that caused this command."""
    sealed_in = uow.context.causation_id if is_sealed(command.name) else None
    registered_names.note_name(uow.connection, command.student_id, command.name, sealed_in)
    return {"student_id": command.student_id}
