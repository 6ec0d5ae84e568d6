"""Public verification of a certificate, an appointment letter or a transcript:
``GET /verify/{serial}?code=...`` with no token.

It answers whether the document is genuine and still valid, its title, campaign and issue
date, and the holder's name masked (``张*``: the first character, one star, so that not even
the name's length shows); nothing else. A wrong code and an unknown serial answer the same
404, and the code is checked before anything is looked up, so an answer's timing does not
tell whether a serial exists. Each client address draws from a small token bucket (``http.
verify_burst`` requests at once, ``http.verify_per_minute`` refilled); an empty bucket answers
429 with ``Retry-After``. Addresses are never logged.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from nameko.extensions import DependencyProvider

from gateway.honors.transcript import POST
from shared.config import CONFIG_KEY, Settings

Row = dict[str, Any]
MAX_TRACKED_ADDRESSES = 10_000  # past that the least recently seen address is forgotten


def mask_name(name: str) -> str:
    """``张三`` -> ``张*``, ``欧阳娜娜`` -> ``欧*``; blank stays ``*``."""
    stripped = name.strip()
    return (stripped[:1] or "") + "*"


class TokenBucket:
    """Per-address token buckets: ``burst`` tokens, refilled at ``per_minute``."""

    def __init__(
        self, burst: int, per_minute: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.burst, self.rate, self.clock = burst, per_minute / 60.0, clock
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, address: str) -> float:
        """Take a token for ``address``: 0 if granted, else the seconds until one is free."""
        now = self.clock()
        tokens, then = self.buckets.pop(address, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - then) * self.rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.rate
        self.buckets[address] = (tokens, now)
        while len(self.buckets) > MAX_TRACKED_ADDRESSES:
            self.buckets.popitem(last=False)
        return wait


def retry_after(wait: float) -> str:
    return str(max(1, math.ceil(wait)))


def certificate_answer(award: Row) -> Row:
    revoked = award["status"] == "revoked"
    return {
        "serial": award["serial"],
        "kind": "certificate",
        "status": "revoked" if revoked else "valid",
        "title": award["title_name"] or award["title_code"],
        "campaign": award["campaign_name"] or "",
        "issued_on": award["issued_at"][:10],
        "revoked_on": award["revoked_at"][:10] if revoked else None,
        "ended_on": None,
        "holder": mask_name(award["holder_name"]),
    }


def letter_answer(appointment: Row) -> Row:
    status = appointment["status"]
    return {
        "serial": appointment["serial"],
        "kind": "appointment_letter",
        "status": "valid" if status == "active" else status,
        "title": f"{appointment['committee']}{POST}",
        "campaign": appointment["campaign_name"] or "",
        "issued_on": appointment["issued_at"][:10],
        "revoked_on": None,
        "ended_on": appointment["ended_on"],
        "holder": mask_name(appointment["holder_name"]),
    }


def transcript_answer(transcript: Row) -> Row:
    return {
        "serial": transcript["reference"],
        "kind": "transcript",
        "status": "valid",
        "title": "第二课堂成绩单",
        "campaign": transcript["campaign_name"],
        "issued_on": transcript["issued_on"],
        "revoked_on": None,
        "ended_on": None,
        "holder": mask_name(transcript["student_name"]),
    }


class VerificationLimiter(DependencyProvider):  # type: ignore[misc] # nameko is untyped
    """The container's token buckets for ``/verify`` (shared by its workers)."""

    def setup(self) -> None:
        settings: Settings = self.container.config[CONFIG_KEY]["settings"]
        burst = int(settings.http.get("verify_burst") or 10)
        per_minute = float(settings.http.get("verify_per_minute") or 30)
        self.bucket = TokenBucket(burst, per_minute)

    def get_dependency(self, worker_ctx: Any) -> TokenBucket:  # noqa: ARG002 - nameko API
        return self.bucket
