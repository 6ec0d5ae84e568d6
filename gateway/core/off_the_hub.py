"""Long CPU work off eventlet's hub, so that one request never stalls the gateway's others."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from eventlet import patcher, tpool

T = TypeVar("T")


def off_the_hub(work: Callable[..., T], *args: object) -> T:
    """``work(*args)`` in a native thread under eventlet, directly otherwise.

    Under eventlet every green thread shares one OS thread: a second of hashing or compressing
    there is a second in which no other request moves. In a native thread the work only holds
    the GIL, which Python hands to the hub every few milliseconds (and C code such as argon2's
    or zlib's releases outright). The work must not do green I/O (no database calls).
    """
    if patcher.is_monkey_patched("thread"):
        done: T = tpool.execute(work, *args)
        return done
    return work(*args)
