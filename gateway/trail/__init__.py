"""The gateway as a producer: the events it records itself go through its own outbox.

``record_access(engine, actor=..., purpose=..., resource=..., subject_id=...)`` records a read
of personal data (a profile, a list page, an export, a document); ``accesses_of`` reads one
subject's records back; the accounts code appends its events with ``append_event`` inside the
transaction of the change. The gateway's relay publishes them to ``gateway.events``, signed
with the ``gateway`` producer key, and the event log chains them like any service's.
"""

from gateway.trail.access import accesses_of, record_access
from gateway.trail.outbox import GATEWAY, append_event, wake_on_commit
from gateway.trail.relay import gateway_relay

__all__ = [
    "GATEWAY",
    "accesses_of",
    "append_event",
    "gateway_relay",
    "record_access",
    "wake_on_commit",
]
