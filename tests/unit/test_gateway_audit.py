"""The auditor API without a broker or a database: who may call it, what its query strings
accept, how an entry is redacted and dumped, and what the OpenAPI document says of it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from gateway.audit import routes
from gateway.audit.schemas import (
    AuditEventsQuery,
    AuditEventsResponse,
    CheckpointsQuery,
    ConsistencyProofQuery,
    InclusionProofQuery,
)
from gateway.core.auth import authorize
from gateway.core.errors import ApiError, error_catalogue
from gateway.core.openapi import openapi_document
from gateway.core.request_body import load
from gateway.core.schemas import dump
from gateway.core.tokens import Principal
from gateway.sections import ROUTES
from shared.eventlog.reader import LoggedEvent
from shared.eventlog.redaction import WITHHELD, audit_line
from shared.events.envelope import Envelope
from tests.factories import make_resident_id

STUDENT, CAMPAIGN = str(uuid.uuid4()), str(uuid.uuid4())
NAME, PHONE = "孙悦", "13912345678"
REPORTS = [route for route in ROUTES if route.tag == "reports"]


def make_entry(event_type: str = "StudentRegistered", **payload: Any) -> LoggedEvent:
    registered = {
        "student_id": STUDENT,
        "campaign_id": CAMPAIGN,
        "name": NAME,
        "phone": PHONE,
        "id_number": make_resident_id(7),
        "university": "Henan University",
        "major": "Law",
        "grade": "junior",
        "hometown": "Beiguan Town",
        "channel": "self",
    }
    envelope = Envelope(
        event_type=event_type,
        schema_version=1,
        stream_id=f"student-{STUDENT}",
        stream_version=1,
        producer="recruitment",
        actor="operator:op-1",
        correlation_id="corr-1",
        payload=payload or registered,
    )
    recorded = datetime(2023, 7, 1, 8, 0, tzinfo=UTC)
    return LoggedEvent(position=7, envelope=envelope, recorded_at=recorded, hash="a" * 64)


def refused_fields(schema: type, query: dict[str, str]) -> dict[str, Any]:
    with pytest.raises(ApiError) as refused:
        load(schema, query)
    assert refused.value.code == "VALIDATION_FAILED"
    fields: dict[str, Any] = refused.value.details["fields"]
    return fields


@pytest.mark.parametrize("route", routes.ROUTES, ids=lambda route: route.name)
@pytest.mark.parametrize("role", ["operator", "host_unit", "student"])
def test_only_auditors_may_read_the_audit_api(route: Any, role: str) -> None:
    with pytest.raises(ApiError) as refused:
        authorize(Principal("someone", role), route.roles)
    assert (refused.value.status, refused.value.code) == (403, "FORBIDDEN")
    authorize(Principal("auditor-1", "auditor"), route.roles)


def test_every_audit_route_is_a_read_under_audit() -> None:
    assert {(route.method, route.path) for route in routes.ROUTES} == {
        ("GET", "/api/v1/audit/events"),
        ("GET", "/api/v1/audit/head"),
        ("GET", "/api/v1/audit/checkpoints"),
        ("GET", "/api/v1/audit/proofs/inclusion"),
        ("GET", "/api/v1/audit/proofs/consistency"),
    }
    assert all(route.command is None for route in routes.ROUTES)


def test_auditors_and_operators_read_every_campaign_report_and_nobody_else() -> None:
    assert {route.name for route in REPORTS} >= {
        "campaign_report",
        "placements_report",
        "volunteering_report",
    }
    for route in REPORTS:
        authorize(Principal("auditor-1", "auditor"), route.roles)
        authorize(Principal("op-1", "operator"), route.roles)
        for role in ("student", "host_unit"):
            with pytest.raises(ApiError):
                authorize(Principal(STUDENT, role), route.roles)


def test_an_entry_shows_its_personal_fields_redacted_and_the_rest_as_logged() -> None:
    line = audit_line(make_entry())
    payload = line["event"]["payload"]
    assert {payload[key] for key in ("name", "phone", "id_number")} == {"[personal data]"}
    assert payload["university"] == "Henan University"
    assert line["recorded_at"] == "2023-07-01T08:00:00.000000Z"
    assert (line["position"], line["hash"]) == (7, "a" * 64)
    assert NAME not in repr(line)
    assert PHONE not in repr(line)


def test_an_event_without_a_contract_has_every_payload_value_withheld() -> None:
    line = audit_line(make_entry("SomethingNobodyDeclared", secret=NAME, count=3))
    assert line["event"]["payload"] == {"secret": WITHHELD, "count": WITHHELD}


def test_only_an_explicit_reveal_shows_personal_data() -> None:
    assert audit_line(make_entry(), reveal_personal_data=True)["event"]["payload"]["name"] == NAME


def test_the_events_answer_keeps_the_eleven_envelope_keys_and_the_redaction() -> None:
    body = dump(AuditEventsResponse, {"events": [audit_line(make_entry())], "limit": 1})
    event = body["events"][0]["event"]
    assert len(event) == 11
    assert event["payload"]["name"] == "[personal data]"
    assert event["causation_id"] is None


def test_the_events_query_pages_by_position_and_maps_its_filters() -> None:
    assert load(AuditEventsQuery, {}) == {"after": 0, "limit": 100}
    loaded = load(
        AuditEventsQuery,
        {
            "type": "StudentScreened",
            "stream": "student-1",
            "after": "10",
            "before": "20",
            "from": "2023-07-01T00:00:00Z",
            "until": "2023-07-02T00:00:00+08:00",
            "limit": "1000",
        },
    )
    assert loaded == {
        "event_type": "StudentScreened",
        "stream_id": "student-1",
        "after": 10,
        "before": 20,
        "recorded_from": datetime(2023, 7, 1, tzinfo=UTC),
        "recorded_until": datetime(2023, 7, 1, 16, tzinfo=UTC),
        "limit": 1000,
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"after": "-1"}, "after"),
        ({"after": "ten"}, "after"),
        ({"from": "2023-07-01"}, "from"),
        ({"until": "yesterday"}, "until"),
        ({"from": "2023-07-02T00:00:00Z", "until": "2023-07-01T00:00:00Z"}, "until"),
        ({"actor": "operator:op-1"}, "actor"),
    ],
)
def test_the_events_query_refuses_bad_bounds(query: dict[str, str], field: str) -> None:
    assert field in refused_fields(AuditEventsQuery, query)


def test_the_checkpoints_query_is_bounded_too() -> None:
    assert load(CheckpointsQuery, {}) == {"after": 0, "limit": 100}
    assert "limit" in refused_fields(CheckpointsQuery, {"limit": "5000"})


def test_a_proof_query_needs_an_event_id_or_an_ordered_pair_of_sizes() -> None:
    event_id = str(uuid.uuid4())
    assert load(InclusionProofQuery, {"event_id": event_id}) == {"event_id": event_id}
    assert "event_id" in refused_fields(InclusionProofQuery, {})
    assert "event_id" in refused_fields(InclusionProofQuery, {"event_id": "42"})
    assert load(ConsistencyProofQuery, {"from": "3", "to": "9"}) == {"old_size": 3, "new_size": 9}
    assert "to" in refused_fields(ConsistencyProofQuery, {"from": "9", "to": "3"})
    assert "from" in refused_fields(ConsistencyProofQuery, {"from": "0", "to": "3"})


def test_proof_refusals_have_their_own_codes_in_the_catalogue() -> None:
    catalogue = error_catalogue()
    assert catalogue["EVENT_NOT_IN_LOG"].status == 404
    assert catalogue["PROOF_UNAVAILABLE"].status == 409
    assert "EVENT_NOT_IN_LOG" in routes.INCLUSION_PROOF.error_codes
    assert "PROOF_UNAVAILABLE" in routes.CONSISTENCY_PROOF.error_codes


def test_the_openapi_document_describes_every_audit_answer_for_auditors_only() -> None:
    paths = openapi_document(ROUTES)["paths"]
    for route in routes.ROUTES:
        operation = paths[route.path]["get"]
        assert operation["description"] == "Roles: auditor."
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema["$ref"].startswith("#/components/schemas/")
    inclusion = paths["/api/v1/audit/proofs/inclusion"]["get"]["responses"]
    assert "EVENT_NOT_IN_LOG" in inclusion["404"]["description"]
    assert "PROOF_UNAVAILABLE" in inclusion["409"]["description"]
    for route in REPORTS:
        assert "auditor" in paths[route.path]["get"]["description"]
