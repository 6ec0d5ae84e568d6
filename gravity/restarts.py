"""When ``gravity up`` restarts a process that died, and when it gives up.

Each process has its own book of recent failures. A restart waits ``first_backoff`` seconds,
doubling with every further failure in the window up to ``longest_backoff``; a process that
fails more than ``max_restarts`` times within ``window_seconds`` is not restarted again (a
crash loop is a fault to look at, not to hide).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RestartPolicy:
    max_restarts: int = 5
    window_seconds: float = 300.0
    first_backoff: float = 1.0
    longest_backoff: float = 30.0

    @classmethod
    def from_settings(cls, configured: Mapping[str, Any]) -> RestartPolicy:
        """From the YAML ``supervision`` section (missing keys keep their defaults)."""
        defaults = cls()
        return cls(
            max_restarts=int(configured.get("max_restarts", defaults.max_restarts)),
            window_seconds=float(configured.get("window_seconds", defaults.window_seconds)),
            first_backoff=float(configured.get("first_backoff_seconds", defaults.first_backoff)),
            longest_backoff=float(
                configured.get("longest_backoff_seconds", defaults.longest_backoff)
            ),
        )


class RestartBook:
    """The failures of each process within the policy's window."""

    def __init__(self, policy: RestartPolicy, clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy
        self._clock = clock
        self._failures: dict[str, list[float]] = {}

    def failed(self, name: str) -> float | None:
        """Record that ``name`` died now: the pause before restarting it, or None to give up."""
        now = self._clock()
        recent = [
            moment
            for moment in self._failures.get(name, [])
            if now - moment < self.policy.window_seconds
        ]
        recent.append(now)
        self._failures[name] = recent
        if len(recent) > self.policy.max_restarts:
            return None
        return float(
            min(self.policy.first_backoff * 2 ** (len(recent) - 1), self.policy.longest_backoff)
        )

    def failures(self, name: str) -> int:
        """Failures of ``name`` still inside the window (as of its last failure)."""
        return len(self._failures.get(name, []))
