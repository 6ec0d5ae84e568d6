"""A small second season, built through the public API, for the browser tests that act: the
demo leaves every placement started and every award granted (its title's quota used), so
nothing in it can be readied, matched or granted any more.

Its own campaign keeps the demo's figures (which other modules compare with fixed numbers)
as they were. Five students are approved: two placed directly at one position (one to be
readied in the browser, one taken through its practice to an award), two who ranked the other
position and whom its unit ranked (for a matching round run in the browser), and one left
over. Every call is the operator's, on one session, as in ``test_operator_actions``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from gravity.demo.data import registrations
from tests.browser.conftest import OPERATOR, OPERATOR_PASSWORD, ConsoleSuite

PASSWORD = "quiet-river-lantern-42"  # the invited test accounts'


def ok(response: requests.Response) -> dict[str, Any]:
    assert response.ok, (
        response.request.method,
        response.url,
        response.status_code,
        response.text[:500],
    )
    answer: dict[str, Any] = response.json()
    return answer


class Api:
    """The API as the operator, on one session (sign-ins are rate-limited per account)."""

    def __init__(self, suite: ConsoleSuite) -> None:
        self.base = f"{suite.base_url}/api/v1"
        credentials = {"username": OPERATOR, "password": OPERATOR_PASSWORD}
        token = ok(requests.post(f"{self.base}/sessions", json=credentials, timeout=10))
        self.headers = {"Authorization": f"Bearer {token['access_token']}"}

    def raw(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return requests.request(
            method, self.base + path, headers=self.headers, timeout=30, **kwargs
        )

    def __call__(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return ok(self.raw(method, path, **kwargs))

    def until(self, path: str, done: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
        """Read ``path`` until ``done``: the read models follow a command in a moment (and
        may not know a new record yet: 404)."""
        deadline = time.monotonic() + 60
        while True:
            answer = self.raw("GET", path)
            if answer.status_code != 404 and done(found := ok(answer)):
                return found
            assert time.monotonic() < deadline, f"gave up waiting for {what}"
            time.sleep(0.2)

    def invite(self, role: str, subject_id: str | None = None) -> str:
        """An account for ``subject_id`` (invited, then accepted); answers its username."""
        body = {"role": role} | ({"subject_id": subject_id} if subject_id else {})
        invitation = self("POST", "/invitations", json=body)
        username = f"{role.replace('_', '-')}-{uuid.uuid4().hex[:6]}"
        ok(
            requests.post(
                f"{self.base}/invitations/{invitation['token']}/acceptance",
                json={"username": username, "password": PASSWORD},
                timeout=30,
            )
        )
        return username


@dataclass
class Season:
    campaign_id: str
    host_unit_id: str
    direct_position_id: str  # where the two placed directly are
    matching_position_id: str  # the one the two matching students ranked
    names: dict[str, str] = field(default_factory=dict)  # student id -> registered name
    readied: dict[str, str] = field(default_factory=dict)  # student and placement to ready
    awarded: dict[str, str] = field(default_factory=dict)  # student and placement to award
    matching: list[str] = field(default_factory=list)  # the two students to match
    starts_on: str = ""
    ends_on: str = ""


def build_season(api: Api) -> Season:
    """The campaign, its students, a host unit with two positions, and the rankings."""
    now = datetime.now(UTC)
    campaign_id = str(uuid.uuid4())
    api(
        "POST",
        "/campaigns",
        json={
            "campaign_id": campaign_id,
            "name": "引力计划 国庆 (browser actions)",
            "year": now.year,
            "season": "summer",
            "registration_opens_at": (now - timedelta(days=1)).isoformat(),
            "registration_closes_at": (now + timedelta(days=30)).isoformat(),
            "scope": "home-district university students",
            "practice_content": "government host units",
        },
    )
    api("POST", f"/campaigns/{campaign_id}/open")
    names: dict[str, str] = {}
    for person in registrations(5, seed=int(uuid.uuid4().int % 100_000) + 101):
        student_id = str(uuid.uuid4())
        api(
            "POST",
            f"/campaigns/{campaign_id}/registrations",
            json=person | {"student_id": student_id},
        )
        names[student_id] = str(person["name"])
    for student_id in names:
        screening = {"decision": "approved", "reason": "interviewed; suited to the practice"}
        api("POST", f"/students/{student_id}/screening", json=screening)
    unit = api(
        "POST",
        "/host-units",
        json={
            "name": f"区浏览器测试局 {uuid.uuid4().hex[:4]}",
            "kind": "district bureau",
            "township": "Xiangyang Street",
            "contact_person": "王主任",
            "contact_phone": "0371-61234567",
        },
    )["host_unit_id"]
    today = now.date()
    starts_on, ends_on = today.isoformat(), (today + timedelta(days=20)).isoformat()
    positions = [
        api(
            "POST",
            f"/host-units/{unit}/positions",
            json={
                "campaign_id": campaign_id,
                "title": title,
                "duties": "help the office with residents' letters",
                "capacity": 2,
                "starts_on": starts_on,
                "ends_on": ends_on,
                "place": "District offices",
                "requirements": "home-district student",
            },
        )["position_id"]
        for title in ("档案整理助理", "政策调研助理")
    ]
    window = {
        "opens_at": (now - timedelta(minutes=1)).isoformat(),
        "closes_at": (now + timedelta(days=7)).isoformat(),
        "max_choices": 3,
    }
    api("POST", f"/campaigns/{campaign_id}/selection-window", json=window)
    report = f"/campaigns/{campaign_id}/placements/report"
    api.until(report, lambda r: r["candidates"] == len(names), "the approved candidates")
    students = list(names)
    season = Season(
        campaign_id, unit, positions[0], positions[1], names, starts_on=starts_on, ends_on=ends_on
    )
    for role, student_id in (("readied", students[0]), ("awarded", students[1])):
        placement = api(
            "POST",
            "/placements",
            json={
                "student_id": student_id,
                "position_id": positions[0],
                "reason": "needed at once",
            },
        )
        getattr(season, role).update(student_id=student_id, placement_id=placement["placement_id"])
    season.matching = students[2:4]
    for student_id in season.matching:
        ranking = {"position_ids": [positions[1]]}
        api("PUT", f"/campaigns/{campaign_id}/students/{student_id}/ranking", json=ranking)
    applicants = f"/positions/{positions[1]}/applicants"
    api.until(applicants, lambda a: len(a["applicants"]) == 2, "the two applicants")
    ranked = {"student_ids": season.matching, "unacceptable": []}
    api("PUT", f"/positions/{positions[1]}/applicant-ranking", json=ranked)
    api.until(applicants, lambda a: a["applicant_ranking"] == season.matching, "the unit's ranking")
    return season


def ready_through_the_api(api: Api, season: Season, placement_id: str, student_id: str) -> None:
    """Insurance, training and both documents, as the demo does them."""
    path = f"/placements/{placement_id}"
    insurance = {
        "insurer": "PICC District Branch",
        "policy_number": f"PA-{uuid.uuid4().hex[:8]}",
        "insured_person": season.names[student_id],
        "covers_from": season.starts_on,
        "covers_until": season.ends_on,
    }
    api("POST", f"{path}/insurance", json=insurance)
    api(
        "POST",
        f"{path}/training",
        json={"session": "pre-job training", "attended_on": season.starts_on},
    )
    for document in newest_documents(api).values():
        signature = {key: document[key] for key in ("document_kind", "version", "content_hash")}
        api("POST", f"{path}/documents", json=signature)


def newest_documents(api: Api) -> dict[str, dict[str, Any]]:
    """The newest published version of each document students sign."""
    newest: dict[str, dict[str, Any]] = {}
    for document in api("GET", "/documents")["documents"]:
        kind = document["document_kind"]
        if kind not in newest or document["published_at"] > newest[kind]["published_at"]:
            newest[kind] = document
    return newest
