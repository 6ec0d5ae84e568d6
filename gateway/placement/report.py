"""The placements report of one campaign: agreements, host units, seats, readiness, scores.

Definitions (also in the OpenAPI document):
* an *agreement* is a placement that reached agreement (two confirmations, or placed
  directly), whatever happened to it afterwards; rates are fractions of agreements and are
  null while there are none;
* a position is *filled* when the placements holding its seats (agreed, started or
  completed) reach its capacity, and *open* while it takes rankings and has a free seat;
* *signed* means both documents (practice notice and confidentiality commitment) signed.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gateway.core.tables import PROJECTION, checkpoint
from gateway.placement.tables import candidates, placements, positions, rankings

Row = dict[str, Any]
HOLDING_A_SEAT = ("agreed", "started", "completed")
DOCUMENTS = ("practice_notice", "confidentiality_commitment")


def _rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


def _mean(values: list[int]) -> float | None:
    return None if not values else round(sum(values) / len(values), 2)


def _rows(connection: Connection, query: sa.Select[Any]) -> list[Row]:
    return [dict(row._mapping) for row in connection.execute(query)]


def placements_report(connection: Connection, campaign_id: str) -> Row:
    """The report as of the read models' checkpoint (``as_of_position``)."""
    every = _rows(connection, sa.select(placements).where(placements.c.campaign_id == campaign_id))
    agreed = [row for row in every if row["agreed_at"] is not None]
    statuses = Counter(row["status"] for row in every)
    agreed_seats = Counter(row["position_id"] for row in every if row["status"] in HOLDING_A_SEAT)
    posted = _rows(
        connection,
        sa.select(positions.c.position_id, positions.c.capacity, positions.c.status).where(
            positions.c.campaign_id == campaign_id
        ),
    )
    active = [row for row in posted if row["status"] != "withdrawn"]
    filled = [row for row in active if agreed_seats[row["position_id"]] >= row["capacity"]]
    still_open = [
        row
        for row in posted
        if row["status"] == "open" and agreed_seats[row["position_id"]] < row["capacity"]
    ]
    admitted = {
        row["student_id"]
        for row in _rows(
            connection,
            sa.select(candidates.c.student_id).where(
                candidates.c.campaign_id == campaign_id, candidates.c.status == "admitted"
            ),
        )
    }
    ranked = connection.execute(
        sa.select(sa.func.count())
        .select_from(rankings)
        .where(rankings.c.campaign_id == campaign_id)
    ).scalar_one()
    insured = sum(row["insurance"] is not None for row in agreed)
    trained = sum(row["training"] is not None for row in agreed)
    signed = sum(all(kind in (row["documents"] or {}) for kind in DOCUMENTS) for row in agreed)
    position = connection.execute(
        sa.select(checkpoint.c.position).where(checkpoint.c.projection == PROJECTION)
    ).scalar_one()
    return {
        "campaign_id": campaign_id,
        "agreements": len(agreed),
        "direct_placements": sum(bool(row["direct"]) for row in agreed),
        "host_units_involved": len({row["host_unit_id"] for row in agreed}),
        "offers_pending": statuses["offered"],
        "offers_declined": statuses["declined"],
        "started": sum(row["started_on"] is not None for row in agreed),
        "completed": statuses["completed"],
        "ended": statuses["ended"],
        "candidates": len(admitted),
        "students_ranked": int(ranked),
        "candidates_without_agreement": len(admitted - {row["student_id"] for row in agreed}),
        "positions": {
            "posted": len(posted),
            "open": len(still_open),
            "filled": len(filled),
            "closed": sum(row["status"] == "closed" for row in posted),
            "withdrawn": len(posted) - len(active),
        },
        "seats": {
            "capacity": sum(row["capacity"] for row in active),
            "agreed": sum(min(agreed_seats[row["position_id"]], row["capacity"]) for row in active),
        },
        "insured": insured,
        "trained": trained,
        "signed": signed,
        "insured_rate": _rate(insured, len(agreed)),
        "trained_rate": _rate(trained, len(agreed)),
        "signed_rate": _rate(signed, len(agreed)),
        "average_evaluation": _mean(
            [row["evaluation_score"] for row in agreed if row["evaluation_score"] is not None]
        ),
        "average_feedback_rating": _mean(
            [row["feedback_rating"] for row in agreed if row["feedback_rating"] is not None]
        ),
        "as_of_position": int(position),
    }
