"""The global event log: every event once, in commit order, gapless and hash-chained.

``appender`` writes, ``reader`` pages, ``verify`` checks the chain, ``consumer`` feeds the log
from the broker, and ``python -m shared.eventlog`` runs that consumer as a process.

The names below are imported when first used, not with the package: a verify worker process
(``parallel.py``) imports ``shared.eventlog.parallel``, and with it this package, and needs
none of the appender's contracts and screening (a second or more of start-up on a busy
machine, per worker).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.eventlog.appender import EventLogAppender
    from shared.eventlog.reader import EventLogReader, LoggedEvent
    from shared.eventlog.verify import HeadAnchor, VerificationResult, verify_chain

_HOMES = {
    "EventLogAppender": "shared.eventlog.appender",
    "EventLogReader": "shared.eventlog.reader",
    "LoggedEvent": "shared.eventlog.reader",
    "HeadAnchor": "shared.eventlog.verify",
    "VerificationResult": "shared.eventlog.verify",
    "verify_chain": "shared.eventlog.verify",
}

__all__ = [
    "EventLogAppender",
    "EventLogReader",
    "HeadAnchor",
    "LoggedEvent",
    "VerificationResult",
    "verify_chain",
]


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
