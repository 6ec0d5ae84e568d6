"""Green threads left parked on closed sockets: the test-wide check that names the test.

A green thread waiting on a socket that something else closes stays in eventlet's hub for
ever, listening on the closed descriptor. The descriptor's number is then reused by the next
socket the process opens, and if that one is not a green socket (libpq's, under psycogreen)
its first read fails with "Second simultaneous read on fileno N", in a later, unrelated test
(the fault tests' TCP proxy did that once, tests/support/tcp_proxy.py). The check after every
test (tests/conftest.py) fails the test that left one, and clears it so it fails no other.
"""

from __future__ import annotations

import os
import traceback
from typing import Any

import eventlet
import eventlet.hubs

# The hub may still be about to wake a thread the test's teardown has just released.
SETTLE_PASSES = 5


def closed_descriptors_listened_on() -> list[int]:
    """Descriptors the hub listens on (for reading or writing) that are no longer open."""
    hub = eventlet.hubs.get_hub()
    listened = {fd for bucket in hub.listeners.values() for fd in bucket}
    listened |= {fd for bucket in hub.secondaries.values() for fd in bucket}
    closed = []
    for fd in sorted(listened):
        try:
            os.fstat(fd)
        except OSError:
            closed.append(fd)
    return closed


def _listeners_on(fd: int) -> list[Any]:
    hub = eventlet.hubs.get_hub()
    found = [bucket[fd] for bucket in hub.listeners.values() if fd in bucket]
    return found + [
        listener for bucket in hub.secondaries.values() for listener in bucket.get(fd, ())
    ]


def parked_on(fd: int) -> str:
    """Where the green threads listening on ``fd`` wait: the last frames of each."""
    stacks = []
    for listener in _listeners_on(fd):
        frame = getattr(listener.greenlet, "gr_frame", None)
        if frame is not None:
            stacks.append("".join(traceback.format_stack(frame)[-6:]))
    return "\n".join(stacks) or "(no frame)"


def leaked_listeners() -> dict[int, str]:
    """The closed descriptors still listened on once the hub had a moment, with where their
    threads wait; those threads are then killed, which takes their listeners out of the hub
    (throwing the hub's socket-closed error into them instead would end them with an error
    that the hub passes up to whichever green thread runs it: the test's)."""
    for _ in range(SETTLE_PASSES):
        if not closed_descriptors_listened_on():
            return {}
        eventlet.sleep(0.01)
    leaked = {fd: parked_on(fd) for fd in closed_descriptors_listened_on()}
    hub = eventlet.hubs.get_hub()
    for fd in leaked:
        for listener in _listeners_on(fd):
            if not listener.greenlet.dead:
                eventlet.kill(listener.greenlet)
        for listener in _listeners_on(fd):  # a thread that would not die: its listener only
            hub.remove(listener)
    return leaked
