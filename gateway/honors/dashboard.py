"""Honours' share of the dashboard: the honours report (``gateway.dashboard``), with the
awards and their certificates totalled over the titles."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields
from sqlalchemy.engine import Connection

from gateway.core.dashboard import Dashboard, Share
from gateway.honors.report import AWARD_STATUSES, honours_report
from gateway.honors.schemas import HonoursReportResponse


class AwardTotalsResponse(Schema):
    nominated = fields.Integer(required=True, metadata={"description": "Not granted yet."})
    granted = fields.Integer(required=True)
    revoked = fields.Integer(required=True)


class CertificateTotalsResponse(Schema):
    issued = fields.Integer(
        required=True,
        metadata={
            "description": "Honour certificates issued: every award granted, revoked since "
            "or not (a certificate is issued when its award is granted)."
        },
    )
    valid = fields.Integer(required=True)
    revoked = fields.Integer(required=True)


class HonoursDashboardResponse(HonoursReportResponse):
    """The honours report of the campaign; ``awards`` and ``certificates`` total its titles."""

    awards = fields.Nested(AwardTotalsResponse, required=True)
    certificates = fields.Nested(CertificateTotalsResponse, required=True)

    class Meta:
        exclude = ("campaign_id", "as_of_position")


def honours_share(connection: Connection, campaign_id: str) -> Share:
    """No stage and no history measure of its own: its block."""
    report = honours_report(connection, campaign_id)
    tallies = report["awards_by_title"].values()
    awards: dict[str, Any] = {
        status: sum(tally[status] for tally in tallies) for status in AWARD_STATUSES
    }
    certificates = {
        "issued": awards["granted"] + awards["revoked"],
        "valid": awards["granted"],
        "revoked": awards["revoked"],
    }
    figures = {
        name: value
        for name, value in report.items()
        if name not in {"campaign_id", "as_of_position"}
    }
    return Share(figures=figures | {"awards": awards, "certificates": certificates})


DASHBOARD = Dashboard(honours_share, HonoursDashboardResponse)
