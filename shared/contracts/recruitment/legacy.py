"""Older versions of recruitment's events: stored events are never rewritten, so each old
version keeps its schema and an upcaster that lifts it to the next."""

from __future__ import annotations

from marshmallow import Schema, fields

from shared.contracts.fields import Id
from shared.contracts.registry import CONTRACTS, Payload
from shared.privacy.classes import FIELD_CLASSES


@CONTRACTS.contract("SubjectErased", 1)
class SubjectErasedV1(Schema):
    """Before erasure named field classes: every erasure erased the whole subject."""

    subject_id = Id(required=True)
    campaign_id = Id(required=True)
    reason = fields.String(required=True)


@CONTRACTS.upcaster("SubjectErased", 1)
def subject_erased_as_a_whole(payload: Payload) -> Payload:
    """Version 1 erased every class of the subject's personal data."""
    return {**payload, "field_classes": list(FIELD_CLASSES)}
