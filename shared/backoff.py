"""How long to wait between retries while a broker or a database is away."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """Pauses that start at ``first`` and double up to ``longest``; start a fresh series
    (``pauses()`` again) once the thing retried works again."""

    first: float
    longest: float

    def pauses(self) -> Iterator[float]:
        pause = self.first
        while True:
            yield pause
            pause = min(pause * 2, self.longest)
