"""The host unit's, the student's and the auditor's pages in headless Chromium, on the suite
the browser tests share (the demo season loaded): each role is invited by the operator
(POST /invitations, then the invitee accepts), signs in and sees its own things; a host unit
ranks a position's applicants and the order outlives a reload; a student never sees another
student's data; the auditor's head is the API's; no serious accessibility violations."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import ConsoleSuite, screenshot, sign_in

pytestmark = pytest.mark.browser

PASSWORD = "quiet-river-lantern-42"  # the test accounts'


@dataclass
class Roles:
    unit: str  # usernames
    student: str
    auditor: str
    host_unit_id: str
    position_id: str  # one of the unit's positions with two applicants or more
    student_id: str  # the student with a completed placement
    other_student_id: str
    other_student_name: str


def _ok(response: requests.Response) -> dict[str, Any]:
    assert response.ok, (response.status_code, response.text[:500])
    answer: dict[str, Any] = response.json()
    return answer


def _invite(suite: ConsoleSuite, role: str, subject_id: str | None) -> str:
    body: dict[str, Any] = {"role": role}
    if subject_id:
        body["subject_id"] = subject_id
    invitation = _ok(suite.api("POST", "/invitations", json=body))
    username = f"{role.replace('_', '-')}-{uuid.uuid4().hex[:6]}"
    accepted = requests.post(
        f"{suite.base_url}/api/v1/invitations/{invitation['token']}/acceptance",
        json={"username": username, "password": PASSWORD},
        timeout=30,
    )
    _ok(accepted)
    return username


@pytest.fixture(scope="module")
def roles(console_suite: ConsoleSuite) -> Roles:
    """A host unit with a completed placement and a position with several applicants, a
    student with a completed placement, and an auditor, each with an invited account."""
    campaign = console_suite.campaign_id
    placements = _ok(console_suite.api("GET", f"/campaigns/{campaign}/placements?limit=200"))
    completed = [p for p in placements["items"] if p["status"] == "completed"]
    assert completed, "the demo has completed placements"
    chosen: tuple[str, str] | None = None
    for placement in completed:
        unit = placement["host_unit_id"]
        positions = _ok(
            console_suite.api("GET", f"/campaigns/{campaign}/positions?host_unit_id={unit}")
        )
        for position in positions["items"]:
            applicants = _ok(
                console_suite.api("GET", f"/positions/{position['position_id']}/applicants")
            )
            if len(applicants["applicants"]) >= 2:
                chosen = (unit, position["position_id"])
                break
        if chosen:
            break
    assert chosen, "a host unit with a completed placement and ranked applicants"
    student_id = completed[0]["student_id"]
    other = next(p["student_id"] for p in placements["items"] if p["student_id"] != student_id)
    other_name = _ok(console_suite.api("GET", f"/students/{other}"))["name"]
    return Roles(
        unit=_invite(console_suite, "host_unit", chosen[0]),
        student=_invite(console_suite, "student", student_id),
        auditor=_invite(console_suite, "auditor", None),
        host_unit_id=chosen[0],
        position_id=chosen[1],
        student_id=student_id,
        other_student_id=other,
        other_student_name=other_name,
    )


def _no_serious_violations(page: Page) -> None:
    results = Axe().run(page)
    serious = [
        v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")
    ]
    assert not serious, [(v["id"], v["help"], len(v["nodes"])) for v in serious]


def _order(page: Page) -> list[str]:
    order = page.eval_on_selector_all(
        "[data-testid='applicant']", "items => items.map(i => i.dataset.student)"
    )
    return [str(student) for student in order]


def test_a_host_unit_sees_its_positions_and_its_ranking_of_applicants_persists(
    page: Page, console_suite: ConsoleSuite, roles: Roles
) -> None:
    sign_in(page, roles.unit, PASSWORD)
    expect(page).to_have_url(re.compile(r"/unit/positions$"))
    expect(page.get_by_role("heading", name="本单位岗位 Our positions")).to_be_visible()
    expect(page.get_by_test_id(f"seats-{roles.position_id}")).to_be_visible()
    _no_serious_violations(page)
    screenshot(page, "unit-positions")

    page.locator(f"a[href='/unit/positions/{roles.position_id}']").click()
    expect(page.get_by_role("heading", name="申请人排序 Rank the applicants")).to_be_visible()
    before = _order(page)
    assert len(before) >= 2
    # By keyboard: focus the second applicant's "move up" and press Enter.
    page.locator(f"button[data-student='{before[1]}'][data-move='-1']").focus()
    page.keyboard.press("Enter")
    wanted = [before[1], before[0], *before[2:]]
    assert _order(page) == wanted
    page.get_by_role("button", name="保存排序 Save the ranking").click()
    expect(page.get_by_role("status").filter(has_text="排序已保存")).to_be_visible()
    _no_serious_violations(page)
    screenshot(page, "unit-applicants")

    # The read model follows the command: the reload shows the saved order once it has.
    for _ in range(20):
        page.reload()
        expect(page.get_by_test_id("applicant").first).to_be_visible()
        if _order(page) == wanted:
            break
        page.wait_for_timeout(300)
    assert _order(page) == wanted
    ranking = _ok(console_suite.api("GET", f"/positions/{roles.position_id}/applicants"))
    assert ranking["applicant_ranking"][: len(wanted)] == wanted

    page.get_by_role("link", name=re.compile("实践安排 Placements")).click()
    expect(page.get_by_role("heading", name="实践安排 Placements")).to_be_visible()
    expect(page.get_by_text(re.compile("已完成 Completed")).first).to_be_visible()
    _no_serious_violations(page)
    screenshot(page, "unit-placements")


def test_a_student_sees_their_status_and_transcript_and_never_another_students_data(
    page: Page, roles: Roles
) -> None:
    sign_in(page, roles.student, PASSWORD)
    expect(page).to_have_url(re.compile(rf"/me/{roles.student_id}$"))
    expect(page.get_by_test_id("student-status")).to_contain_text("已通过 Approved")
    link = page.get_by_test_id("transcript-link")
    expect(link).to_have_attribute("href", f"/api/v1/students/{roles.student_id}/transcript.pdf")
    with page.expect_download() as downloaded:
        link.click()
    assert downloaded.value.suggested_filename.endswith(".pdf")
    _no_serious_violations(page)
    screenshot(page, "student")

    page.goto(f"/me/{roles.other_student_id}")
    expect(page.get_by_role("alert")).to_contain_text("无权")
    content = page.content()
    assert roles.other_student_name not in content
    assert roles.other_student_id not in page.locator("main").inner_text()
    screenshot(page, "student-refused")


def test_an_auditor_sees_the_apis_head_and_searches_events_by_type(
    page: Page, console_suite: ConsoleSuite, roles: Roles
) -> None:
    sign_in(page, roles.auditor, PASSWORD)
    expect(page).to_have_url(re.compile(r"/audit$"))
    expect(page.get_by_test_id("head-position")).not_to_be_empty()
    api = f"{console_suite.base_url}/api/v1"
    token = _ok(
        requests.post(
            f"{api}/sessions", json={"username": roles.auditor, "password": PASSWORD}, timeout=10
        )
    )["access_token"]
    auditor = {"Authorization": f"Bearer {token}"}  # the head is the auditor's to read
    # The page's head equals the API's read right after it (the log is still between
    # tests; should a late access record land in between, the page is read again).
    for _ in range(5):
        shown = int(page.get_by_test_id("head-position").inner_text())
        head = _ok(requests.get(f"{api}/audit/head", headers=auditor, timeout=10))
        if shown == head["position"]:
            break
        page.reload()
        expect(page.get_by_test_id("head-position")).not_to_be_empty()
    assert shown == head["position"] > 0
    _no_serious_violations(page)
    screenshot(page, "audit")

    page.get_by_label("事件类型 Event type").fill("PlacementCompleted")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/audit\?type=PlacementCompleted$"))
    types = page.get_by_test_id("event-type")
    expect(types.first).to_have_text("PlacementCompleted")
    assert set(types.all_inner_texts()) == {"PlacementCompleted"}
