"""What one service adds to the gateway: a folder ``gateway/<service>/`` exporting a SECTION.

Adding a service to the gateway is that folder and one line in ``gateway.sections``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gateway.core.auth import SessionCheck
from gateway.core.dashboard import Dashboard
from gateway.core.projection import ProjectionHandler
from gateway.core.route import Route
from gateway.core.tables import personal_columns
from shared.eventstore.database import autocommitted


@dataclass(frozen=True)
class Section:
    """One service's part of the gateway.

    ``endpoints`` is the class holding the section's read endpoints (its command routes need
    none); ``projection`` maps event types to the handlers that keep ``tables`` (whose
    personal columns are marked ``info=PERSONAL``); ``reads`` are the query classes its
    endpoints read through (each built on the gateway's database engine); ``log_reads`` are
    query classes built on the event log's engine instead (a reader: it never writes);
    ``sessions`` builds, on the gateway's engine, the check of a signed-in token's session
    (one section at most: accounts); ``dashboard`` reads the section's share of a campaign's
    dashboard and of the programme history (``gateway.core.dashboard``).
    """

    name: str
    routes: tuple[Route, ...]
    endpoints: type
    projection: Mapping[str, ProjectionHandler]
    tables: tuple[sa.Table, ...]
    reads: tuple[type[ReadModelQueries], ...] = ()
    log_reads: tuple[type[ReadModelQueries], ...] = ()
    sessions: Callable[[Engine], SessionCheck] | None = None
    dashboard: Dashboard | None = None

    @property
    def personal_columns(self) -> frozenset[str]:
        return personal_columns(self.tables)


class ReadModelQueries:
    """Base of a section's queries: they read the gateway's read models, never write."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _reading(self) -> AbstractContextManager[Connection]:
        """A connection for a read: one round trip a statement on PostgreSQL (autocommit;
        under READ COMMITTED each statement has its own snapshot anyway). Reads that must see
        one snapshot together open a transaction of their own (the dashboard's)."""
        return autocommitted(self._engine)
