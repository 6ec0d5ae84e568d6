"""Factories with overrides: realistic defaults from the 2023 reference summer."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime
from typing import Any

from shared.contracts.recruitment.commands import CreateCampaign, RegisterStudent
from shared.events.envelope import Envelope
from shared.resident_id import check_character


def make_resident_id(seed: int | None = None, birth: str = "20030515") -> str:
    """A valid 18-character ID number (region 410102, Zhengzhou) with a correct check digit."""
    rng = random.Random(seed)
    first = f"410102{birth}{rng.randint(0, 999):03d}"
    return first + check_character(first)


def make_campaign_plan(**overrides: Any) -> CreateCampaign:
    values: dict[str, Any] = {
        "campaign_id": str(uuid.uuid4()),
        "name": "Gravity Plan 2023 summer practice",
        "year": 2023,
        "season": "summer",
        "registration_opens_at": datetime(2023, 5, 1, tzinfo=UTC),
        "registration_closes_at": datetime(2023, 6, 30, tzinfo=UTC),
        "scope": "home-district university students",
        "practice_content": "government host units, summer classrooms, civilised-city work",
    }
    values.update(overrides)
    return CreateCampaign(**values)


def make_application(**overrides: Any) -> RegisterStudent:
    """A registration (a student's application), into a new campaign unless told otherwise."""
    values: dict[str, Any] = {
        "student_id": str(uuid.uuid4()),
        "campaign_id": str(uuid.uuid4()),
        "name": "李明",
        "phone": "13800138000",
        "id_number": make_resident_id(1),
        "university": "Zhengzhou University",
        "major": "Public Administration",
        "grade": "junior",
        "hometown": "Xiangyang Street",
        "channel": "organisation",
    }
    values.update(overrides)
    return RegisterStudent(**values)


def make_recruitment_event(
    event_type: str, student_id: str, campaign_id: str, **payload: str
) -> Envelope:
    """A recruitment event about one student, as recruitment's relay would publish it."""
    return Envelope(
        event_type=event_type,
        schema_version=1,
        stream_id=f"student-{student_id}",
        stream_version=2,
        producer="recruitment",
        actor="operator:ops-1",
        correlation_id=f"corr-{student_id}",
        payload={"student_id": student_id, "campaign_id": campaign_id, "reason": "", **payload},
    )


def make_registered_event(student_id: str, campaign_id: str, /, **payload: object) -> Envelope:
    """A student's StudentRegistered (version 1) with the reference student's personal fields
    in plain text, as recruitment's handler makes it before sealing. ``payload`` overrides its
    fields, the student's id among them (its stream stays ``student_id``'s)."""
    values: dict[str, object] = {
        "student_id": student_id,
        "campaign_id": campaign_id,
        "name": "孙悦",
        "phone": "13912345678",
        "id_number": "11010519491231002X",
        "university": "Henan University",
        "major": "Law",
        "grade": "junior",
        "hometown": "Beiguan Town",
        "channel": "organisation",
    }
    return Envelope(
        event_type="StudentRegistered",
        schema_version=1,
        stream_id=f"student-{student_id}",
        stream_version=1,
        producer="recruitment",
        actor="operator:op-1",
        correlation_id="c-1",
        payload=values | payload,
    )


def make_subject_erased(
    student_id: str, campaign_id: str, /, version: int = 2, **payload: object
) -> Envelope:
    """A student's SubjectErased at ``version`` (1: every field class; 2: the classes given as
    ``field_classes`` in ``payload``, which overrides the other fields too)."""
    values: dict[str, object] = {
        "subject_id": student_id,
        "campaign_id": campaign_id,
        "reason": "asked by the student",
    }
    return Envelope(
        event_type="SubjectErased",
        schema_version=version,
        stream_id=f"student-{student_id}",
        stream_version=2,
        producer="recruitment",
        actor="operator:op-1",
        correlation_id="c-2",
        payload=values | payload,
    )


def make_alliance_joined(
    stream_version: int = 1, student_id: str = "s", **overrides: Any
) -> Envelope:
    """A student's AllianceJoined at a version of the student's stream, as the event store's
    tests append it: a new event id and new ids in the payload each time."""
    values: dict[str, Any] = {
        "event_type": "AllianceJoined",
        "schema_version": 1,
        "stream_id": f"student-{student_id}",
        "stream_version": stream_version,
        "producer": "recruitment",
        "actor": "a",
        "correlation_id": "c",
        "payload": {"student_id": str(uuid.uuid4()), "campaign_id": str(uuid.uuid4())},
    }
    return Envelope(**(values | overrides))


def recruitment_keepers(key: bytes = b"test-lookup-key-" * 2) -> dict[Any, Any]:
    """Recruitment's index keepers with a lookup key of their own (the service loads its key
    from the settings when its container is set up)."""
    from services.recruitment.adapters.indexes import ResidentIdIndex
    from services.recruitment.domain.student import Student
    from shared.lookup_digest import LookupDigest

    return {Student: ResidentIdIndex(LookupDigest(key))}
