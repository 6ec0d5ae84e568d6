"""What an auditor sees of a logged event: the entry with its personal fields redacted.

One definition for every way an auditor reads the log (``gravity audit events`` and the
gateway's ``/api/v1/audit/events``), so that both show exactly the same thing. The payload
fields that the event's contract marks personal are replaced by ``"[personal data]"``; an
event without a known contract has every payload value withheld, since nothing says which of
its fields are personal.
"""

from __future__ import annotations

from typing import Any

from shared.contracts import CONTRACTS, UnknownEventTypeError
from shared.eventlog.reader import LoggedEvent
from shared.events.canonical import format_timestamp
from shared.events.envelope import Envelope

WITHHELD = "[withheld: no contract for this event version]"


def redacted_event(envelope: Envelope) -> dict[str, Any]:
    """The envelope as a dict with personal payload fields (or, without a contract, every
    payload value) replaced by a marker."""
    try:
        CONTRACTS.get(envelope.event_type, envelope.schema_version)
    except UnknownEventTypeError:
        return envelope.to_dict() | {"payload": dict.fromkeys(envelope.payload, WITHHELD)}
    return CONTRACTS.redact(envelope)


def audit_line(entry: LoggedEvent, reveal_personal_data: bool = False) -> dict[str, Any]:
    """One entry as auditors see it; ``recorded_at`` is the exact text that was hashed.

    Only ``gravity audit events --reveal-personal-data`` passes ``reveal_personal_data``
    (re-hashing needs the real payload); the HTTP API never does.
    """
    event = entry.envelope.to_dict() if reveal_personal_data else redacted_event(entry.envelope)
    return {
        "position": entry.position,
        "hash": entry.hash,
        "recorded_at": format_timestamp(entry.recorded_at),
        "event": event,
    }
