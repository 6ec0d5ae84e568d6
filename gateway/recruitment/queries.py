"""What the gateway answers GETs from. Eventually consistent: as of the checkpoint."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gateway.core.paging import SortKey, fetch_page, sort_options
from gateway.core.section import ReadModelQueries
from gateway.core.tables import PROJECTION, checkpoint
from gateway.recruitment.tables import campaigns, students

Row = dict[str, Any]
COUNT_NAMES = ("registered", "approved", "rejected", "withdrawn")
BREAKDOWNS = ("university", "hometown", "channel")
# Keys that never change once a student registered (a status does: it only filters).
STUDENT_SORTS = sort_options(
    SortKey("registered_at", (students.c.registered_at, students.c.student_id)),
    SortKey("-registered_at", (students.c.registered_at, students.c.student_id), descending=True),
    SortKey("university", (students.c.university, students.c.student_id)),
    SortKey("hometown", (students.c.hometown, students.c.student_id)),
)
STUDENT_FILTERS = ("campaign_id", "status", "university", "hometown", "channel")


class RecruitmentReads(ReadModelQueries):
    """Reads campaigns and students; never writes."""

    def position(self) -> int:
        with self._reading() as connection:
            return _position(connection)

    def list_campaigns(
        self,
        *,
        status: str | None = None,
        year: int | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[Row], int]:
        """A page of campaigns, newest year first, and how many match in all."""
        conditions: list[sa.ColumnElement[bool]] = []
        if status is not None:
            conditions.append(campaigns.c.status == status)
        if year is not None:
            conditions.append(campaigns.c.year == year)
        page = (
            sa.select(campaigns)
            .where(*conditions)
            .order_by(campaigns.c.year.desc(), campaigns.c.created_at, campaigns.c.campaign_id)
            .limit(limit)
            .offset(offset)
        )
        with self._reading() as connection:
            rows = [dict(row._mapping) for row in connection.execute(page)]
            total = connection.execute(
                sa.select(sa.func.count()).select_from(campaigns).where(*conditions)
            ).scalar_one()
        return rows, int(total)

    def get_campaign(self, campaign_id: str) -> Row | None:
        with self._reading() as connection:
            return _campaign(connection, campaign_id)

    def get_student(self, student_id: str) -> Row | None:
        """The whole record (personal data included) with a summary of its campaign."""
        with self._reading() as connection:
            found = connection.execute(
                sa.select(students).where(students.c.student_id == student_id)
            ).first()
            if found is None:
                return None
            student = dict(found._mapping)
            student["campaign"] = _campaign(connection, student["campaign_id"])
        return student

    def students_page(
        self,
        *,
        limit: int,
        sort: str,
        cursor: str | None = None,
        q: str | None = None,
        **equal: str,
    ) -> tuple[list[Row], str | None]:
        """A page of students matching every filter given (``q``: a part of the name, in any
        case), in the order ``sort`` names, and the next page's cursor."""
        conditions = [students.c[name] == equal[name] for name in STUDENT_FILTERS if name in equal]
        if q is not None:
            conditions.append(sa.func.lower(students.c.name).contains(q.lower(), autoescape=True))
        with self._reading() as connection:
            query = sa.select(students).where(*conditions)
            return fetch_page(connection, query, STUDENT_SORTS[sort], limit, cursor)

    def campaign_report(self, campaign_id: str) -> Row | None:
        """Counts overall (top-level keys) and by university, hometown and channel.

        ``registered`` counts every registration; ``approved``/``rejected`` the screening
        decisions taken; ``withdrawn`` the students who withdrew (whatever was decided before).
        """
        with self._reading() as connection:
            if _campaign(connection, campaign_id) is None:
                return None
            report: Row = {"campaign_id": campaign_id, "as_of_position": _position(connection)}
            return report | registration_counts(connection, campaign_id)


def registration_counts(connection: Connection, campaign_id: str) -> Row:
    """The campaign report's counts: overall (top-level keys) and ``by_<breakdown>``."""
    counts: Row = dict(_counts(connection, campaign_id, None).get(None, _zero()))
    for name in BREAKDOWNS:
        counts[f"by_{name}"] = _counts(connection, campaign_id, students.c[name])
    return counts


def _position(connection: Connection) -> int:
    return int(
        connection.execute(
            sa.select(checkpoint.c.position).where(checkpoint.c.projection == PROJECTION)
        ).scalar_one()
    )


def _campaign(connection: Connection, campaign_id: str) -> Row | None:
    found = connection.execute(
        sa.select(campaigns).where(campaigns.c.campaign_id == campaign_id)
    ).first()
    return None if found is None else dict(found._mapping)


def _zero() -> dict[str, int]:
    return dict.fromkeys(COUNT_NAMES, 0)


def _counts(
    connection: Connection, campaign_id: str, group: sa.Column[Any] | None
) -> dict[Any, dict[str, int]]:
    def tally(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[Any]:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    measures = [
        sa.func.count().label("registered"),
        tally(students.c.screening_decision == "approved").label("approved"),
        tally(students.c.screening_decision == "rejected").label("rejected"),
        tally(students.c.status == "withdrawn").label("withdrawn"),
    ]
    key = group if group is not None else sa.null()
    query = sa.select(key.label("key"), *measures).where(students.c.campaign_id == campaign_id)
    if group is not None:
        query = query.group_by(group).order_by(group)
    result: dict[Any, dict[str, int]] = {}
    for row in connection.execute(query):
        if group is None and row.registered == 0:
            continue
        result[row.key] = {name: int(getattr(row, name)) for name in COUNT_NAMES}
    return result
