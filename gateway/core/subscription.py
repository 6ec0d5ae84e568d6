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
    ) -> None:
        self._reader = reader
        self._projector = projector
        self._poll_seconds = poll_seconds
        self._batch_size = batch_size
        self._sleep = sleep
        self._stopping = False

    def catch_up_once(self) -> int:
        """Apply the next batch, if any; returns how many log entries it held."""
        # The stored rows, not envelopes: the projector builds one only where it needs it.
        position = self._projector.position()
        batch = read_rows_after(self._reader.engine, position, self._batch_size)
        if batch:
            position = self._projector.apply_rows(batch)
            log.debug("readmodel.caught_up", events=len(batch), position=position)
        return len(batch)

    def catch_up(self) -> int:
        """Apply everything logged so far (used by tests and at start-up)."""
        total = 0
        while (applied := self.catch_up_once()) > 0:
            total += applied
        return total

    def run(self) -> None:
        """Poll until ``stop()``; a failing database is retried with growing pauses."""
        retry = Backoff(self._poll_seconds, MAX_BACKOFF_SECONDS)
        pauses = retry.pauses()
        while not self._stopping:
            try:
                applied = self.catch_up_once()
            except Exception as error:
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
