"""What honours does with placement's and recruitment's news: keep each placement's facts
(agreed, completed, evaluated) and each rejection in screening. The kit claims the causing
event in the inbox with the effect, so a redelivered event changes nothing."""

from __future__ import annotations

from services.honors.domain.practice import Candidate, Practice
from services.honors.handlers.views import candidate_view, practice_view
from shared.contracts.honors import commands
from shared.contracts.records import Result
from shared.eventstore.uow import UnitOfWork
from shared.logging import get_logger

log = get_logger(__name__)


def _practice(uow: UnitOfWork, placement_id: str) -> Practice:
    found = uow.repository(Practice).get(placement_id, lock="exclusive")
    if found is None:
        found = Practice(placement_id)
        uow.add(found)
    return found


def note_practice(command: commands.NotePractice, uow: UnitOfWork) -> Result:
    practice = _practice(uow, command.placement_id)
    if not practice.note(command.student_id, command.campaign_id):
        log.info("practice.known", placement_id=practice.id)
    return practice_view(practice)


def note_practice_completed(command: commands.NotePracticeCompleted, uow: UnitOfWork) -> Result:
    practice = _practice(uow, command.placement_id)
    practice.complete()
    return practice_view(practice)


def note_practice_evaluated(command: commands.NotePracticeEvaluated, uow: UnitOfWork) -> Result:
    practice = _practice(uow, command.placement_id)
    practice.evaluate(command.score)
    return practice_view(practice)


def note_screening_declined(command: commands.NoteScreeningDeclined, uow: UnitOfWork) -> Result:
    candidate = uow.repository(Candidate).get(command.student_id, lock="exclusive")
    if candidate is None:
        candidate = Candidate(command.student_id)
        uow.add(candidate)
    candidate.decline(command.campaign_id)
    return candidate_view(candidate)
