"""Older versions of placement's events: stored events are never rewritten, so each old
version keeps its schema and an upcaster that lifts it to the next."""

from __future__ import annotations

from marshmallow import Schema, fields

from shared.contracts.fields import Id
from shared.contracts.registry import CONTRACTS, Payload


@CONTRACTS.contract("PlacementAgreed", 1)
class PlacementAgreedV1(Schema):
    """Before a direct placement's reason was kept."""

    placement_id = Id(required=True)
    campaign_id = Id(required=True)
    student_id = Id(required=True)
    position_id = Id(required=True)
    host_unit_id = Id(required=True)
    direct = fields.Boolean(required=True)


@CONTRACTS.upcaster("PlacementAgreed", 1)
def placement_agreed_with_a_reason(payload: Payload) -> Payload:
    """Version 1 recorded no reason: an empty one, as for an agreement of both parties."""
    return {**payload, "reason": ""}
