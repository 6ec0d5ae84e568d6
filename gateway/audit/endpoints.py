"""The auditor API's endpoints: each reads the event log through ``AuditReads``."""

from __future__ import annotations

from typing import Any

from gateway.audit import routes
from gateway.audit.queries import AuditReads
from gateway.core.call import ApiCall, Reply
from gateway.core.endpoints import Endpoints
from gateway.core.web import api


def _page(call: ApiCall, name: str, items: list[dict[str, Any]]) -> Reply:
    """A page by position: ``next_after`` is its last position when the page is full."""
    limit = call.query["limit"]
    next_after = items[-1]["position"] if len(items) == limit else None
    return call.answer({name: items, "limit": limit, "next_after": next_after})


class AuditEndpoints(Endpoints):
    @api(routes.AUDIT_EVENTS)
    def audit_events(self, call: ApiCall) -> Reply:
        return _page(call, "events", self.app.read(AuditReads).events(**call.query))

    @api(routes.AUDIT_HEAD)
    def audit_head(self, call: ApiCall) -> Reply:
        return call.answer(self.app.read(AuditReads).head())

    @api(routes.AUDIT_CHECKPOINTS)
    def audit_checkpoints(self, call: ApiCall) -> Reply:
        return _page(call, "checkpoints", self.app.read(AuditReads).checkpoints(**call.query))

    @api(routes.INCLUSION_PROOF)
    def audit_inclusion_proof(self, call: ApiCall) -> Reply:
        reads = self.app.read(AuditReads)
        return call.answer(reads.inclusion_proof(call.query["event_id"], call.query.get("size")))

    @api(routes.CONSISTENCY_PROOF)
    def audit_consistency_proof(self, call: ApiCall) -> Reply:
        reads = self.app.read(AuditReads)
        return call.answer(reads.consistency_proof(call.query["old_size"], call.query["new_size"]))
