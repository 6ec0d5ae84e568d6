"""Placement's cursor-paged lists (``gateway.core.paging``): host units, a campaign's
positions, placements and matching rounds. Each sort key is fixed once its row exists: a host
unit's name, a position's posting, a placement's creation (its offer, or its direct
agreement), a round's proposal.

These queries return whole records; which caller sees which records (a host unit only its
own placements) and which columns (a unit's contact: operators only) is the endpoints'
business, passed in here as filters.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from gateway.core.paging import Row, SortKey, fetch_page, sort_options
from gateway.core.section import ReadModelQueries
from gateway.placement.queries import PLACEMENT_QUERY, POSITION_QUERY, placement_view
from gateway.placement.tables import host_units, matching_rounds, placements, positions

Page = tuple[list[Row], str | None]

HOST_UNIT_SORTS = sort_options(
    SortKey("name", (host_units.c.name, host_units.c.host_unit_id)),
    SortKey("registered_at", (host_units.c.registered_at, host_units.c.host_unit_id)),
    SortKey(
        "-registered_at", (host_units.c.registered_at, host_units.c.host_unit_id), descending=True
    ),
)
POSITION_SORTS = sort_options(
    SortKey("posted_at", (positions.c.posted_at, positions.c.position_id)),
    SortKey("-posted_at", (positions.c.posted_at, positions.c.position_id), descending=True),
)
# A placement begins as an offer (offered_at) or, placed directly, agreed (agreed_at); the
# one set first never changes afterwards.
_CREATED = sa.func.coalesce(placements.c.offered_at, placements.c.agreed_at)
PLACEMENT_SORTS = sort_options(
    SortKey("created_at", (_CREATED, placements.c.placement_id)),
    SortKey("-created_at", (_CREATED, placements.c.placement_id), descending=True),
)
ROUND_SORTS = sort_options(
    SortKey("proposed_at", (matching_rounds.c.proposed_at, matching_rounds.c.round_id)),
    SortKey(
        "-proposed_at",
        (matching_rounds.c.proposed_at, matching_rounds.c.round_id),
        descending=True,
    ),
)


def _equal(table: sa.Table, filters: dict[str, Any]) -> list[sa.ColumnElement[bool]]:
    return [table.c[name] == value for name, value in filters.items()]


class PlacementLists(ReadModelQueries):
    """Pages of host units, placements and matching rounds; never writes."""

    def host_units_page(
        self,
        *,
        limit: int,
        sort: str,
        cursor: str | None = None,
        q: str | None = None,
        **equal: str,
    ) -> Page:
        """Host units with every filter given (``q``: a part of the name, in any case)."""
        conditions = _equal(host_units, equal)
        if q is not None:
            conditions.append(sa.func.lower(host_units.c.name).contains(q.lower(), autoescape=True))
        query = sa.select(host_units).where(*conditions)
        with self._reading() as connection:
            return fetch_page(connection, query, HOST_UNIT_SORTS[sort], limit, cursor)

    def positions_page(
        self, campaign_id: str, *, limit: int, sort: str, cursor: str | None = None, **equal: str
    ) -> Page:
        """A campaign's positions with every filter given (a status, a host unit)."""
        query = POSITION_QUERY.where(
            positions.c.campaign_id == campaign_id, *_equal(positions, equal)
        )
        with self._reading() as connection:
            return fetch_page(connection, query, POSITION_SORTS[sort], limit, cursor)

    def placements_page(
        self, campaign_id: str, *, limit: int, sort: str, cursor: str | None = None, **equal: str
    ) -> Page:
        """A campaign's placements (offers included) with every filter given."""
        query = PLACEMENT_QUERY.where(
            placements.c.campaign_id == campaign_id, *_equal(placements, equal)
        )
        with self._reading() as connection:
            rows, next_cursor = fetch_page(connection, query, PLACEMENT_SORTS[sort], limit, cursor)
        return [placement_view(row) for row in rows], next_cursor

    def matching_rounds_page(
        self, campaign_id: str, *, limit: int, sort: str, cursor: str | None = None, **equal: str
    ) -> Page:
        """A campaign's matching rounds with every filter given."""
        query = sa.select(matching_rounds).where(
            matching_rounds.c.campaign_id == campaign_id, *_equal(matching_rounds, equal)
        )
        with self._reading() as connection:
            return fetch_page(connection, query, ROUND_SORTS[sort], limit, cursor)
