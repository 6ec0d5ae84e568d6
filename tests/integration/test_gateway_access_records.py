"""Access records through the real gateway over RabbitMQ (SQLite and PostgreSQL): every read
of a student's personal data appends a record (who, whose, what for, when; no data), a
student reads who accessed their data (never another student's), and auditors find the same
records in the event log."""

from __future__ import annotations

import json
from typing import Any

import requests

from gateway.core.tokens import issue_token
from tests.factories import make_resident_id
from tests.integration.test_gateway_api import NAME, PHONE, wait_for
from tests.integration.test_gateway_lists import open_campaign, register
from tests.integration.test_gateway_placement import PlacementStack, settings, stack

__all__ = ["settings", "stack"]  # the placement tests' fixtures, used here as they are


def accesses(stack: PlacementStack, student: str, who: str = "operator") -> list[dict[str, Any]]:
    return list(stack.ok("GET", f"/students/{stack.ids[student]}/accesses", who)["items"])


def audit_events(stack: PlacementStack, **params: str) -> list[dict[str, Any]]:
    token = issue_token(stack.settings, "auditor", "aud-1")
    answer = requests.get(
        f"{stack.url}/api/v1/audit/events",
        params={"type": "PersonalDataAccessed", **params},
        headers={"Authorization": f"Bearer {token}"},
        timeout=15,
    )
    assert answer.status_code == 200, answer.text
    return [entry["event"] for entry in answer.json()["events"]]


def seeded(stack: PlacementStack) -> None:
    campaign_id = open_campaign(stack)
    stack.ids["campaign"] = campaign_id
    stack.ids["s1"] = register(stack, campaign_id, 61)
    stack.ids["s2"] = register(stack, campaign_id, 62)
    for student in ("s1", "s2"):  # each reads its own profile until the read model has it
        path = f"/students/{stack.ids[student]}"

        def status(path: str = path, student: str = student) -> int:
            return int(stack.call("GET", path, student).status_code)

        wait_for(status, lambda code: code == 200)


def test_each_profile_read_is_recorded_and_the_student_reads_who_it_was(stack):
    seeded(stack)
    s1 = stack.ids["s1"]
    before = accesses(stack, "s1", "s1")  # the wait above read s1's profile as s1, once
    stack.ok("GET", f"/students/{s1}")  # an operator reads s1's profile
    stack.ok("GET", f"/students/{s1}", "s1")  # and s1 its own
    records = accesses(stack, "s1", "s1")[len(before) :]
    assert [(r["actor"], r["purpose"], r["resource"]) for r in records] == [
        ("operator:op-1", "profile", f"students/{s1}"),
        (f"student:{s1}", "profile", f"students/{s1}"),
    ]
    assert [r["number"] for r in records] == sorted(r["number"] for r in records)
    assert all(r["accessed_at"] for r in records)
    text = json.dumps(accesses(stack, "s1"))
    assert NAME not in text
    assert PHONE not in text
    assert make_resident_id(61) not in text


def test_a_student_never_reads_another_students_access_records(stack):
    seeded(stack)
    stack.ok("GET", f"/students/{stack.ids['s1']}")
    refused = stack.call("GET", f"/students/{stack.ids['s1']}/accesses", "s2")
    assert refused.status_code in {403, 404}, refused.text
    assert "operator:op-1" not in refused.text
    assert accesses(stack, "s1")  # the operator reads them


def test_a_refused_or_missing_profile_read_records_nothing(stack):
    seeded(stack)
    before = accesses(stack, "s1")
    assert stack.call("GET", f"/students/{stack.ids['s1']}", "s2").status_code in {403, 404}
    assert accesses(stack, "s1") == before


def test_a_page_of_the_student_list_is_one_record_with_its_count_in_the_event_log(stack):
    seeded(stack)
    campaign_id, s1 = stack.ids["campaign"], stack.ids["s1"]
    page = stack.ok("GET", "/students", params={"campaign_id": campaign_id})
    assert len(page["items"]) == 2
    stack.ok("GET", f"/students/{s1}")

    def listed() -> list[dict[str, Any]]:
        return [
            event
            for event in audit_events(stack)
            if event["payload"]["resource"] == f"campaigns/{campaign_id}/students"
        ]

    [record] = wait_for(listed, lambda found: len(found) == 1)
    assert record["payload"]["subject_count"] == 2
    assert record["payload"].get("subject_id") is None
    assert record["actor"] == "operator:op-1"
    # An auditor finds one student's records by the student's stream.
    own = wait_for(
        lambda: audit_events(stack, stream=f"accesses-{s1}"),
        lambda found: any(e["actor"] == "operator:op-1" for e in found),
    )
    assert {event["payload"]["subject_id"] for event in own} == {s1}
    assert NAME not in json.dumps(own)


def test_the_access_page_query_is_validated(stack):
    seeded(stack)
    path = f"/students/{stack.ids['s1']}/accesses"
    for params in ({"limit": 0}, {"after": -1}, {"limit": "many"}, {"sort": "x"}):
        answer = stack.call("GET", path, params=params)
        assert answer.status_code == 422, (params, answer.text)
    first = stack.ok("GET", path, params={"limit": 1})
    assert len(first["items"]) == 1
    assert first["next_after"] == first["items"][0]["number"]
