"""The honours report of one campaign: awards by title, appointments, diaries featured and
recommendations sent, as the read models hold them.

Definitions (also in the OpenAPI document): an award counts once, under its current status
(``nominated``: not granted yet; ``granted``: a valid certificate; ``revoked``); an
appointment under its recorded status; a diary is ``featured`` while it is in the showcase;
``recommendations.students`` counts each student once however many were sent.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gateway.core.tables import PROJECTION, checkpoint
from gateway.honors.tables import appointments, awards, diaries, recommendations, titles

Row = dict[str, Any]
AWARD_STATUSES = ("nominated", "granted", "revoked")
APPOINTMENT_STATUSES = ("active", "term_ended", "dismissed")


def _rows(connection: Connection, query: sa.Select[Any]) -> list[Row]:
    return [dict(row._mapping) for row in connection.execute(query)]


def _awards_by_title(connection: Connection, campaign_id: str) -> dict[str, Row]:
    names = {row["title_code"]: row["name"] for row in _rows(connection, sa.select(titles))}
    found = _rows(connection, sa.select(awards).where(awards.c.campaign_id == campaign_id))
    tallies: dict[str, Row] = defaultdict(lambda: dict.fromkeys(AWARD_STATUSES, 0))
    for award in found:
        tallies[award["title_code"]][award["status"]] += 1
        if award["title_name"]:
            names.setdefault(award["title_code"], award["title_name"])
    return {code: {"name": names.get(code)} | tallies[code] for code in sorted(tallies)}


def honours_report(connection: Connection, campaign_id: str) -> Row:
    """The report as of the read models' checkpoint (``as_of_position``)."""
    made = _rows(
        connection, sa.select(appointments).where(appointments.c.campaign_id == campaign_id)
    )
    written = _rows(connection, sa.select(diaries).where(diaries.c.campaign_id == campaign_id))
    sent = _rows(
        connection,
        sa.select(recommendations).where(recommendations.c.campaign_id == campaign_id),
    )
    position = connection.execute(
        sa.select(checkpoint.c.position).where(checkpoint.c.projection == PROJECTION)
    ).scalar_one_or_none()
    return {
        "campaign_id": campaign_id,
        "awards_by_title": _awards_by_title(connection, campaign_id),
        "appointments": {"made": len(made)}
        | {status: sum(row["status"] == status for row in made) for status in APPOINTMENT_STATUSES}
        | {"committees": len({row["committee"] for row in made})},
        "diaries": {
            "submitted": len(written),
            "featured": sum(bool(row["featured"]) for row in written),
        },
        "recommendations": {
            "sent": len(sent),
            "students": len({row["student_id"] for row in sent}),
        },
        "as_of_position": int(position or 0),
    }
