"""The auditor API's routes: read-only, the ``auditor`` role only, answered from the event log.

Personal fields are redacted exactly as ``gravity audit events`` redacts them; everything an
answer holds can be checked against the log's signed checkpoints with the public key alone.
"""

from __future__ import annotations

from marshmallow import Schema

from gateway.audit import schemas as aus
from gateway.core.route import AUDITOR, BASE, Route

AUDIT = "audit"


def audit_route(
    name: str,
    path: str,
    summary: str,
    response: type[Schema],
    *,
    query: type[Schema] | None = None,
    errors: tuple[str, ...] = (),
) -> Route:
    """A GET under ``/api/v1/audit`` for auditors only."""
    return Route(
        name,
        "GET",
        f"{BASE}/audit{path}",
        summary,
        AUDIT,
        AUDITOR,
        query=query,
        response=response,
        errors=errors,
    )


AUDIT_EVENTS = audit_route(
    "audit_events",
    "/events",
    "Log entries in position order, personal fields redacted; filter by type, stream, "
    "positions (after, before) and recording time (from, until)",
    aus.AuditEventsResponse,
    query=aus.AuditEventsQuery,
)
AUDIT_HEAD = audit_route(
    "audit_head",
    "/head",
    "The log's last position and hash, and its newest signed checkpoint",
    aus.HeadResponse,
)
AUDIT_CHECKPOINTS = audit_route(
    "audit_checkpoints",
    "/checkpoints",
    "The checkpoints the log signed, in position order",
    aus.CheckpointsResponse,
    query=aus.CheckpointsQuery,
)
INCLUSION_PROOF = audit_route(
    "audit_inclusion_proof",
    "/proofs/inclusion",
    "RFC 9162 proof that an event is in the log, against a signed checkpoint's root",
    aus.InclusionProofResponse,
    query=aus.InclusionProofQuery,
    errors=("EVENT_NOT_IN_LOG", "PROOF_UNAVAILABLE"),
)
CONSISTENCY_PROOF = audit_route(
    "audit_consistency_proof",
    "/proofs/consistency",
    "RFC 9162 proof that the log of `from` entries is a prefix of the log of `to` entries",
    aus.ConsistencyProofResponse,
    query=aus.ConsistencyProofQuery,
    errors=("PROOF_UNAVAILABLE",),
)

ROUTES = (AUDIT_EVENTS, AUDIT_HEAD, AUDIT_CHECKPOINTS, INCLUSION_PROOF, CONSISTENCY_PROOF)
