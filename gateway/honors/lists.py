"""Honours' cursor-paged lists (``gateway.core.paging``): awards and appointments, keyed by
their nomination and their letter's issue, neither of which changes once recorded.

These queries return whole records (holders' names included); which caller sees which rows
(a student their own, a host unit the awards of students placed with it) and columns is the
endpoints' business, passed in here as filters.
"""

from __future__ import annotations

import sqlalchemy as sa

from gateway.core.paging import Row, SortKey, fetch_page, sort_options
from gateway.core.section import ReadModelQueries
from gateway.honors.tables import appointments, awards
from gateway.placement.tables import placements

Page = tuple[list[Row], str | None]

AWARD_SORTS = sort_options(
    SortKey("nominated_at", (awards.c.nominated_at, awards.c.award_id)),
    SortKey("-nominated_at", (awards.c.nominated_at, awards.c.award_id), descending=True),
)
APPOINTMENT_SORTS = sort_options(
    SortKey("issued_at", (appointments.c.issued_at, appointments.c.appointment_id)),
    SortKey(
        "-issued_at", (appointments.c.issued_at, appointments.c.appointment_id), descending=True
    ),
)


class HonorsLists(ReadModelQueries):
    """Pages of awards and of appointments; never writes."""

    def awards_page(
        self,
        *,
        limit: int,
        sort: str,
        cursor: str | None = None,
        host_unit_id: str | None = None,
        **equal: str,
    ) -> Page:
        """Awards with every filter given; ``host_unit_id``: those of students placed there."""
        conditions = [awards.c[name] == value for name, value in equal.items()]
        if host_unit_id is not None:
            placed = sa.select(placements.c.student_id).where(
                placements.c.host_unit_id == host_unit_id
            )
            conditions.append(awards.c.student_id.in_(placed))
        query = sa.select(awards).where(*conditions)
        with self._reading() as connection:
            return fetch_page(connection, query, AWARD_SORTS[sort], limit, cursor)

    def appointments_page(
        self, *, limit: int, sort: str, cursor: str | None = None, **equal: str
    ) -> Page:
        """Appointments with every filter given."""
        conditions = [appointments.c[name] == value for name, value in equal.items()]
        query = sa.select(appointments).where(*conditions)
        with self._reading() as connection:
            return fetch_page(connection, query, APPOINTMENT_SORTS[sort], limit, cursor)
