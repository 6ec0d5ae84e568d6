"""A volunteer: a student as volunteering knows them, from recruitment's events.

Approval in a campaign's screening lets a student volunteer in that campaign; joining the
Spark Alliance, in any campaign; withdrawing from a campaign ends it there for good. The
events may arrive twice or out of order: a known fact changes nothing, and an approval that
arrives after the withdrawal from its campaign is an old fact, ignored rather than refused.
"""

from __future__ import annotations

from shared.contracts.volunteering.errors import NotAVolunteerError
from shared.contracts.volunteering.events import VolunteerQualified, VolunteerReleased
from shared.domain import Aggregate

SCREENING, ALLIANCE = "screening", "alliance"


class Volunteer(Aggregate, stream="volunteer"):
    """Starts empty (``Volunteer(student_id)``) until recruitment's first event about them."""

    screened_in: frozenset[str] = frozenset()  # campaigns whose screening approved them
    in_alliance: bool = False
    released_from: frozenset[str] = frozenset()  # campaigns they withdrew from

    def may_volunteer_in(self, campaign_id: str) -> bool:
        if campaign_id in self.released_from:
            return False
        return self.in_alliance or campaign_id in self.screened_in

    def check_may_volunteer_in(self, campaign_id: str) -> None:
        if not self.may_volunteer_in(campaign_id):
            raise NotAVolunteerError(
                "the student may not volunteer in this campaign",
                {"student_id": self.id, "campaign_id": campaign_id},
            )

    def qualify(self, campaign_id: str, basis: str) -> bool:
        """Record a new basis to volunteer on; False if it is known or comes too late."""
        if basis == ALLIANCE:
            known = self.in_alliance
        else:
            known = campaign_id in self.screened_in or campaign_id in self.released_from
        if known:
            return False
        self._record(VolunteerQualified(self.id, campaign_id, basis))
        return True

    def release(self, campaign_id: str, reason: str) -> bool:
        """Record the withdrawal from a campaign once; it also holds before any approval."""
        if campaign_id in self.released_from:
            return False
        self._record(VolunteerReleased(self.id, campaign_id, reason))
        return True

    def _when_VolunteerQualified(self, event: VolunteerQualified) -> None:
        if event.basis == ALLIANCE:
            self.in_alliance = True
        else:
            self.screened_in = self.screened_in | {event.campaign_id}

    def _when_VolunteerReleased(self, event: VolunteerReleased) -> None:
        self.released_from = self.released_from | {event.campaign_id}
