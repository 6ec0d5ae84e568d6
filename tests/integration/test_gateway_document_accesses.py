"""Access records of the documents that show a student's personal data, through the real
gateway and services: a transcript (JSON and PDF), an honour certificate and an appointment
letter each leave one record in their holder's stream, and a refused read leaves none."""

from __future__ import annotations

from typing import Any

from tests.integration.test_gateway_api import wait_for
from tests.integration.test_gateway_honors import (
    HonoursStack,
    a_summer,
    award_and_appoint,
    settings,
    stack,
)
from tests.integration.test_gateway_volunteering import postgres_databases

# The honours tests' fixtures (and the one their PostgreSQL variant needs), used as they are.
__all__ = ["postgres_databases", "settings", "stack"]


def records(stack: HonoursStack, who: str) -> list[tuple[str, str, str]]:
    page = stack.ok("GET", f"/students/{stack.ids[who]}/accesses", who, params={"limit": 200})
    return [(item["actor"], item["purpose"], item["resource"]) for item in page["items"]]


def test_each_document_read_is_recorded_in_its_holders_access_records(stack):
    a_summer(stack)
    award_and_appoint(stack)
    ids: dict[str, Any] = stack.ids
    before = {who: records(stack, who) for who in ("s1", "s2")}
    wait_for(
        lambda: stack.call("GET", f"/certificates/{ids['certificate']}.pdf").status_code,
        lambda status: status == 200,
    )
    wait_for(
        lambda: stack.call("GET", f"/appointments/{ids['letter']}.pdf").status_code,
        lambda status: status == 200,
    )
    s1, s2 = ids["s1"], ids["s2"]
    assert stack.call("GET", f"/students/{s1}/transcript", "s1").status_code == 200
    assert stack.call("GET", f"/students/{s1}/transcript.pdf").status_code == 200
    assert stack.call("GET", f"/students/{s1}/transcript", "s2").status_code == 404
    assert stack.call("GET", f"/certificates/{ids['certificate']}.pdf", "s2").status_code == 404

    new_s1 = records(stack, "s1")[len(before["s1"]) :]
    assert (
        "operator:operator-1",
        "certificate",
        f"certificates/{ids['certificate']}.pdf",
    ) in new_s1
    assert new_s1[-2:] == [
        (f"student:{s1}", "transcript", f"students/{s1}/transcript"),
        ("operator:operator-1", "transcript", f"students/{s1}/transcript.pdf"),
    ]
    assert not [record for record in new_s1 if record[0] == f"student:{s2}"]
    new_s2 = records(stack, "s2")[len(before["s2"]) :]
    assert set(new_s2) == {
        ("operator:operator-1", "appointment_letter", f"appointments/{ids['letter']}.pdf")
    }
