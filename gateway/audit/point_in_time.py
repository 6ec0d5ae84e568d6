"""Point-in-time replay: the read models, and every campaign report, as they stood at one
position or one moment of the event log.

``gravity audit replay --until POSITION|TIMESTAMP --out DIR`` rebuilds the read models from
log entries 1..P into a new SQLite file in DIR (the live store is only ever read by the
gateway, never by this), then answers each campaign report from it through the very endpoint
the gateway runs for that report (the read routes tagged ``reports`` with a ``campaign_id``),
so that a section's report, the honours' one included, is what the API would have answered
when the log held P entries. A timestamp stands for the longest prefix of the log recorded at
or before it: the log is in commit order, so an entry recorded later was not there yet.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gateway.core.call import ApiCall, Reply
from gateway.core.errors import ApiError
from gateway.core.projection import projection_of
from gateway.core.projector import Projector
from gateway.core.replay import fresh_store, rebuild
from gateway.core.route import Route
from gateway.core.section import ReadModelQueries, Section
from gateway.core.tokens import Principal
from gateway.recruitment.tables import campaigns
from shared.config import Settings
from shared.eventlog.reader import EventLogReader
from shared.eventlog.source import open_log
from shared.eventlog.tables import event_log
from shared.events.canonical import format_timestamp, parse_timestamp

DATABASE = "read_models.db"
REPORTS = "reports.json"
REPORTS_TAG = "reports"
AUDITOR = Principal("point-in-time-replay", "auditor")
Q = TypeVar("Q", bound=ReadModelQueries)
ReportAction = Callable[[Any, ApiCall], Reply]


class PointInTimeError(ValueError):
    """The replay cannot run as asked; the message says why and what to give instead."""


@dataclass(frozen=True)
class PointInTime:
    """The read models as of ``position`` (recorded at ``recorded_at``), in ``database``."""

    position: int
    recorded_at: str | None
    database: Path
    events: int
    campaigns: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return {
            "until": {"position": self.position, "recorded_at": self.recorded_at},
            "database": str(self.database),
            "events_replayed": self.events,
            "campaigns": self.campaigns,
        }


def parse_until(text: str) -> int | datetime:
    """A position (decimal digits) or an ISO 8601 timestamp with a time zone."""
    if text.isascii() and text.isdigit():
        return int(text)
    try:
        return parse_timestamp(text)
    except (ValueError, OverflowError):
        raise PointInTimeError(
            f"{text!r} is neither a log position (0, 1, 2, ...) nor an ISO 8601 timestamp "
            "with a time zone (2023-07-01T08:00:00Z, 2023-07-01T16:00:00+08:00)"
        ) from None


def replay_until(
    settings: Settings,
    sections: Sequence[Section],
    until: int | datetime,
    out_dir: Path,
    *,
    progress: bool = True,
) -> PointInTime:
    """Rebuild the read models as of ``until`` into ``out_dir``/read_models.db (which must
    not exist yet) and answer every campaign report from them."""
    database = out_dir / DATABASE
    if database.exists():
        raise PointInTimeError(f"{database} exists already: give --out a new or empty folder")
    log_engine = open_log(settings)
    try:
        reader = EventLogReader(log_engine)
        position, recorded_at = _resolve(log_engine, reader.head(), until)
        _create_private(database)
        tables = [table for section in sections for table in section.tables]
        with fresh_store(f"sqlite:///{database}", tables) as store:
            projector = Projector(store, projection_of(sections))
            events = rebuild(reader, projector, position, progress)
            reports = campaign_reports(store, sections)
    finally:
        log_engine.dispose()
    return PointInTime(position, recorded_at, database, events, reports)


def campaign_reports(store: Engine, sections: Sequence[Section]) -> list[dict[str, Any]]:
    """Every campaign in ``store`` with each report the gateway offers for a campaign, as the
    gateway's own endpoint answers it from ``store`` (a refusal as its error body)."""
    holder = _ReportEndpoint(_StoreReads(store))
    actions = list(report_actions(sections))
    query = sa.select(
        campaigns.c.campaign_id, campaigns.c.name, campaigns.c.year, campaigns.c.season
    ).order_by(campaigns.c.year, campaigns.c.created_at, campaigns.c.campaign_id)
    with store.connect() as connection:
        found = [dict(row._mapping) for row in connection.execute(query)]
    for campaign in found:
        answers: dict[str, Any] = {}
        for route, action in actions:
            call = ApiCall(
                route, AUDITOR, {"campaign_id": campaign["campaign_id"]}, {}, None, "", 0
            )
            try:
                answers[route.name] = action(holder, call).body
            except ApiError as refused:
                answers[route.name] = refused.body()
        campaign["reports"] = answers
    return found


def report_actions(sections: Sequence[Section]) -> Iterator[tuple[Route, ReportAction]]:
    """The campaign reports' routes and the endpoint methods the gateway answers them with
    (``@api`` keeps the method as ``__wrapped__`` and its route on the nameko entrypoint)."""
    for section in sections:
        for name in sorted(dir(section.endpoints)):
            method = getattr(section.endpoints, name)
            for entrypoint in getattr(method, "nameko_entrypoints", ()):
                route = getattr(entrypoint, "route", None)
                if (
                    isinstance(route, Route)
                    and route.tag == REPORTS_TAG
                    and route.path_parameters == ("campaign_id",)
                ):
                    yield route, method.__wrapped__


class _StoreReads:
    """What a report endpoint uses of the gateway app (``app.read``), on the replayed store."""

    def __init__(self, store: Engine) -> None:
        self._store = store

    def read(self, kind: type[Q]) -> Q:
        return kind(self._store)


@dataclass(frozen=True)
class _ReportEndpoint:
    """What a report endpoint method sees as ``self``."""

    app: _StoreReads


def _resolve(log_engine: Engine, head: int, until: int | datetime) -> tuple[int, str | None]:
    """The position ``until`` names in this log, and when that entry was recorded."""
    with log_engine.connect() as connection:
        if isinstance(until, int):
            if until > head:
                raise PointInTimeError(
                    f"--until {until} is past the end of the log, which holds {head} entries"
                )
            position = until
        else:
            later = connection.execute(
                sa.select(sa.func.min(event_log.c.position)).where(
                    event_log.c.recorded_at > format_timestamp(until)
                )
            ).scalar()
            position = head if later is None else int(later) - 1
        recorded_at = connection.execute(
            sa.select(event_log.c.recorded_at).where(event_log.c.position == position)
        ).scalar()
    return position, recorded_at


def _create_private(database: Path) -> None:
    """The new SQLite file, readable by its owner only: read models hold personal data
    (SQLite gives its -wal and -shm files the same mode)."""
    database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
