"""The selection window of a campaign: when students may rank positions, and how many."""

from __future__ import annotations

from datetime import datetime

from services.placement.domain.errors import InvalidSelectionWindowError, SelectionClosedError
from services.placement.domain.events import SelectionWindowOpened
from services.placement.domain.matching import DEFAULT_MAX_CHOICES
from shared.domain import Aggregate

MAX_CHOICES_LIMIT = 20


class SelectionWindow(Aggregate):
    """One per campaign (its id is the campaign id); ``SelectionWindow(campaign_id)`` is a
    window never opened. Opening it again replaces the window, e.g. to let students revise
    their rankings before a further round."""

    stream_prefix = "selection"

    opens_at: datetime | None = None
    closes_at: datetime | None = None
    max_choices: int = DEFAULT_MAX_CHOICES

    def open(self, opens_at: datetime, closes_at: datetime, max_choices: int) -> None:
        if closes_at <= opens_at:
            raise InvalidSelectionWindowError(
                "a selection window must close after it opens", {"field": "closes_at"}
            )
        if not 1 <= max_choices <= MAX_CHOICES_LIMIT:
            raise InvalidSelectionWindowError(
                f"students may rank 1 to {MAX_CHOICES_LIMIT} positions",
                {"field": "max_choices"},
            )
        self._record(SelectionWindowOpened(self.id, opens_at, closes_at, max_choices))

    def check_opened(self) -> None:
        """A matching round needs a selection to have taken place (open or past)."""
        if self.opens_at is None:
            raise SelectionClosedError(
                "no selection window was opened for this campaign", {"campaign_id": self.id}
            )

    def check_open(self, now: datetime) -> None:
        if self.opens_at is None or self.closes_at is None:
            self.check_opened()
            return
        if not self.opens_at <= now < self.closes_at:
            raise SelectionClosedError(
                "the selection window of this campaign is not open",
                {
                    "campaign_id": self.id,
                    "opens_at": self.opens_at.isoformat(),
                    "closes_at": self.closes_at.isoformat(),
                },
            )

    def _when_SelectionWindowOpened(self, event: SelectionWindowOpened) -> None:
        self.opens_at = event.opens_at
        self.closes_at = event.closes_at
        self.max_choices = event.max_choices
