"""Recruitment's projection: campaigns and students as their events describe them (see
``gateway.core.projection`` for the rules every handler follows)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Connection

from gateway.core.projection import ProjectionHandler, Values, replace_row, set_row
from gateway.recruitment.tables import campaigns, students
from shared.events.canonical import format_timestamp


def _campaign_created(connection: Connection, values: Values, at: str) -> None:
    row = dict(values)
    for name in ("registration_opens_at", "registration_closes_at"):
        row[name] = format_timestamp(values[name])
    replace_row(
        connection,
        campaigns,
        "campaign_id",
        row | {"status": "draft", "created_at": at, "updated_at": at},
    )


def _campaign_status(status: str) -> ProjectionHandler:
    def apply(connection: Connection, values: Values, at: str) -> None:
        set_row(
            connection,
            campaigns,
            "campaign_id",
            values["campaign_id"],
            status=status,
            updated_at=at,
        )

    return apply


def _student_registered(connection: Connection, values: Values, at: str) -> None:
    row = dict(values) | {
        "status": "registered",
        "screening_decision": None,
        "screening_reason": None,
        "screened_at": None,
        "withdrawal_reason": None,
        "in_alliance": False,
        "registered_at": at,
        "updated_at": at,
    }
    replace_row(connection, students, "student_id", row)


def _student_update(change: Callable[[Values, str], Values]) -> ProjectionHandler:
    def apply(connection: Connection, values: Values, at: str) -> None:
        changes = change(values, at)
        set_row(connection, students, "student_id", values["student_id"], **changes, updated_at=at)

    return apply


PROJECTION: dict[str, ProjectionHandler] = {
    "CampaignCreated": _campaign_created,
    "CampaignOpened": _campaign_status("open"),
    "CampaignClosed": _campaign_status("closed"),
    "StudentRegistered": _student_registered,
    "StudentScreened": _student_update(
        lambda v, at: {
            "status": v["decision"],
            "screening_decision": v["decision"],
            "screening_reason": v["reason"],
            "screened_at": at,
        }
    ),
    "StudentWithdrew": _student_update(
        lambda v, _at: {"status": "withdrawn", "withdrawal_reason": v["reason"]}
    ),
    "AllianceJoined": _student_update(lambda _v, _at: {"in_alliance": True}),
    "AllianceLeft": _student_update(lambda _v, _at: {"in_alliance": False}),
}
