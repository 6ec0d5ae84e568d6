"""Placement's edges: its events match the shared contracts, RPC arguments are checked,
and recruitment's events are read as the right commands (or skipped)."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime

import pytest

from services.placement import arguments, commands
from services.placement.adapters.recruitment_events import command_for
from services.placement.domain.actors import Actor
from services.placement.domain.events import PLACEMENT_EVENTS
from shared.contracts import CONTRACTS
from shared.events.envelope import Envelope, MalformedEnvelopeError
from shared.rpc import CommandRejected

ID = "6f1c2b8e-8d0e-4a57-9a51-3d8c1f0e7b21"


def sample(event_class: type) -> object:
    """An instance with a plausible value for every field, by its annotated type."""
    values: dict[str, object] = {}
    for field in dataclasses.fields(event_class):
        annotation = str(field.type)
        if annotation.startswith("list[dict"):
            values[field.name] = [{"student_id": ID, "position_id": ID}]
        elif annotation.startswith("list"):
            values[field.name] = [ID]
        elif annotation.startswith("dict"):
            values[field.name] = {ID: 1}
        elif annotation == "datetime":
            values[field.name] = datetime(2023, 6, 1, tzinfo=UTC)
        else:
            values[field.name] = {"str": ID, "int": 3, "bool": True, "date": date(2023, 7, 10)}[
                annotation
            ]
    if event_class.__name__ == "DocumentSigned":
        values.update(document_kind="practice_notice", content_hash="sha256:" + "0" * 64)
    if event_class.__name__ in ("OfferConfirmed", "OfferDeclined"):
        values["party"] = "student"
    return event_class(**values)


@pytest.mark.parametrize("event_type", sorted(PLACEMENT_EVENTS.classes))
def test_every_placement_event_round_trips_through_its_contract(event_type):
    event = sample(PLACEMENT_EVENTS.get(event_type))
    version, payload = CONTRACTS.dump(event_type, dataclasses.asdict(event))
    envelope = Envelope(event_type, version, "s-1", 1, "placement", "operator:x", "c", payload)
    assert PLACEMENT_EVENTS.get(event_type)(**CONTRACTS.load(envelope)) == event


def test_the_domain_events_are_exactly_the_placement_contracts_field_for_field():
    contracts = {
        kind: CONTRACTS.get(kind, CONTRACTS.latest_version(kind)).schema
        for kind in CONTRACTS.event_types()
        if type(CONTRACTS.get(kind, 1).schema).__module__ == "shared.contracts.placement"
    }
    assert set(PLACEMENT_EVENTS.classes) == set(contracts)
    for kind, schema in contracts.items():
        fields = {field.name for field in dataclasses.fields(PLACEMENT_EVENTS.get(kind))}
        assert fields == set(schema.fields), kind


def rejected_field(call, *args) -> str:
    with pytest.raises(CommandRejected) as caught:
        call(*args)
    assert caught.value.error_type == "ValidationError"
    return str(caught.value.details["field"])


def test_ids_are_read_in_their_canonical_form():
    assert arguments.identifier(ID.upper(), "position_id") == ID
    assert rejected_field(arguments.identifier, "pos-1", "position_id") == "position_id"


def test_a_document_needs_a_known_kind_and_a_whole_sha256_hash():
    good = {
        "document_kind": "practice_notice",
        "version": "v1",
        "content_hash": "sha256:" + "a" * 64,
    }
    assert arguments.signed_document(good).content_hash == good["content_hash"]
    assert rejected_field(arguments.signed_document, {**good, "document_kind": "nda"}) == (
        "document_kind"
    )
    trailing = {**good, "content_hash": good["content_hash"] + "\n"}
    assert rejected_field(arguments.signed_document, trailing) == "content_hash"
    upper = {**good, "content_hash": "sha256:" + "A" * 64}
    assert rejected_field(arguments.signed_document, upper) == "content_hash"


def test_a_position_needs_iso_dates_an_integer_capacity_and_its_texts():
    position = {
        "host_unit_id": ID,
        "campaign_id": ID,
        "title": "Assistant",
        "duties": "Enquiries",
        "capacity": 2,
        "starts_on": "2023-07-10",
        "ends_on": "2023-08-10",
        "place": "Community centre",
        "requirements": "",
    }
    command = arguments.post_position(position)
    assert (command.plan.starts_on, command.plan.capacity) == (date(2023, 7, 10), 2)
    uuid.UUID(command.position_id)
    assert rejected_field(arguments.post_position, {**position, "capacity": "2"}) == "capacity"
    assert rejected_field(arguments.post_position, {**position, "ends_on": "10/08"}) == "ends_on"
    assert rejected_field(arguments.post_position, {**position, "title": " "}) == "title"


def test_a_selection_window_defaults_to_five_choices_and_needs_zoned_timestamps():
    window = {"opens_at": "2023-06-01T00:00:00Z", "closes_at": "2023-06-15T00:00:00+08:00"}
    assert arguments.open_selection(ID, window).max_choices == 5
    naive = {**window, "opens_at": "2023-06-01T00:00:00"}
    assert rejected_field(arguments.open_selection, ID, naive) == "opens_at"


def test_actors_compare_by_canonical_id():
    assert Actor.parse(f"host_unit:{ID.upper()}").is_host_unit(ID)
    assert not Actor.parse(f"student:{ID}").is_host_unit(ID)
    assert Actor.parse("operator:ops-1").is_operator


def recruitment_event(event_type: str, **payload: str) -> dict:
    body = {"student_id": ID, "campaign_id": ID, "reason": "", **payload}
    return Envelope(
        event_type, 1, f"student-{ID}", 2, "recruitment", "operator:o", "c", body
    ).to_dict()


def test_an_approval_admits_the_candidate_and_a_rejection_is_skipped():
    approved = recruitment_event("StudentScreened", decision="approved")
    assert command_for(approved) == commands.AdmitCandidate(ID, ID, approved["event_id"])
    assert command_for(recruitment_event("StudentScreened", decision="rejected")) is None


def test_a_withdrawal_withdraws_the_candidate():
    withdrew = recruitment_event("StudentWithdrew", reason="moved away")
    assert command_for(withdrew) == commands.WithdrawCandidate(
        ID, ID, "moved away", withdrew["event_id"]
    )


def test_other_event_types_are_skipped_and_malformed_envelopes_refused():
    joined = Envelope(
        "AllianceJoined", 1, "s", 1, "recruitment", "a", "c", {"student_id": ID, "campaign_id": ID}
    )
    assert command_for(joined.to_dict()) is None
    assert command_for({**joined.to_dict(), "event_type": "SomethingNew"}) is None
    with pytest.raises(MalformedEnvelopeError):
        command_for({"event_type": "StudentWithdrew"})
