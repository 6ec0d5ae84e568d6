"""Projection handlers for placements: offers, agreement, readiness gates, the practice
itself and its assessment (see ``handler`` for the rules).

Lists and maps are recomputed and written whole (a confirmation adds its party to a sorted
set, a signature sets its document's entry), so re-applying an event changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gateway.core.projection import ProjectionHandler, Values, replace_row, set_row, update_row
from gateway.placement.selection_projection import SELECTION_HANDLERS, day
from gateway.placement.tables import documents, placements


def _new_placement(values: Values, at: str) -> dict[str, Any]:
    return {
        "placement_id": values["placement_id"],
        "campaign_id": values["campaign_id"],
        "round_id": values.get("round_id"),
        "student_id": values["student_id"],
        "position_id": values["position_id"],
        "host_unit_id": values["host_unit_id"],
        "status": "offered",
        "direct": False,
        "direct_reason": None,
        "confirmed_by": [],
        "documents": {},
        "offered_at": at,
        "updated_at": at,
    } | dict.fromkeys(
        (
            "declined_by",
            "decline_reason",
            "insurance",
            "training",
            "started_on",
            "days_served",
            "hours_served",
            "evaluation_score",
            "evaluation_comment",
            "feedback_rating",
            "feedback_suggestions",
            "end_reason",
            "agreed_at",
        )
    )


def _placement_offered(connection: Connection, values: Values, at: str) -> None:
    replace_row(connection, placements, "placement_id", _new_placement(values, at))


def _placement_agreed(connection: Connection, values: Values, at: str) -> None:
    agreed = {
        "status": "agreed",
        "direct": values["direct"],
        "direct_reason": values["reason"] if values["direct"] else None,
        "agreed_at": at,
        "updated_at": at,
    }
    if not update_row(connection, placements, "placement_id", values["placement_id"], **agreed):
        # A direct placement is agreed without an offer before it.
        row = _new_placement(values, at) | agreed | {"offered_at": None}
        connection.execute(placements.insert(), row)


def _current(connection: Connection, placement_id: str, column: str) -> Any:
    return connection.execute(
        sa.select(placements.c[column]).where(placements.c.placement_id == placement_id)
    ).scalar()


def _offer_confirmed(connection: Connection, values: Values, at: str) -> None:
    placement_id = values["placement_id"]
    parties = set(_current(connection, placement_id, "confirmed_by") or ())
    confirmed = sorted(parties | {values["party"]})
    set_row(
        connection, placements, "placement_id", placement_id, confirmed_by=confirmed, updated_at=at
    )


def _document_signed(connection: Connection, values: Values, at: str) -> None:
    placement_id = values["placement_id"]
    signed = dict(_current(connection, placement_id, "documents") or {})
    signed[values["document_kind"]] = {
        "version": values["version"],
        "content_hash": values["content_hash"],
        "signed_at": at,
    }
    set_row(connection, placements, "placement_id", placement_id, documents=signed, updated_at=at)


def _placement_update(change: Callable[[Values], Values]) -> ProjectionHandler:
    def apply(connection: Connection, values: Values, at: str) -> None:
        changes = change(values)
        set_row(
            connection, placements, "placement_id", values["placement_id"], **changes, updated_at=at
        )

    return apply


def _document_published(connection: Connection, values: Values, at: str) -> None:
    key = {"document_kind": values["document_kind"], "version": values["version"]}
    connection.execute(documents.delete().filter_by(**key))
    connection.execute(documents.insert(), values | {"published_at": at})


PROJECTION: dict[str, ProjectionHandler] = {
    **SELECTION_HANDLERS,
    "DocumentPublished": _document_published,
    "PlacementOffered": _placement_offered,
    "OfferConfirmed": _offer_confirmed,
    "OfferDeclined": _placement_update(
        lambda v: {"status": "declined", "declined_by": v["party"], "decline_reason": v["reason"]}
    ),
    "PlacementAgreed": _placement_agreed,
    "InsurancePurchased": _placement_update(
        lambda v: {
            "insurance": {
                "insurer": v["insurer"],
                "policy_number": v["policy_number"],
                "covers_from": day(v["covers_from"]),
                "covers_until": day(v["covers_until"]),
            }
        }
    ),
    "TrainingCompleted": _placement_update(
        lambda v: {"training": {"session": v["session"], "attended_on": day(v["attended_on"])}}
    ),
    "DocumentSigned": _document_signed,
    "PlacementStarted": _placement_update(
        lambda v: {"status": "started", "started_on": day(v["started_on"])}
    ),
    "PlacementCompleted": _placement_update(
        lambda v: {
            "status": "completed",
            "days_served": v["days_served"],
            "hours_served": v["hours_served"],
        }
    ),
    "PlacementEvaluated": _placement_update(
        lambda v: {"evaluation_score": v["score"], "evaluation_comment": v["comment"]}
    ),
    "FeedbackSubmitted": _placement_update(
        lambda v: {"feedback_rating": v["rating"], "feedback_suggestions": v["suggestions"]}
    ),
    "PlacementEnded": _placement_update(lambda v: {"status": "ended", "end_reason": v["reason"]}),
}
