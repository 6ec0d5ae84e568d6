"""A campaign: one season of the Gravity Plan, with its registration window."""

from __future__ import annotations

from datetime import datetime

from shared.contracts.recruitment.commands import CreateCampaign
from shared.contracts.recruitment.errors import (
    CampaignNotFoundError,
    CampaignStateError,
    InvalidCampaignError,
    RegistrationClosedError,
)
from shared.contracts.recruitment.events import CampaignClosed, CampaignCreated, CampaignOpened
from shared.domain import Aggregate

DRAFT, OPEN, CLOSED = "draft", "open", "closed"


class Campaign(Aggregate, stream="campaign", missing=CampaignNotFoundError):
    """A season: drafted, opened for registration within its window, then closed."""

    status: str
    registration_opens_at: datetime
    registration_closes_at: datetime

    @classmethod
    def create(cls, plan: CreateCampaign) -> Campaign:
        """An operator's plan for a season; registration must close after it opens."""
        if plan.registration_closes_at <= plan.registration_opens_at:
            raise InvalidCampaignError(
                "registration must close after it opens",
                {"field": "registration_closes_at"},
            )
        campaign = cls(plan.campaign_id)
        campaign._record(CampaignCreated(**vars(plan)))
        return campaign

    def open(self) -> None:
        if self.status != DRAFT:
            raise CampaignStateError(
                f"a {self.status} campaign cannot be opened", {"status": self.status}
            )
        self._record(CampaignOpened(campaign_id=self.id))

    def close(self) -> None:
        if self.status != OPEN:
            raise CampaignStateError(
                f"a {self.status} campaign cannot be closed", {"status": self.status}
            )
        self._record(CampaignClosed(campaign_id=self.id))

    def check_registration_open(self, now: datetime) -> None:
        """Registration needs an opened campaign and a moment inside its window."""
        if self.status != OPEN or not (
            self.registration_opens_at <= now < self.registration_closes_at
        ):
            raise RegistrationClosedError(
                "registration for this campaign is closed",
                {
                    "status": self.status,
                    "registration_opens_at": self.registration_opens_at.isoformat(),
                    "registration_closes_at": self.registration_closes_at.isoformat(),
                },
            )

    def _when_CampaignCreated(self, event: CampaignCreated) -> None:
        self.status = DRAFT
        self.registration_opens_at = event.registration_opens_at
        self.registration_closes_at = event.registration_closes_at

    def _when_CampaignOpened(self, _event: CampaignOpened) -> None:
        self.status = OPEN

    def _when_CampaignClosed(self, _event: CampaignClosed) -> None:
        self.status = CLOSED
