"""Each export recorded as an access of the gateway's own (``gateway.trail``)."""

from __future__ import annotations

from gateway.core.call import ApiCall
from gateway.core.section import ReadModelQueries
from gateway.trail import record_access


class ExportAccesses(ReadModelQueries):
    """Built on the gateway's database like the reads; the one thing it writes is the access
    record: who exported which file of which campaign, about how many people, when (the
    event's time), and none of the data."""

    def record(self, call: ApiCall, resource: str, people: int) -> None:
        """Commit the record before the export's first byte; if this raises, hand nothing out."""
        record_access(
            self._engine,
            actor=call.caller.actor,
            purpose="export",
            resource=resource,
            subject_count=people,
            correlation_id=call.correlation_id,
        )
