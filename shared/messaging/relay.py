"""The outbox relay: publishes committed events with publisher confirms, in batches.

Each event goes out signed with the service's key (``shared.events.producer_keys``): the log and
every consumer refuse an event without a valid signature of its producer. It also carries the
broker user the relay is connected as in its ``user_id``, which RabbitMQ validates (a message
naming another user is refused), so that the log can tell which login published it. An event's
outbox mark is deleted only after the broker confirmed it, so the outbox holds only what is
pending. If the broker is down, the marks stay and the relay retries with exponential back-off;
if it dies between publishing and deleting, the events go out again and consumers absorb them by
``event_id``.

While the broker confirms one batch, the relay reads and frames the next, so its own work
overlaps the broker's; a batch goes out only after the one before it was confirmed, so events
leave in order even when a batch fails.

(Longer than most modules on purpose: the loop, one pass and its marks share the channel and
the pipelining state; split apart they would need that state passed around.)
"""

from __future__ import annotations

import json
import threading
from collections import namedtuple
from dataclasses import dataclass
from typing import Any

import amqp
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from shared.backoff import Backoff
from shared.events.producer_keys import ProducerSigner
from shared.eventstore.database import autocommitted
from shared.eventstore.driver_sql import DriverStatement
from shared.eventstore.store import row_to_envelope
from shared.eventstore.tables import events, outbox
from shared.logging import get_logger
from shared.messaging.publisher_confirms import (
    ConfirmingChannel,
    FramedBatch,
    PublishFailedError,
)
from shared.messaging.topology import (
    amqp_parameters,
    declare_publishing_topology,
    event_exchange,
)

log = get_logger(__name__)


RETRY_BACKOFF = Backoff(first=0.1, longest=30.0)


@dataclass
class RelaySettings:
    """How the relay batches, waits for confirms, polls and backs off."""

    batch_size: int = 200
    confirm_timeout: float = 10.0
    backoff: Backoff = RETRY_BACKOFF
    idle_poll: float = 1.0
    # After a commit wakes the relay, it waits this long so that commits arriving together
    # share one query, one publish round and one confirm wait.
    linger: float = 0.005


class OutboxRelay:
    """Moves one service's outbox to its ``<service>.events`` exchange."""

    def __init__(
        self,
        engine: Engine,
        amqp_uri: str,
        service: str,
        settings: RelaySettings | None = None,
        *,
        signer: ProducerSigner,
    ) -> None:
        self._engine = engine
        self._signer = signer
        self._amqp_uri = amqp_uri
        self._service = service
        self._exchange = event_exchange(service)
        self._user_id = str(amqp_parameters(amqp_uri)["username"])
        self.settings = settings or RelaySettings()
        self._channel: ConfirmingChannel | None = None
        self._wake = threading.Event()
        self._stopping = threading.Event()

    # -- the loop ------------------------------------------------------------------------
    def notify(self) -> None:
        """Called after a commit: publish now instead of waiting for the next poll."""
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    def run(self) -> None:
        """Publish until stopped; back off while the broker or the database is unavailable."""
        pauses = self.settings.backoff.pauses()
        backoff = next(pauses)
        while not self._stopping.is_set():
            if self._wake.is_set():
                self._stopping.wait(self.settings.linger)
            self._wake.clear()
            try:
                self.publish_pending()
            except (OSError, amqp.exceptions.AMQPError, PublishFailedError) as error:
                self._log_retry("relay.broker_unavailable", error, backoff)
            except sa.exc.SQLAlchemyError as error:
                # Marks stay; confirmed events whose marks could not be deleted go out again.
                self._log_retry("relay.database_unavailable", error, backoff)
            else:
                pauses = self.settings.backoff.pauses()
                backoff = next(pauses)
                self._wake.wait(self.settings.idle_poll)
                continue
            self._stopping.wait(backoff)
            backoff = next(pauses)
        self._disconnect()

    def _log_retry(self, event: str, error: Exception, backoff: float) -> None:
        log.warning(
            event,
            service=self._service,
            error_type=type(error).__name__,
            # SQLAlchemy's messages carry the statement on later lines, never its parameters
            # (the engines hide them), but the first line is what an operator needs.
            error=(str(error).splitlines() or [""])[0][:200],
            retry_in_seconds=round(backoff, 2),
        )

    # -- one pass --------------------------------------------------------------------------
    def pending_count(self) -> int:
        with self._engine.connect() as connection:
            return int(
                connection.execute(sa.select(sa.func.count()).select_from(outbox)).scalar_one()
            )

    def publish_pending(self) -> int:
        """Publish every pending event, batch by batch; returns how many were confirmed."""
        try:
            return self._publish_pending()
        except BaseException:
            self._disconnect()
            raise

    def _publish_pending(self) -> int:
        total = 0
        rows = self._next_batch(in_flight=[])
        batch = self._frame(rows)
        while batch is not None and not self._stopping.is_set():
            channel = self._ensure_channel()
            channel.send(batch)
            following_rows: list[Any] = []
            following = None
            if len(rows) == self.settings.batch_size:
                following_rows = self._next_batch([row.seq for row in rows])
                following = self._frame(following_rows)
            confirmed = channel.await_confirms(batch, self.settings.confirm_timeout)
            self._forget_published([row.seq for row in rows[:confirmed]])
            total += confirmed
            if confirmed < len(rows):
                raise PublishFailedError(f"broker confirmed {confirmed} of {len(rows)} events")
            log.debug("relay.published", service=self._service, count=confirmed)
            rows, batch = following_rows, following
        if batch is not None:  # stopping: this batch was framed but never sent
            self._ensure_channel().forget(batch)
        return total

    def _next_batch(self, in_flight: list[int]) -> list[Any]:
        """The oldest pending rows, leaving out those sent and awaiting confirms."""
        limit = self.settings.batch_size
        with autocommitted(self._engine) as connection:  # pending rows: one round trip
            if not in_flight:  # every pass but those behind a full batch
                cursor = _PENDING.run(connection, {"limit": limit})
                return [_PendingRow._make(values) for values in cursor.fetchall()]
            query = _pending_query().limit(limit).where(outbox.c.seq.not_in(in_flight))
            return list(connection.execute(query))

    def _frame(self, rows: list[Any]) -> FramedBatch | None:
        if not rows:
            return None
        return self._ensure_channel().frame(
            [
                (
                    amqp.Message(
                        body=self._signed_body(row),
                        content_type="application/json",
                        content_encoding="utf-8",
                        delivery_mode=2,
                        message_id=row.event_id,
                        user_id=self._user_id,
                        type=row.event_type,
                        application_headers={"nameko.correlation_id": row.correlation_id},
                    ),
                    self._exchange,
                    row.event_type,
                )
                for row in rows
            ]
        )

    def _signed_body(self, row: Any) -> bytes:
        envelope = self._signer.sign(row_to_envelope(row))
        return json.dumps(envelope.to_dict(), ensure_ascii=False).encode()

    def _forget_published(self, seqs: list[int]) -> None:
        """Delete the outbox marks of events the broker confirmed."""
        if not seqs:
            return
        parameters: dict[str, object] = {f"seq_{index}": seq for index, seq in enumerate(seqs)}
        with autocommitted(self._engine) as connection:  # one statement: one round trip
            _forget_statement(len(seqs)).run(connection, parameters)
            connection.commit()

    # -- the broker ----------------------------------------------------------------------
    def _ensure_channel(self) -> ConfirmingChannel:
        if self._channel is None:
            self._channel = ConfirmingChannel(
                self._amqp_uri, lambda channel: declare_publishing_topology(channel, self._service)
            )
            log.info("relay.connected", service=self._service)
        return self._channel

    def _disconnect(self) -> None:
        channel, self._channel = self._channel, None
        if channel is not None:
            channel.close()


def _pending_query() -> sa.Select[Any]:
    return sa.select(events).join(outbox, outbox.c.seq == events.c.seq).order_by(outbox.c.seq)


# The pending rows of a pass, on the driver's cursor like the mark below; every column is
# text or an integer, which the drivers give as they are, read by name as SQLAlchemy's rows.
_PENDING = DriverStatement(_pending_query().limit(sa.bindparam("limit", type_=sa.Integer)))
_PendingRow = namedtuple("_PendingRow", [column.name for column in events.c])  # type: ignore[misc]


# The deletion of a confirmed batch's marks, one statement per batch length met (at most the
# batch size), on the driver's cursor (``shared.eventstore.driver_sql`` says why): through
# SQLAlchemy's execute, with its expanding IN, the marking that came before it (its transaction
# with it) was a third of the relay's CPU in a sampled bench/registrations.py run.
_FORGETS: dict[int, DriverStatement] = {}


def _forget_statement(count: int) -> DriverStatement:
    statement = _FORGETS.get(count)
    if statement is None:
        statement = _FORGETS[count] = DriverStatement(
            outbox.delete().where(
                outbox.c.seq.in_([sa.bindparam(f"seq_{index}") for index in range(count)])
            )
        )
    return statement
