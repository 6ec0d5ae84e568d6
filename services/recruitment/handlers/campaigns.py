"""Campaigns: create one season, open and close its registration."""

from __future__ import annotations

from services.recruitment.domain.campaign import Campaign
from shared.contracts.records import Result
from shared.contracts.recruitment import commands
from shared.eventstore.uow import UnitOfWork


def campaign_view(campaign: Campaign) -> Result:
    return {"campaign_id": campaign.id, "status": campaign.status}


def create_campaign(command: commands.CreateCampaign, uow: UnitOfWork) -> Result:
    campaign = Campaign.create(command)
    uow.add(campaign)
    return campaign_view(campaign)


def open_campaign(command: commands.OpenCampaign, uow: UnitOfWork) -> Result:
    # Exclusive: registrations hold the campaign shared, so none is half-way while it opens.
    campaign = uow.require(Campaign, command.campaign_id, lock="exclusive")
    campaign.open()
    return campaign_view(campaign)


def close_campaign(command: commands.CloseCampaign, uow: UnitOfWork) -> Result:
    # Exclusive: a registration checked against the open window cannot commit after this.
    campaign = uow.require(Campaign, command.campaign_id, lock="exclusive")
    campaign.close()
    return campaign_view(campaign)
