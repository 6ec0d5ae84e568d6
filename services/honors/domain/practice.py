"""What honours knows of a student's practice and screening, from placement's and
recruitment's events: enough to say who may receive a title.

Events of different types travel on different queues and may arrive in any order (a
completion before the agreement it completes): each fact is kept as it comes, once, and only
the whole of them decides. A fact known already changes nothing.
"""

from __future__ import annotations

from shared.contracts.honors.events import (
    PracticeCompleted,
    PracticeEvaluated,
    PracticeNoted,
    ScreeningDeclined,
)
from shared.domain import Aggregate


class Practice(Aggregate, stream="practice"):
    """One placement (keyed by its id); starts empty (``Practice(placement_id)``)."""

    student_id: str = ""
    campaign_id: str = ""
    completed: bool = False
    score: int | None = None

    def note(self, student_id: str, campaign_id: str) -> bool:
        if self.student_id:
            return False
        self._record(PracticeNoted(self.id, student_id, campaign_id))
        return True

    def complete(self) -> bool:
        if self.completed:
            return False
        self._record(PracticeCompleted(self.id))
        return True

    def evaluate(self, score: int) -> bool:
        """The latest evaluation counts."""
        if self.score == score:
            return False
        self._record(PracticeEvaluated(self.id, score))
        return True

    def _when_PracticeNoted(self, event: PracticeNoted) -> None:
        self.student_id, self.campaign_id = event.student_id, event.campaign_id

    def _when_PracticeCompleted(self, _event: PracticeCompleted) -> None:
        self.completed = True

    def _when_PracticeEvaluated(self, event: PracticeEvaluated) -> None:
        self.score = event.score


class Candidate(Aggregate, stream="candidate"):
    """A student (keyed by their id) as recruitment's screening left them."""

    declined_in: frozenset[str] = frozenset()  # campaigns whose screening rejected them

    def decline(self, campaign_id: str) -> bool:
        if campaign_id in self.declined_in:
            return False
        self._record(ScreeningDeclined(self.id, campaign_id))
        return True

    def _when_ScreeningDeclined(self, event: ScreeningDeclined) -> None:
        self.declined_in = self.declined_in | {event.campaign_id}
