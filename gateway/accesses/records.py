"""Recording each read of personal data, and reading one subject's records back.

Built on the gateway's database like the reads; the one thing it writes is the access record
(``gateway.trail.record_access``): who read, whose record (or how many people's), what for,
which resource, and when; none of the data. Endpoints call ``record`` after they found what
they will answer and before they answer: if it raises, nothing is handed out.
"""

from __future__ import annotations

from typing import Any

from gateway.core.call import ApiCall
from gateway.core.section import ReadModelQueries
from gateway.trail import accesses_of, record_access


class AccessRecords(ReadModelQueries):
    """The gateway's access records (``PersonalDataAccessed`` events of its own)."""

    def record(
        self,
        call: ApiCall,
        purpose: str,
        resource: str,
        *,
        subject_id: str | None = None,
        people: int | None = None,
    ) -> None:
        """Record that the caller read ``resource`` for ``purpose``: one subject's data
        (``subject_id``) or a number of people's (``people``)."""
        record_access(
            self._engine,
            actor=call.caller.actor,
            purpose=purpose,
            resource=resource,
            subject_count=1 if subject_id is not None else people,
            correlation_id=call.correlation_id,
            subject_id=subject_id,
        )

    def of_subject(self, subject_id: str, after: int, limit: int) -> dict[str, Any]:
        """One page of the subject's records, oldest first, and where the next page starts."""
        items = accesses_of(self._engine, subject_id, after=after, limit=limit)
        next_after = items[-1]["number"] if len(items) == limit else None
        return {"items": items, "next_after": next_after}
