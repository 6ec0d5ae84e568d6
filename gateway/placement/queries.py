"""What the gateway answers placement GETs from; eventually consistent, like every read model.

These queries return whole records; which caller may see which record (and which columns)
is the endpoints' business.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from gateway.core.section import ReadModelQueries
from gateway.placement.report import placements_report
from gateway.placement.tables import (
    applicants,
    documents,
    host_units,
    matching_rounds,
    placements,
    positions,
    rankings,
    selection_windows,
)
from gateway.recruitment.tables import students

Row = dict[str, Any]
GATES = ("insurance", "training", "practice_notice", "confidentiality_commitment")
CURRENT = ("agreed", "started", "completed")
HOLDING_A_SEAT = ("offered", *CURRENT)
APPLICANT_PROFILE = ("university", "major", "grade", "hometown")


def gates_of(placement: Row) -> dict[str, bool]:
    """Which readiness gates a placement has passed (all four before it may start)."""
    documents = placement["documents"] or {}
    return {
        "insurance": placement["insurance"] is not None,
        "training": placement["training"] is not None,
        "practice_notice": "practice_notice" in documents,
        "confidentiality_commitment": "confidentiality_commitment" in documents,
    }


def placement_view(row: Row) -> Row:
    view = dict(row)
    view["gates"] = gates_of(row)
    view["evaluation"] = (
        None
        if row["evaluation_score"] is None
        else {"score": row["evaluation_score"], "comment": row["evaluation_comment"]}
    )
    view["feedback"] = (
        None
        if row["feedback_rating"] is None
        else {"rating": row["feedback_rating"], "suggestions": row["feedback_suggestions"]}
    )
    return view


PLACEMENT_QUERY = (
    sa.select(
        placements,
        positions.c.title.label("position_title"),
        host_units.c.name.label("host_unit_name"),
    )
    .outerjoin(positions, positions.c.position_id == placements.c.position_id)
    .outerjoin(host_units, host_units.c.host_unit_id == placements.c.host_unit_id)
)

# Positions with their host unit's name and the seats held (by offered, agreed, started or
# completed placements, as placement counts them).
_HELD = (
    sa.select(placements.c.position_id, sa.func.count().label("seats_held"))
    .where(placements.c.status.in_(HOLDING_A_SEAT))
    .group_by(placements.c.position_id)
    .subquery()
)
POSITION_QUERY = (
    sa.select(
        positions,
        host_units.c.name.label("host_unit_name"),
        sa.func.coalesce(_HELD.c.seats_held, 0).label("seats_held"),
    )
    .outerjoin(host_units, host_units.c.host_unit_id == positions.c.host_unit_id)
    .outerjoin(_HELD, _HELD.c.position_id == positions.c.position_id)
)


class PlacementReads(ReadModelQueries):
    """Reads host units, positions, rankings, rounds and placements; never writes."""

    def _one(self, query: sa.Select[Any]) -> Row | None:
        with self._reading() as connection:
            found = connection.execute(query).first()
        return None if found is None else dict(found._mapping)

    def _all(self, query: sa.Select[Any]) -> list[Row]:
        with self._reading() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    def host_unit(self, host_unit_id: str) -> Row | None:
        return self._one(sa.select(host_units).where(host_units.c.host_unit_id == host_unit_id))

    def position(self, position_id: str) -> Row | None:
        return self._one(sa.select(positions).where(positions.c.position_id == position_id))

    def campaign_positions(self, campaign_id: str, status: str) -> list[Row]:
        """The campaign's positions in one status (see ``POSITION_QUERY``)."""
        query = POSITION_QUERY.where(
            positions.c.campaign_id == campaign_id, positions.c.status == status
        ).order_by(positions.c.posted_at, positions.c.position_id)
        return self._all(query)

    def selection_window(self, campaign_id: str) -> Row | None:
        return self._one(
            sa.select(selection_windows).where(selection_windows.c.campaign_id == campaign_id)
        )

    def applicants(self, position: Row) -> list[Row]:
        """Students who ranked ``position``, with the host unit's verdict on each.

        Only study facts come with them (university, major, grade, hometown), no personal data.
        """
        query = (
            sa.select(applicants, *(students.c[name] for name in APPLICANT_PROFILE))
            .outerjoin(students, students.c.student_id == applicants.c.student_id)
            .where(applicants.c.position_id == position["position_id"])
        )
        order = {sid: rank for rank, sid in enumerate(position["applicant_ranking"], start=1)}
        refused = set(position["unacceptable"])
        found = [
            row
            | {
                "host_rank": order.get(row["student_id"]),
                "acceptable": row["student_id"] not in refused,
            }
            for row in self._all(query)
        ]
        return sorted(
            found,
            key=lambda row: (row["host_rank"] or len(order) + 1, row["choice"], row["student_id"]),
        )

    def ranking(self, campaign_id: str, student_id: str) -> Row | None:
        return self._one(
            sa.select(rankings).where(
                rankings.c.campaign_id == campaign_id, rankings.c.student_id == student_id
            )
        )

    def matching_round(self, round_id: str) -> Row | None:
        return self._one(sa.select(matching_rounds).where(matching_rounds.c.round_id == round_id))

    def placement(self, placement_id: str) -> Row | None:
        found = self._one(PLACEMENT_QUERY.where(placements.c.placement_id == placement_id))
        return None if found is None else placement_view(found)

    def student_placements(self, student_id: str) -> list[Row]:
        """Every placement of a student, newest first."""
        query = PLACEMENT_QUERY.where(placements.c.student_id == student_id).order_by(
            placements.c.updated_at.desc(), placements.c.placement_id
        )
        return [placement_view(row) for row in self._all(query)]

    def host_unit_placements(self, host_unit_id: str) -> list[Row]:
        """Every placement (offers included) at a host unit's positions, newest first."""
        query = PLACEMENT_QUERY.where(placements.c.host_unit_id == host_unit_id).order_by(
            placements.c.updated_at.desc(), placements.c.placement_id
        )
        return [placement_view(row) for row in self._all(query)]

    def published_documents(self) -> list[Row]:
        """Every published version, by kind and version."""
        order = (documents.c.document_kind, documents.c.version)
        return self._all(sa.select(documents).order_by(*order))

    def report(self, campaign_id: str) -> Row:
        with self._reading() as connection:
            return placements_report(connection, campaign_id)


def student_placement_summary(found: list[Row]) -> Row:
    """The profile's view: the current placement, every offer made, and the current gates."""
    current = next((row for row in found if row["status"] in CURRENT), None)
    return {
        "placement": current,
        "offers": [row for row in found if row["offered_at"] is not None],
        "gates": None if current is None else current["gates"],
    }
