"""The dashboard's answers. The stages and the history's measures are the dashboard's own
vocabulary, which sections fill (``gateway.core.dashboard.Share``); each section's block is
dumped by the schema that section names."""

from __future__ import annotations

from collections.abc import Mapping

from marshmallow import Schema, fields

POSITION = {"description": "The event-log position the read models reflect."}


def _count(description: str) -> fields.Integer:
    return fields.Integer(required=True, metadata={"description": description})


class DashboardCampaignResponse(Schema):
    campaign_id = fields.UUID(required=True)
    name = fields.String(required=True)
    year = fields.Integer(required=True)
    season = fields.String(required=True)
    status = fields.String(required=True)


class StagesResponse(Schema):
    """How far the season's students got, stage by stage."""

    registered = _count("Registrations, whatever happened to them afterwards.")
    approved = _count("Students approved in the screening.")
    placed = _count("Placement agreements (two confirmations, or placed directly).")
    started = _count("Agreements whose practice started.")
    completed = _count("Placements completed.")
    host_units = _count("Host units with at least one agreement.")
    positions = _count("Positions posted and not withdrawn.")


STAGES = tuple(StagesResponse().fields)

VOLUNTEERS = (
    "Students who volunteered or were placed: a student holding a seat (signed up, neither "
    "withdrawn nor a no-show) at a volunteering activity that was not cancelled, or with a "
    "placement agreement, counted once however many of these it has. A student is one "
    "registration in one campaign: someone who comes back in another year counts again "
    "(without personal data the gateway cannot tell it is the same person)."
)


class HistoryFiguresResponse(Schema):
    """One year's figures, or the totals over the years (counts only)."""

    campaigns = _count("Campaigns (of the year, or in all).")
    registered = _count("Students registered.")
    placed = _count("Placement agreements.")
    volunteers = _count(VOLUNTEERS)
    host_units = _count(
        "Distinct host units with at least one agreement: a unit counts once in a year and "
        "once in the totals, however many campaigns it hosted students in."
    )
    positions = _count("Positions posted and not withdrawn.")
    practice_hours = fields.Float(
        required=True, metadata={"description": "Hours served at host units, as recorded."}
    )
    volunteer_hours = fields.Float(
        required=True, metadata={"description": "Approved volunteering hours (after corrections)."}
    )
    hours = fields.Float(
        required=True, metadata={"description": "practice_hours + volunteer_hours."}
    )


MEASURES = tuple(HistoryFiguresResponse().fields)


class HistoryYearResponse(HistoryFiguresResponse):
    year = fields.Integer(
        required=True, metadata={"description": "The campaigns' own year (their `year` field)."}
    )


class ProgrammeHistoryResponse(Schema):
    """The programme's figures per year (oldest first) and over all the years."""

    years = fields.List(fields.Nested(HistoryYearResponse), required=True)
    totals = fields.Nested(HistoryFiguresResponse, required=True)
    as_of_position = fields.Integer(required=True, metadata=POSITION)


def campaign_dashboard_response(blocks: Mapping[str, type[Schema]]) -> type[Schema]:
    """The campaign dashboard's schema: the campaign, its stages, each section's block."""
    return Schema.from_dict(
        {
            "campaign": fields.Nested(DashboardCampaignResponse, required=True),
            "stages": fields.Nested(StagesResponse, required=True),
            **{name: fields.Nested(block, required=True) for name, block in blocks.items()},
            "as_of_position": fields.Integer(required=True, metadata=POSITION),
        },
        name="CampaignDashboardResponse",
    )
