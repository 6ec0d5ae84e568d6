"""A student's consents, per purpose (``university_report``, ``showcase``): nothing for a
purpose happens without a current consent for it. The student gives or withdraws their own;
an operator may record it for them."""

from __future__ import annotations

from services.honors.domain.rights import check_acts_for_student
from shared.actors import Actor
from shared.contracts.honors.errors import ConsentRequiredError
from shared.contracts.honors.events import ConsentGiven, ConsentWithdrawn
from shared.domain import Aggregate


class Consents(Aggregate, stream="consent"):
    """Keyed by the student's id; starts empty (``Consents(student_id)``): nothing given."""

    given: frozenset[str] = frozenset()

    def record(self, actor: Actor, purpose: str, given: bool) -> bool:
        """Give or withdraw; False when it is so already."""
        check_acts_for_student(actor, self.id)
        if (purpose in self.given) == given:
            return False
        if given:
            self._record(ConsentGiven(self.id, purpose))
        else:
            self._record(ConsentWithdrawn(self.id, purpose))
        return True

    def check_given(self, purpose: str) -> None:
        if purpose not in self.given:
            raise ConsentRequiredError(
                f"the student's {purpose} consent is needed",
                {"student_id": self.id, "purpose": purpose},
            )

    def _when_ConsentGiven(self, event: ConsentGiven) -> None:
        self.given = self.given | {event.purpose}

    def _when_ConsentWithdrawn(self, event: ConsentWithdrawn) -> None:
        self.given = self.given - {event.purpose}
