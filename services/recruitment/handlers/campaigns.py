"""Campaigns: create one season, open and close its registration."""

from __future__ import annotations

from services.recruitment.domain.campaign import Campaign
from shared.contracts.records import Result
from shared.contracts.recruitment import commands
from shared.eventstore.uow import UnitOfWork
from shared.kit.handlers import state_view


def campaign_view(campaign: Campaign) -> Result:
    return state_view(campaign, "campaign_id", "status")


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
