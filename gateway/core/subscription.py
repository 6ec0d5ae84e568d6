"""The catch-up subscription: follows the event log from the read models' checkpoint.

It polls rather than listening to the broker because the log, not the broker, holds the
order and the gapless positions; a poll every ~75 ms keeps reads close behind writes.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from gateway.core.log_rows import read_rows_after
from gateway.core.projector import Projector
from shared.backoff import Backoff
from shared.eventlog.reader import EventLogReader
from shared.logging import get_logger

log = get_logger(__name__)

POLL_SECONDS = 0.075
MAX_BACKOFF_SECONDS = 5.0
BATCH_SIZE = 500


class CatchUpSubscription:
    """Reads batches after the checkpoint and hands them to the projector, until stopped."""

    def __init__(
        self,
        reader: EventLogReader,
        projector: Projector,
        *,
        poll_seconds: float = POLL_SECONDS,
        batch_size: int = BATCH_SIZE,
        sleep: Callable[[float], None] = time.sleep,
        beat: Callable[[], None] = lambda: None,
    ) -> None:
        """``beat``: called on every turn of ``run``, applied or failed (the projector's
        heartbeat, ``gateway.projector.heartbeat``)."""
        self._reader = reader
        self._projector = projector
        self._poll_seconds = poll_seconds
        self._batch_size = batch_size
        self._sleep = sleep
        self._beat = beat
        self._stopping = False
        # The checkpoint as the last batch left it: while entries keep coming, a poll reads
        # after it without asking the database first (the projector checks it under the
        # checkpoint's lock). None: ask.
        self._position: int | None = None

    def catch_up_once(self) -> int:
        """Apply the next batch, if any; returns how many log entries it held."""
        position = self._position
        if position is None:
            position = self._projector.position()
        # The stored rows, not envelopes: the projector builds one only where it needs it.
        batch = read_rows_after(self._reader.engine, position, self._batch_size)
        if not batch:
            # Idle: the next poll asks the database again (the checkpoint may have been moved
            # back, and with no entries coming no batch would show it).
            self._position = None
            return 0
        self._position = self._projector.apply_rows(batch, after=position)
        log.debug("readmodel.caught_up", events=len(batch), position=self._position)
        return len(batch)

    def catch_up(self) -> int:
        """Apply everything logged so far (used by tests and at start-up), from the
        checkpoint as the database holds it."""
        self._position = None
        total = 0
        while (applied := self.catch_up_once()) > 0:
            total += applied
        return total

    def run(self) -> None:
        """Poll until ``stop()``; a failing database is retried with growing pauses."""
        retry = Backoff(self._poll_seconds, MAX_BACKOFF_SECONDS)
        pauses = retry.pauses()
        while not self._stopping:
            self._beat()
            try:
                applied = self.catch_up_once()
            except Exception as error:
                self._position = None  # read the checkpoint again once the database answers
                pause = next(pauses)
                # Only the class: database errors may quote rows, and rows hold personal data.
                log.warning(
                    "readmodel.catch_up_failed",
                    error=type(error).__name__,
                    retry_in_seconds=round(pause, 2),
                )
                self._sleep(pause)
                continue
            pauses = retry.pauses()
            if applied < self._batch_size:
                self._sleep(self._poll_seconds)

    def stop(self) -> None:
        self._stopping = True
