"""The projector's heartbeat: a file whose modification time says that the read models'
subscription still polls the log.

The projector serves nothing and consumes no queue, so only this shows the image's health
check (``deploy/image/healthcheck.py``) that it is stuck. The image names the file
(``GRAVITY_PROJECTOR_HEARTBEAT_FILE``); without it, as under ``gravity up``, nothing is written.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from shared.logging import get_logger

log = get_logger(__name__)

HEARTBEAT_VARIABLE = "GRAVITY_PROJECTOR_HEARTBEAT_FILE"
BEAT_EVERY_SECONDS = 1.0
# The subscription polls every 75 ms and waits at most 5 s between retries of a failing
# database: a minute without a beat is a process that no longer runs its loop.
STALE_AFTER_SECONDS = 60.0


class Heartbeat:
    """``beat()`` touches the file, at most once every ``BEAT_EVERY_SECONDS``. A file that
    cannot be written is logged, never raised: the projection goes on, and the health check
    reports the stale beat."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.monotonic) -> None:
        self.path = path
        self._clock = clock
        self._last: float | None = None

    def beat(self) -> None:
        now = self._clock()
        if self._last is not None and now - self._last < BEAT_EVERY_SECONDS:
            return
        self._last = now
        try:
            self.path.touch()
        except OSError as error:
            log.warning("projector.heartbeat_failed", error=type(error).__name__)


def heartbeat_file(environ: Mapping[str, str] = os.environ) -> Path | None:
    configured = environ.get(HEARTBEAT_VARIABLE, "")
    return Path(configured) if configured else None


def heartbeat_problem(path: Path, now: float | None = None) -> tuple[str | None, bool]:
    """What is wrong with the heartbeat at ``path``, and whether the process is at fault: a
    stale beat is a stuck loop (dead); none yet is a projector still starting (waiting for
    the broker or the gateway's migrations), which is not its fault."""
    try:
        age = (time.time() if now is None else now) - path.stat().st_mtime
    except FileNotFoundError:
        return "the projector has not polled the event log yet", False
    if age > STALE_AFTER_SECONDS:
        return f"the projector last polled the event log {age:.0f} s ago", True
    return None, False
