"""Edge input through the running gateway and recruitment: each answers a clean 4xx in JSON,
nothing is written, and an id that is taken is a plain conflict."""

from __future__ import annotations

import json

import requests

from tests.factories import make_resident_id
from tests.integration import test_gateway_api as gateway_api
from tests.integration.test_gateway_api import Stack, make_campaign, make_registration

settings = gateway_api.settings  # the fixtures: SQLite and PostgreSQL, recruitment and gateway
stack = gateway_api.stack


def post_raw(stack: Stack, path: str, body: str) -> requests.Response:
    headers = stack.auth("operator") | {"Content-Type": "application/json"}
    return requests.post(stack.url + path, data=body.encode(), headers=headers, timeout=15)


def test_spoofing_text_overflowing_timestamps_and_repeated_keys_are_refused(stack: Stack):
    campaign_id = stack.open_campaign()
    before = stack.recorded()
    registration = make_registration(4, name="Sun\ud800")
    lone = post_raw(
        stack, f"/api/v1/campaigns/{campaign_id}/registrations", json.dumps(registration)
    )
    assert (lone.status_code, lone.json()["error"]) == (422, "VALIDATION_FAILED")
    assert "U+D800" in lone.json()["details"]["fields"]["name"][0]
    for name in ("\u202eSun", "Sun\x00", "\x1b[31mSun", "Sun\r\nYue", "Sun\u200bYue", "a\u2028b"):
        answer = stack.call(
            "POST",
            f"/api/v1/campaigns/{campaign_id}/registrations",
            json=make_registration(5, name=name),
        )
        assert answer.status_code == 422, repr(name)
    for moment in ("9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+01:00"):
        answer = stack.call(
            "POST", "/api/v1/campaigns", json=make_campaign(registration_opens_at=moment)
        )
        assert (answer.status_code, answer.json()["error"]) == (422, "VALIDATION_FAILED")
    repeated = post_raw(stack, "/api/v1/campaigns", '{"year": 1999, "year": 2026}')
    assert (repeated.status_code, repeated.json()["error"]) == (400, "MALFORMED_JSON")
    assert stack.recorded() == before


def test_an_offset_past_any_integer_is_a_validation_failure(stack: Stack):
    answer = stack.call("GET", "/api/v1/campaigns?offset=9223372036854775808")
    assert (answer.status_code, answer.json()["error"]) == (422, "VALIDATION_FAILED")


def test_an_oversize_token_answers_431_in_json(stack: Stack):
    answer = requests.get(
        f"{stack.url}/api/v1/campaigns",
        headers={"Authorization": "Bearer " + "a" * 8200},
        timeout=15,
    )
    assert answer.status_code == 431
    assert answer.json()["error"] == "HEADERS_TOO_LARGE"


def test_a_taken_id_and_a_taken_student_id_are_plain_conflicts(stack: Stack):
    campaign_id = stack.open_campaign()
    again = stack.call("POST", "/api/v1/campaigns", json=make_campaign(campaign_id=campaign_id))
    assert (again.status_code, again.json()["error"]) == (409, "ALREADY_EXISTS")
    first = stack.call(
        "POST",
        f"/api/v1/campaigns/{campaign_id}/registrations",
        json=make_registration(6, id_number=make_resident_id(6)),
    )
    assert first.status_code == 201, first.text
    student_id = first.json()["student_id"]
    second = stack.call(
        "POST",
        f"/api/v1/campaigns/{campaign_id}/registrations",
        json=make_registration(7, id_number=make_resident_id(7), student_id=student_id),
    )
    assert (second.status_code, second.json()["error"]) == (409, "ALREADY_EXISTS")
    assert second.json()["details"] == {"field": "student_id"}
