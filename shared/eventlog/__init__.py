"""The global event log: every event once, in commit order, gapless and hash-chained.

``appender`` writes, ``reader`` pages, ``verify`` checks the chain, ``consumer`` feeds the log
from the broker, and ``python -m shared.eventlog`` runs that consumer as a process.
"""

from shared.eventlog.appender import EventLogAppender
from shared.eventlog.reader import EventLogReader, LoggedEvent
from shared.eventlog.verify import HeadAnchor, VerificationResult, verify_chain

__all__ = [
    "EventLogAppender",
    "EventLogReader",
    "HeadAnchor",
    "LoggedEvent",
    "VerificationResult",
    "verify_chain",
]
