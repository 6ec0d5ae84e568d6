"""Applies logged events to the read models, batch by batch, checkpoint in the same commit.

Every handler overwrites rather than accumulates (a registration replaces the row, a
screening sets the decision), so applying a suffix of the log again, from an older
checkpoint, ends in the same state. Unknown event types and payloads that fail their
contract are skipped and the checkpoint still moves past them: one odd event must not stall
every reader of the gateway.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gateway.readmodels.handler import Handler, Values, replace_row
from gateway.readmodels.placement_handlers import PLACEMENT_HANDLERS
from gateway.readmodels.tables import PROJECTION, campaigns, checkpoint, students
from shared.contracts import CONTRACTS
from shared.contracts.registry import InvalidPayloadError, UnknownEventTypeError
from shared.eventlog.reader import LoggedEvent
from shared.events.canonical import format_timestamp
from shared.events.envelope import Envelope
from shared.logging import get_logger

log = get_logger(__name__)


def _campaign_created(connection: Connection, values: Values, at: str) -> None:
    row = dict(values)
    for name in ("registration_opens_at", "registration_closes_at"):
        row[name] = format_timestamp(values[name])
    replace_row(
        connection,
        campaigns,
        "campaign_id",
        row | {"status": "draft", "created_at": at, "updated_at": at},
    )


def _campaign_status(status: str) -> Handler:
    def apply(connection: Connection, values: Values, at: str) -> None:
        connection.execute(
            campaigns.update()
            .where(campaigns.c.campaign_id == values["campaign_id"])
            .values(status=status, updated_at=at)
        )

    return apply


def _student_registered(connection: Connection, values: Values, at: str) -> None:
    row = dict(values) | {
        "status": "registered",
        "screening_decision": None,
        "screening_reason": None,
        "screened_at": None,
        "withdrawal_reason": None,
        "in_alliance": False,
        "registered_at": at,
        "updated_at": at,
    }
    replace_row(connection, students, "student_id", row)


def _student_update(change: Callable[[Values, str], Values]) -> Handler:
    def apply(connection: Connection, values: Values, at: str) -> None:
        connection.execute(
            students.update()
            .where(students.c.student_id == values["student_id"])
            .values(**change(values, at), updated_at=at)
        )

    return apply


HANDLERS: dict[str, Handler] = {
    "CampaignCreated": _campaign_created,
    "CampaignOpened": _campaign_status("open"),
    "CampaignClosed": _campaign_status("closed"),
    "StudentRegistered": _student_registered,
    "StudentScreened": _student_update(
        lambda v, at: {
            "status": v["decision"],
            "screening_decision": v["decision"],
            "screening_reason": v["reason"],
            "screened_at": at,
        }
    ),
    "StudentWithdrew": _student_update(
        lambda v, _at: {"status": "withdrawn", "withdrawal_reason": v["reason"]}
    ),
    "AllianceJoined": _student_update(lambda _v, _at: {"in_alliance": True}),
    "AllianceLeft": _student_update(lambda _v, _at: {"in_alliance": False}),
    **PLACEMENT_HANDLERS,
}


class Projector:
    """Keeps the read models of one database up to date with the event log."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def position(self) -> int:
        """The checkpoint: the last log position whose effects are in the tables."""
        with self._engine.connect() as connection:
            return _checkpoint(connection)

    def apply(self, batch: Sequence[LoggedEvent]) -> int:
        """Apply the events after the checkpoint, in one transaction; returns the new one."""
        with self._engine.begin() as connection:
            current = _checkpoint(connection, lock=True)
            for logged in sorted(batch, key=lambda entry: entry.position):
                if logged.position <= current:
                    continue
                _apply_one(connection, logged)
                current = logged.position
            connection.execute(
                checkpoint.update()
                .where(checkpoint.c.projection == PROJECTION)
                .values(position=current)
            )
        return current

    def rewind(self, position: int) -> None:
        """Move the checkpoint back (say, to re-apply a stretch of the log); rows stay."""
        with self._engine.begin() as connection:
            connection.execute(
                checkpoint.update()
                .where(checkpoint.c.projection == PROJECTION)
                .values(position=position)
            )


def _checkpoint(connection: Connection, *, lock: bool = False) -> int:
    query = sa.select(checkpoint.c.position).where(checkpoint.c.projection == PROJECTION)
    if lock:
        query = query.with_for_update()
    return int(connection.execute(query).scalar_one())


def _apply_one(connection: Connection, logged: LoggedEvent) -> None:
    envelope: Envelope = logged.envelope
    handler = HANDLERS.get(envelope.event_type)
    if handler is None:
        log.debug(
            "readmodel.event_skipped",
            event_type=envelope.event_type,
            position=logged.position,
            reason="unknown_type",
        )
        return
    try:
        values = CONTRACTS.load(envelope)
    except (UnknownEventTypeError, InvalidPayloadError):
        log.warning(
            "readmodel.event_skipped",
            event_type=envelope.event_type,
            position=logged.position,
            reason="invalid_payload",
        )
        return
    handler(connection, values, format_timestamp(envelope.occurred_at))
