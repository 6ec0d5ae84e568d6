"""Volunteering's cursor-paged lists (``gateway.core.paging``): activities and hours.

Hours are keyed by when they were logged, which never changes. Activities are listed soonest
first by default, on their start; a rescheduled activity moves in that order, so a client
that must see every activity exactly once while others are rescheduled pages by
``scheduled_at`` (fixed once the activity exists) instead.

These queries return whole records (an activity's coordinator included); which caller sees
which rows and columns is the endpoints' business, passed in here as filters.
"""

from __future__ import annotations

import sqlalchemy as sa

from gateway.core.paging import Row, SortKey, fetch_page, sort_options
from gateway.core.section import ReadModelQueries
from gateway.volunteering.queries import ACTIVITY_QUERY, activity_view, hours_view
from gateway.volunteering.tables import activities, hours

Page = tuple[list[Row], str | None]

ACTIVITY_SORTS = sort_options(
    SortKey("starts_at", (activities.c.starts_at, activities.c.activity_id)),
    SortKey("-starts_at", (activities.c.starts_at, activities.c.activity_id), descending=True),
    SortKey("scheduled_at", (activities.c.scheduled_at, activities.c.activity_id)),
    SortKey(
        "-scheduled_at", (activities.c.scheduled_at, activities.c.activity_id), descending=True
    ),
)
HOURS_SORTS = sort_options(
    SortKey("logged_at", (hours.c.logged_at, hours.c.hours_id)),
    SortKey("-logged_at", (hours.c.logged_at, hours.c.hours_id), descending=True),
)
_HOURS_QUERY = sa.select(hours, activities.c.title).outerjoin(
    activities, activities.c.activity_id == hours.c.activity_id
)


class VolunteeringLists(ReadModelQueries):
    """Pages of activities and of hours; never writes."""

    def activities_page(
        self, *, limit: int, sort: str, cursor: str | None = None, **equal: str
    ) -> tuple[list[Row], str | None, int]:
        """Activities with every filter given, and how many match in all."""
        conditions = [activities.c[name] == value for name, value in equal.items()]
        counted = sa.select(sa.func.count()).select_from(activities).where(*conditions)
        with self._reading() as connection:
            rows, next_cursor = fetch_page(
                connection, ACTIVITY_QUERY.where(*conditions), ACTIVITY_SORTS[sort], limit, cursor
            )
            total = connection.execute(counted).scalar_one()
        return [activity_view(row) for row in rows], next_cursor, int(total)

    def hours_page(
        self,
        *,
        limit: int,
        sort: str,
        cursor: str | None = None,
        host_unit_id: str | None = None,
        **equal: str,
    ) -> Page:
        """Hours with every filter given; ``host_unit_id``: those at its activities."""
        conditions = [hours.c[name] == value for name, value in equal.items()]
        if host_unit_id is not None:
            conditions.append(activities.c.host_unit_id == host_unit_id)
        query = _HOURS_QUERY.where(*conditions)
        with self._reading() as connection:
            rows, next_cursor = fetch_page(connection, query, HOURS_SORTS[sort], limit, cursor)
        return [hours_view(row) for row in rows], next_cursor
