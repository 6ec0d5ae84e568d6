"""Reading RPC arguments into commands: a malformed value is refused as a ValidationError.

The gateway validates HTTP bodies first; this is the service's own edge, for any other
caller. Ids are canonicalised so that a stream id always matches its payload's id.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from services.placement import commands
from services.placement.domain.host_unit import HostUnitProfile
from services.placement.domain.matching import DEFAULT_MAX_CHOICES
from services.placement.domain.position import PositionPlan
from services.placement.domain.readiness import (
    CONTENT_HASH,
    DOCUMENT_KINDS,
    Completion,
    Evaluation,
    Feedback,
    InsurancePolicy,
    SignedDocument,
    TrainingRecord,
)
from shared.events.canonical import parse_timestamp
from shared.rpc import CommandRejected

MAX_TEXT = 2000


def invalid(field: str, message: str) -> CommandRejected:
    return CommandRejected("ValidationError", f"{field} {message}", {"field": field})


def record(value: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise invalid(field, "must be an object")
    return value


def identifier(value: Any, field: str) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise invalid(field, "must be a UUID") from None


def new_or_given_id(values: Mapping[str, Any], field: str) -> str:
    given = values.get(field)
    return str(uuid.uuid4()) if given in (None, "") else identifier(given, field)


def identifiers(value: Any, field: str) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        raise invalid(field, "must be a list of UUIDs")
    return tuple(identifier(item, field) for item in value)


def text(values: Mapping[str, Any], field: str, *, required: bool = True) -> str:
    value = values.get(field, None if required else "")
    if not isinstance(value, str) or len(value) > MAX_TEXT or (required and not value.strip()):
        raise invalid(field, f"must be {'non-empty ' if required else ''}text")
    return value


def integer(values: Mapping[str, Any], field: str, default: int | None = None) -> int:
    value = values.get(field, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(field, "must be an integer")
    return value


def day(value: Any, field: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise invalid(field, "must be an ISO 8601 date (YYYY-MM-DD)") from None


def moment(value: Any, field: str) -> datetime:
    try:
        return parse_timestamp(str(value))
    except ValueError:
        raise invalid(field, "must be an ISO 8601 timestamp with a zone") from None


def register_host_unit(host_unit: Any) -> commands.RegisterHostUnit:
    values = record(host_unit, "host_unit")
    fields = ("name", "kind", "township", "contact_person", "contact_phone")
    profile = HostUnitProfile(**{name: text(values, name) for name in fields})
    return commands.RegisterHostUnit(new_or_given_id(values, "host_unit_id"), profile)


def post_position(position: Any) -> commands.PostPosition:
    values = record(position, "position")
    plan = PositionPlan(
        title=text(values, "title"),
        duties=text(values, "duties"),
        capacity=integer(values, "capacity"),
        starts_on=day(values.get("starts_on"), "starts_on"),
        ends_on=day(values.get("ends_on"), "ends_on"),
        place=text(values, "place"),
        requirements=text(values, "requirements", required=False),
    )
    return commands.PostPosition(
        new_or_given_id(values, "position_id"),
        identifier(values.get("host_unit_id"), "host_unit_id"),
        identifier(values.get("campaign_id"), "campaign_id"),
        plan,
    )


def open_selection(campaign_id: Any, window: Any) -> commands.OpenSelection:
    values = record(window, "window")
    return commands.OpenSelection(
        identifier(campaign_id, "campaign_id"),
        moment(values.get("opens_at"), "opens_at"),
        moment(values.get("closes_at"), "closes_at"),
        integer(values, "max_choices", DEFAULT_MAX_CHOICES),
    )


def place_directly(placement: Any) -> commands.PlaceDirectly:
    values = record(placement, "placement")
    return commands.PlaceDirectly(
        new_or_given_id(values, "placement_id"),
        identifier(values.get("student_id"), "student_id"),
        identifier(values.get("position_id"), "position_id"),
        text(values, "reason", required=False),
    )


def insurance_policy(insurance: Any) -> InsurancePolicy:
    values = record(insurance, "insurance")
    return InsurancePolicy(
        insurer=text(values, "insurer"),
        policy_number=text(values, "policy_number"),
        insured_person=text(values, "insured_person"),
        covers_from=day(values.get("covers_from"), "covers_from"),
        covers_until=day(values.get("covers_until"), "covers_until"),
    )


def training_record(training: Any) -> TrainingRecord:
    values = record(training, "training")
    return TrainingRecord(text(values, "session"), day(values.get("attended_on"), "attended_on"))


def signed_document(document: Any) -> SignedDocument:
    values = record(document, "document")
    kind = values.get("document_kind")
    if kind not in DOCUMENT_KINDS:
        raise invalid("document_kind", f"must be one of {', '.join(DOCUMENT_KINDS)}")
    content_hash = values.get("content_hash")
    if not isinstance(content_hash, str) or not CONTENT_HASH.fullmatch(content_hash):
        raise invalid("content_hash", "must be sha256: and 64 lower-case hex digits")
    return SignedDocument(str(kind), text(values, "version"), content_hash)


def completion(values: Any) -> Completion:
    values = record(values, "completion")
    return Completion(integer(values, "days_served", 0), integer(values, "hours_served", 0))


def evaluation(values: Any) -> Evaluation:
    values = record(values, "evaluation")
    return Evaluation(integer(values, "score"), text(values, "comment", required=False))


def feedback(values: Any) -> Feedback:
    values = record(values, "feedback")
    return Feedback(integer(values, "rating"), text(values, "suggestions", required=False))
