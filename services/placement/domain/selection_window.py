"""The selection window of a campaign: when students may rank positions, and how many."""

from __future__ import annotations

from datetime import datetime

from shared.contracts.placement.commands import DEFAULT_MAX_CHOICES, OpenSelection
from shared.contracts.placement.errors import InvalidSelectionWindowError, SelectionClosedError
from shared.contracts.placement.events import SelectionWindowOpened
from shared.domain import Aggregate


class SelectionWindow(Aggregate, stream="selection"):
    """One per campaign (its id is the campaign id); ``SelectionWindow(campaign_id)`` is a
    window never opened. Opening it again replaces the window, e.g. to let students revise
    their rankings before a further round."""

    opens_at: datetime | None = None
    closes_at: datetime | None = None
    max_choices: int = DEFAULT_MAX_CHOICES

    def open(self, window: OpenSelection) -> None:
        """A window closes after it opens (how many choices it allows is the contract's rule)."""
        if window.closes_at <= window.opens_at:
            raise InvalidSelectionWindowError(
                "a selection window must close after it opens", {"field": "closes_at"}
            )
        self._record(
            SelectionWindowOpened(self.id, window.opens_at, window.closes_at, window.max_choices)
        )

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
