"""Placement's edges: every event round-trips through its contract (old versions upcast),
RPC arguments are parsed by the command contracts, and recruitment's events are read as the
right commands (or skipped)."""

from __future__ import annotations

import dataclasses
import typing
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from structlog.testing import capture_logs

from services.placement.adapters.recruitment_events import admission_for, withdrawal_for
from services.placement.service import PlacementService
from shared.actors import Actor
from shared.contracts import CONTRACTS
from shared.contracts.placement import commands, placements
from shared.contracts.placement import events as placement_events
from shared.contracts.records import Event
from shared.contracts.recruitment.events import StudentScreened, StudentWithdrew
from shared.contracts.schemas import InvalidArgumentsError
from shared.events.envelope import Envelope, MalformedEnvelopeError
from tests.factories import make_recruitment_event

ID = "6f1c2b8e-8d0e-4a57-9a51-3d8c1f0e7b21"
PLACEMENT_EVENTS = sorted(
    (
        value
        for value in vars(placement_events).values()
        if isinstance(value, type) and issubclass(value, Event) and value is not Event
    ),
    key=lambda event_class: event_class.__name__,
)
SAMPLES: dict[Any, object] = {
    str: ID,
    int: 3,
    bool: True,
    date: date(2023, 7, 10),
    datetime: datetime(2023, 6, 1, tzinfo=UTC),
    list[str]: [ID],
    list[dict[str, str]]: [{"student_id": ID, "position_id": ID}],
    dict[str, int]: {ID: 1},
}


def sample(event_class: type[Event]) -> Event:
    """An instance with a plausible value for every field, by its Python type."""
    hints = typing.get_type_hints(event_class)
    values = {field.name: SAMPLES[hints[field.name]] for field in dataclasses.fields(event_class)}
    if event_class.__name__ == "DocumentSigned":
        values.update(document_kind="practice_notice", content_hash="sha256:" + "0" * 64)
    if event_class.__name__ in ("OfferConfirmed", "OfferDeclined"):
        values["party"] = "student"
    return event_class(**values)


def stored(event_type: str, version: int, payload: dict[str, Any]) -> Envelope:
    return Envelope(event_type, version, "s-1", 1, "placement", "operator:x", "c", payload)


@pytest.mark.parametrize("event_class", PLACEMENT_EVENTS, ids=lambda cls: cls.__name__)
def test_every_placement_event_round_trips_through_its_contract(event_class):
    event = sample(event_class)
    version, payload = CONTRACTS.dump_event(event)
    assert version == event_class.schema_version
    assert CONTRACTS.to_event(stored(event_class.__name__, version, payload)) == event


def test_a_placement_agreed_before_reasons_were_kept_upcasts_with_an_empty_reason():
    v1 = {
        "placement_id": ID,
        "campaign_id": ID,
        "student_id": ID,
        "position_id": ID,
        "host_unit_id": ID,
        "direct": True,
    }
    agreed = CONTRACTS.to_event(stored("PlacementAgreed", 1, v1))
    assert agreed == placement_events.PlacementAgreed(**v1, reason="")
    assert CONTRACTS.latest_version("PlacementAgreed") == 2
    assert CONTRACTS.get("PlacementAgreed", 1).schema.validate(v1) == {}


def test_contact_and_insured_persons_are_personal_data_in_events_and_commands():
    personal = CONTRACTS.personal_field_names()
    assert {"contact_person", "contact_phone", "insured_person"} <= personal
    public = commands.RegisterHostUnit(
        host_unit_id=ID,
        name="Bureau",
        kind="bureau",
        township="Town",
        contact_person="王芳",
        contact_phone="13700137000",
    ).public_arguments()
    assert set(public) == {"host_unit_id", "name", "kind", "township"}


def refused_fields(command: type[commands.Command], arguments: dict[str, Any]) -> list[str]:
    with pytest.raises(InvalidArgumentsError) as caught:
        command.parse(arguments)
    assert caught.value.code == "VALIDATION_FAILED"
    return sorted(caught.value.details["fields"])


def test_ids_are_read_in_their_canonical_form():
    closing = commands.ClosePosition.parse({"position_id": ID.upper(), "reason": "filled"})
    assert closing.position_id == ID
    assert refused_fields(commands.ClosePosition, {"position_id": "p-1", "reason": "x"}) == [
        "position_id"
    ]


def test_a_document_needs_a_known_kind_and_a_whole_sha256_hash():
    good = {
        "placement_id": ID,
        "document_kind": "practice_notice",
        "version": "v1",
        "content_hash": "sha256:" + "a" * 64,
    }
    assert placements.SignDocument.parse(good).content_hash == good["content_hash"]
    assert refused_fields(placements.SignDocument, good | {"document_kind": "nda"}) == [
        "document_kind"
    ]
    trailing = good | {"content_hash": good["content_hash"] + "\n"}
    assert refused_fields(placements.SignDocument, trailing) == ["content_hash"]
    upper = good | {"content_hash": "sha256:" + "A" * 64}
    assert refused_fields(placements.SignDocument, upper) == ["content_hash"]


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
    }
    posting = commands.PostPosition.parse(position)
    assert (posting.starts_on, posting.capacity, posting.requirements) == (date(2023, 7, 10), 2, "")
    assert posting.position_id == ""  # the service gives it a new id (``creates``)
    assert refused_fields(commands.PostPosition, position | {"capacity": "2"}) == ["capacity"]
    assert refused_fields(commands.PostPosition, position | {"ends_on": "10/08"}) == ["ends_on"]
    assert refused_fields(commands.PostPosition, position | {"title": " "}) == ["title"]


def test_a_period_that_ends_before_it_starts_is_the_domains_to_refuse_not_the_contracts():
    position = commands.PostPosition.parse(
        {
            "host_unit_id": ID,
            "campaign_id": ID,
            "title": "Assistant",
            "duties": "Enquiries",
            "capacity": 2,
            "starts_on": "2023-08-10",
            "ends_on": "2023-07-10",
            "place": "Community centre",
        }
    )
    assert position.ends_on < position.starts_on
    window = {"campaign_id": ID, "opens_at": "2023-06-15T00:00:00Z"}
    assert commands.OpenSelection.parse(window | {"closes_at": "2023-06-01T00:00:00Z"})


def test_a_selection_window_defaults_to_five_choices_and_needs_zoned_timestamps():
    window = {
        "campaign_id": ID,
        "opens_at": "2023-06-01T00:00:00Z",
        "closes_at": "2023-06-15T00:00:00+08:00",
    }
    assert commands.OpenSelection.parse(window).max_choices == 5
    naive = window | {"opens_at": "2023-06-01T00:00:00"}
    assert refused_fields(commands.OpenSelection, naive) == ["opens_at"]
    assert refused_fields(commands.OpenSelection, window | {"max_choices": 21}) == ["max_choices"]


def test_rankings_name_positions_and_students_by_uuid():
    chosen = [str(uuid.uuid4()) for _ in range(3)]
    ranking = {"campaign_id": ID, "student_id": ID, "position_ids": chosen}
    assert commands.SubmitRanking.parse(ranking).position_ids == tuple(chosen)
    assert refused_fields(commands.SubmitRanking, ranking | {"position_ids": ["p-1"]}) == [
        "position_ids"
    ]
    applicants = commands.RankApplicants.parse({"position_id": ID, "student_ids": chosen[:1]})
    assert applicants.unacceptable == ()


def test_a_host_units_contact_phone_is_checked_without_echoing_it():
    registration = {
        "name": "District Water Resources Bureau",
        "kind": "district bureau",
        "township": "Chengguan Town",
        "contact_person": "赵磊",
        "contact_phone": "call me",
    }
    with pytest.raises(InvalidArgumentsError) as caught:
        commands.RegisterHostUnit.parse(registration)
    assert list(caught.value.details["fields"]) == ["contact_phone"]
    assert "call me" not in repr(caught.value.details)
    accepted = commands.RegisterHostUnit.parse(registration | {"contact_phone": "0371-66881234"})
    assert accepted.contact_person == "赵磊"


def test_a_comment_and_suggestions_may_be_left_out():
    assert placements.EvaluatePlacement.parse({"placement_id": ID, "score": 88}).comment == ""
    assert placements.SubmitFeedback.parse({"placement_id": ID, "rating": 4}).suggestions == ""
    assert refused_fields(placements.EvaluatePlacement, {"placement_id": ID, "score": True}) == [
        "score"
    ]


def test_actors_compare_by_canonical_id():
    assert Actor.parse(f"host_unit:{ID.upper()}").is_host_unit(ID)
    assert not Actor.parse(f"student:{ID}").is_host_unit(ID)
    assert Actor.parse("operator:ops-1").is_operator


def test_an_approval_admits_the_candidate_and_a_rejection_asks_for_nothing():
    approved = StudentScreened(ID, ID, "approved", "interview")
    assert admission_for(approved) == commands.AdmitCandidate(student_id=ID, campaign_id=ID)
    assert admission_for(StudentScreened(ID, ID, "rejected", "interview")) is None


def test_a_withdrawal_withdraws_the_candidate():
    withdrawal = withdrawal_for(StudentWithdrew(ID, ID, "moved away"))
    assert withdrawal == commands.WithdrawCandidate(
        student_id=ID, campaign_id=ID, reason="moved away"
    )


def test_the_service_consumes_recruitments_approvals_and_withdrawals():
    bound = {
        (entrypoint.source_service, entrypoint.event_type)
        for method in (PlacementService.on_student_screened, PlacementService.on_student_withdrew)
        for entrypoint in method.nameko_entrypoints
    }
    assert bound == {("recruitment", "StudentScreened"), ("recruitment", "StudentWithdrew")}


def test_a_rejection_is_skipped_and_a_malformed_envelope_refused_before_any_work():
    rejected = make_recruitment_event("StudentScreened", ID, ID, decision="rejected")
    nobody = object()  # no kit: nothing may be run
    with capture_logs() as logs:
        PlacementService.on_student_screened(nobody, rejected.to_dict())
    assert [line["event"] for line in logs] == ["event.skipped"]
    with pytest.raises(MalformedEnvelopeError):
        PlacementService.on_student_withdrew(nobody, {"event_type": "StudentWithdrew"})
