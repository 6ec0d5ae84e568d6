"""A candidate: a student whom recruitment approved, as placement knows them.

Placement learns of candidates only from recruitment's events, which may arrive twice or out
of order. Withdrawal is final: a withdrawal that overtakes the approval still wins, and the
late approval is ignored rather than refused, because it is an old fact, not a mistake.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from services.placement.domain.position import Position
from services.placement.domain.selection_window import SelectionWindow
from shared.actors import OPERATOR, STUDENT, Actor
from shared.contracts.placement.errors import (
    CandidateNotEligibleError,
    InvalidRankingError,
    SeatUnavailableError,
)
from shared.contracts.placement.events import (
    CandidateAdmitted,
    CandidateWithdrew,
    StudentRankingSubmitted,
)
from shared.domain import Aggregate


class Candidate(Aggregate, stream="candidate"):
    """Starts empty (``Candidate(student_id)``) until recruitment's first event about them."""

    campaign_id: str = ""
    admitted: bool = False
    withdrawn: bool = False
    ranking: tuple[str, ...] = ()

    @property
    def is_eligible(self) -> bool:
        return self.admitted and not self.withdrawn

    def admit(self, campaign_id: str) -> bool:
        """Record the approval unless it is known already or the student has withdrawn."""
        if self.admitted or self.withdrawn:
            return False
        self._record(CandidateAdmitted(self.id, campaign_id))
        return True

    def withdraw(self, campaign_id: str, reason: str) -> bool:
        """Record the withdrawal once; it also holds if the approval has not arrived yet."""
        if self.withdrawn:
            return False
        self._record(CandidateWithdrew(self.id, campaign_id, reason))
        return True

    def check_eligible(self, campaign_id: str) -> None:
        if not (self.is_eligible and self.campaign_id == campaign_id):
            raise CandidateNotEligibleError(
                "the student is not an approved candidate of this campaign",
                {"student_id": self.id, "campaign_id": campaign_id},
            )

    def check_unplaced(self, held_placement_id: str | None) -> None:
        """A student holds at most one placement (offered, agreed, started or completed)."""
        if held_placement_id is not None:
            raise SeatUnavailableError(
                "the student already holds a placement",
                {"student_id": self.id, "placement_id": held_placement_id},
            )

    def submit_ranking(
        self,
        actor: Actor,
        window: SelectionWindow,
        now: datetime,
        position_ids: Sequence[str],
        positions: Mapping[str, Position | None],
    ) -> None:
        """Rank up to the window's ``max_choices`` open positions of the campaign, best first.

        ``positions`` holds each ranked id's position (None if there is none).
        """
        if not actor.may_act_for((OPERATOR, STUDENT), student_id=self.id):
            raise CandidateNotEligibleError(
                "the student is not an approved candidate of this campaign",
                {"student_id": self.id, "campaign_id": window.id},
            )
        self.check_eligible(window.id)
        window.check_open(now)
        check_student_ranking(window, position_ids, positions)
        self._record(StudentRankingSubmitted(self.id, window.id, list(position_ids)))

    def _when_CandidateAdmitted(self, event: CandidateAdmitted) -> None:
        self.campaign_id = event.campaign_id
        self.admitted = True

    def _when_CandidateWithdrew(self, event: CandidateWithdrew) -> None:
        self.campaign_id = event.campaign_id
        self.withdrawn = True

    def _when_StudentRankingSubmitted(self, event: StudentRankingSubmitted) -> None:
        self.ranking = tuple(event.position_ids)


def check_student_ranking(
    window: SelectionWindow,
    position_ids: Sequence[str],
    positions: Mapping[str, Position | None],
) -> None:
    """A strict ranking of 1 to K open positions of the window's campaign."""
    if not 1 <= len(position_ids) <= window.max_choices:
        raise InvalidRankingError(
            f"rank between 1 and {window.max_choices} positions",
            {"max_choices": window.max_choices, "submitted": len(position_ids)},
        )
    repeated = sorted({pid for pid in position_ids if position_ids.count(pid) > 1})
    if repeated:
        raise InvalidRankingError(
            "a position is ranked more than once", {"repeated_position_ids": repeated}
        )
    # Another campaign's position is reported as unknown: it is not part of this selection.
    known = {
        pid: found
        for pid in position_ids
        if (found := positions.get(pid)) is not None and found.campaign_id == window.id
    }
    unknown = [pid for pid in position_ids if pid not in known]
    if unknown:
        raise InvalidRankingError(
            "the ranking names positions this campaign does not have",
            {"unknown_position_ids": unknown},
        )
    unavailable = [pid for pid, position in known.items() if not position.is_open]
    if unavailable:
        raise InvalidRankingError(
            "the ranking names positions that are closed or withdrawn",
            {"unavailable_position_ids": unavailable},
        )
