"""What the dashboard answers from: each section's share (``gateway.core.dashboard``), read
on one connection to the read models, put together. Counts only: the ids a share passes for
the history are counted here and never answered."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gateway.core.dashboard import Dashboard, Measure, Share
from gateway.core.section import ReadModelQueries
from gateway.core.tables import PROJECTION, checkpoint
from gateway.dashboard.schemas import MEASURES, STAGES
from gateway.recruitment.tables import campaigns

Row = dict[str, Any]
Shares = tuple[tuple[str, Dashboard], ...]
"""The sections' dashboards, each with its section's name (its block's name)."""
SUMMARY = ("campaign_id", "name", "year", "season", "status")


class DashboardReads(ReadModelQueries):
    """Reads every section's share; never writes."""

    @contextmanager
    def _snapshot(self) -> Iterator[Connection]:
        """One connection whose reads all see one committed state, so that every figure is as
        of ``as_of_position``: REPEATABLE READ on PostgreSQL (its default reads each statement
        afresh); the gateway's SQLite connection reads in one transaction already."""
        with self._engine.connect() as connection:  # a transaction: its snapshot is the point
            if connection.dialect.name == "postgresql":
                connection.execution_options(isolation_level="REPEATABLE READ")
            yield connection

    def campaign(self, shares: Shares, campaign_id: str) -> Row | None:
        """The campaign's dashboard, or None for an unknown campaign."""
        with self._snapshot() as connection:
            found = connection.execute(
                sa.select(*(campaigns.c[name] for name in SUMMARY)).where(
                    campaigns.c.campaign_id == campaign_id
                )
            ).first()
            if found is None:
                return None
            read = [(name, dashboard.read(connection, campaign_id)) for name, dashboard in shares]
            position = _position(connection)
        stages: Row = dict.fromkeys(STAGES, 0)
        for _, share in read:
            stages |= share.stages
        blocks = {name: share.figures for name, share in read if share.figures is not None}
        return {"campaign": dict(found._mapping), "stages": stages, **blocks} | {
            "as_of_position": position
        }

    def history(self, shares: Shares) -> Row:
        """Per year (the campaigns' own ``year``), oldest first, and over all the years."""
        with self._snapshot() as connection:
            seasons = connection.execute(
                sa.select(campaigns.c.campaign_id, campaigns.c.year).order_by(
                    campaigns.c.year, campaigns.c.campaign_id
                )
            ).all()
            by_year: dict[int, list[Mapping[str, Measure]]] = defaultdict(list)
            for campaign_id, year in seasons:
                read = [dashboard.read(connection, campaign_id) for _, dashboard in shares]
                by_year[year].append(_merged(read) | {"campaigns": 1})
            position = _position(connection)
        years = {year: _summed(measures) for year, measures in by_year.items()}
        return {
            "years": [{"year": year} | _counted(years[year]) for year in sorted(years)],
            "totals": _counted(_summed(years.values())),
            "as_of_position": position,
        }


def _merged(shares: Iterable[Share]) -> dict[str, Measure]:
    """One campaign's measures from every section: the same name adds up (numbers) or joins
    (sets: a student placed and volunteering is one volunteer)."""
    return _summed(share.history for share in shares)


def _summed(measures: Iterable[Mapping[str, Measure]]) -> dict[str, Measure]:
    total: dict[str, Measure] = {}
    for each in measures:
        for name, value in each.items():
            before = total.get(name)
            if before is None:
                total[name] = value
            elif isinstance(before, frozenset) and isinstance(value, frozenset):
                total[name] = before | value
            elif isinstance(before, int | float) and isinstance(value, int | float):
                total[name] = before + value
            else:
                raise TypeError(f"{name}: a count and a set of ids cannot be added")
    return total


def _counted(measures: Mapping[str, Measure]) -> Row:
    """The answer: every measure of the history, sets of ids as their size, hours rounded."""
    counted: Row = {}
    for name in MEASURES:
        value = measures.get(name, 0)
        counted[name] = len(value) if isinstance(value, frozenset) else round(value, 2)
    return counted


def _position(connection: Connection) -> int:
    return int(
        connection.execute(
            sa.select(checkpoint.c.position).where(checkpoint.c.projection == PROJECTION)
        ).scalar_one_or_none()
        or 0
    )
