"""Asking the key owners for their new keys on a timer of the gateway's own.

A registration's keys are made, and can be handed over, a few hundred milliseconds before
its event reaches the log and the read models' subscription. Asked for by the batch that
needs them, they cost that batch a round trip through the owner's RPC queue, behind the
commands the owner is serving (on PostgreSQL 20-80 ms of a 100-300 ms batch, nearly every
batch, docs/performance.md). Asked for ahead, they are held when the batch comes; a batch
that still misses one asks for it itself, as before, so a key is never taken for erased
because it had not come yet.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from gateway.core.privacy import ReadModelKeys
from shared.backoff import Backoff
from shared.logging import get_logger

log = get_logger(__name__)

PAUSE_SECONDS = 0.05
IDLE_SECONDS = 1.0


class KeysAhead:
    """Asks ahead every ``pause_seconds`` while keys keep coming, less and less often (up to
    ``idle_seconds``) while none come or the owner is away, until stopped."""

    def __init__(
        self,
        keys: ReadModelKeys,
        *,
        pause_seconds: float = PAUSE_SECONDS,
        idle_seconds: float = IDLE_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._keys = keys
        self._slowing = Backoff(pause_seconds, idle_seconds)
        self._sleep = sleep
        self._stopping = False

    def run(self) -> None:
        pauses = self._slowing.pauses()
        while not self._stopping:
            try:
                came = self._keys.ask_ahead()
            except Exception as error:
                # Only the class: the batches ask for what they miss themselves.
                log.info("privacy.keys_ahead_failed", error=type(error).__name__)
                came = 0
            if came:
                pauses = self._slowing.pauses()
            self._sleep(next(pauses))

    def stop(self) -> None:
        self._stopping = True
