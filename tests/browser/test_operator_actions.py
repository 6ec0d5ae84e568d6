"""The operator's actions on hours, awards and matching rounds in headless Chromium, on the
suite the browser tests share (the demo season loaded): a pending hours entry is approved from
the hours page and the API agrees; a decline needs a reason; a granted award's certificate
downloads as a PDF; the demo's published round shows its stability report; no serious
accessibility violations.

The demo decides every hours entry it logs, so the test logs one more through the API as the
operator, at an activity where a volunteer's hours were declined (so the new hours fit the
activity's duration). Approving it changes only volunteering hours, which the other modules
compare with the API's answer of the moment rather than with fixed figures. The API is called
with one operator session for the module: sign-ins are rate-limited per account, and the
modules after this one sign in too."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import OPERATOR, OPERATOR_PASSWORD, ConsoleSuite, screenshot, sign_in

pytestmark = pytest.mark.browser


class Api:
    """The API as the operator, on one session (the suite's ``api`` signs in on each call)."""

    def __init__(self, suite: ConsoleSuite) -> None:
        self.base = f"{suite.base_url}/api/v1"
        credentials = {"username": OPERATOR, "password": OPERATOR_PASSWORD}
        token = _ok(requests.post(f"{self.base}/sessions", json=credentials, timeout=10))
        self.headers = {"Authorization": f"Bearer {token['access_token']}"}

    def __call__(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        answer = requests.request(
            method, self.base + path, headers=self.headers, timeout=30, **kwargs
        )
        return _ok(answer)


def _ok(response: requests.Response) -> dict[str, Any]:
    assert response.ok, (response.status_code, response.text[:500])
    answer: dict[str, Any] = response.json()
    return answer


@pytest.fixture(scope="module")
def api(console_suite: ConsoleSuite) -> Api:
    return Api(console_suite)


@pytest.fixture(scope="module")
def operator(browser: Browser, console_suite: ConsoleSuite) -> Iterator[Page]:
    """One tab signed in once as the operator for the module's tests (as ``page`` is made)."""
    context = browser.new_context(
        base_url=console_suite.base_url,
        viewport={"width": 1280, "height": 860},
        accept_downloads=True,
        locale="zh-CN",
    )
    opened = context.new_page()
    opened.set_default_timeout(20_000)
    sign_in(opened)
    try:
        yield opened
    finally:
        context.close()


def _no_serious_violations(page: Page) -> None:
    results = Axe().run(page)
    serious = [
        v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")
    ]
    assert not serious, [(v["id"], v["help"], len(v["nodes"])) for v in serious]


def _pending_hours(api: Api, campaign: str) -> str:
    """A new pending hours entry, logged as the operator for a declined volunteer."""
    declined = api("GET", f"/hours?campaign_id={campaign}&status=declined&limit=1")
    assert declined["items"], "the demo declines some hours"
    entry = declined["items"][0]
    logged = api(
        "POST",
        f"/activities/{entry['activity_id']}/hours",
        json={"student_id": entry["student_id"], "hours": 0.5, "note": "补登 logged late"},
    )
    hours_id = str(logged["hours_id"])
    deadline = time.monotonic() + 15  # the list is a read model: it follows in a moment
    while time.monotonic() < deadline:
        pending = api("GET", f"/hours?campaign_id={campaign}&status=pending&limit=200")
        if any(item["hours_id"] == hours_id for item in pending["items"]):
            return hours_id
        time.sleep(0.2)
    raise AssertionError(f"hours {hours_id} never listed as pending")


def _hours_status(api: Api, campaign: str, hours_id: str) -> str:
    deadline = time.monotonic() + 10
    while True:
        items = api("GET", f"/hours?campaign_id={campaign}&limit=200")["items"]
        status = next(str(i["status"]) for i in items if i["hours_id"] == hours_id)
        if status != "pending" or time.monotonic() > deadline:
            return status
        time.sleep(0.2)


def test_an_operator_approves_pending_hours_and_the_api_agrees(
    operator: Page, console_suite: ConsoleSuite, api: Api
) -> None:
    page = operator
    hours_id = _pending_hours(api, console_suite.campaign_id)
    page.goto(f"/campaigns/{console_suite.campaign_id}/hours")
    expect(page.get_by_role("heading", name="志愿时长审核 Hours to approve")).to_be_visible()
    status = page.locator(f"[data-hours-status='{hours_id}']")
    expect(status).to_have_text("待审核 Pending")
    _no_serious_violations(page)
    screenshot(page, "hours")

    page.locator(f"button[data-approve='{hours_id}']").click()
    expect(page.get_by_role("status").filter(has_text="时长已批准")).to_be_visible()
    expect(status).to_have_text("已批准 Approved")
    expect(page.locator(f"button[data-approve='{hours_id}']")).to_have_count(0)
    assert _hours_status(api, console_suite.campaign_id, hours_id) == "approved"


def test_declining_hours_needs_a_reason_and_records_it(
    operator: Page, console_suite: ConsoleSuite, api: Api
) -> None:
    page = operator
    hours_id = _pending_hours(api, console_suite.campaign_id)
    page.goto(f"/campaigns/{console_suite.campaign_id}/hours")
    page.locator(f"button[data-decline='{hours_id}']").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="不予批准 Decline").click()  # the reason is required
    expect(dialog).to_be_visible()
    dialog.get_by_label("原因 Reason").fill("活动当天未到场 did not come")
    dialog.get_by_role("button", name="不予批准 Decline").click()
    expect(page.locator(f"[data-hours-status='{hours_id}']")).to_have_text("未批准 Declined")
    assert _hours_status(api, console_suite.campaign_id, hours_id) == "declined"


def test_an_operator_downloads_a_granted_awards_certificate(
    operator: Page, console_suite: ConsoleSuite, api: Api
) -> None:
    page = operator
    campaign = console_suite.campaign_id
    awards = api("GET", f"/awards?campaign_id={campaign}&status=granted")
    serial = str(awards["items"][0]["serial"])
    page.goto(f"/campaigns/{campaign}/awards")
    expect(page.get_by_role("heading", name="荣誉与证书 Awards and certificates")).to_be_visible()
    link = page.locator(f"a[data-certificate='{serial}']")
    expect(link).to_have_attribute("href", f"/api/v1/certificates/{serial}.pdf")
    _no_serious_violations(page)
    screenshot(page, "awards")

    with page.expect_download() as downloaded:
        link.click()
    path = downloaded.value.path()
    assert path.read_bytes().startswith(b"%PDF")
    assert downloaded.value.suggested_filename.endswith(".pdf")


def test_the_demos_published_round_shows_its_stability_report(
    operator: Page, console_suite: ConsoleSuite, api: Api
) -> None:
    page = operator
    campaign = console_suite.campaign_id
    rounds = api("GET", f"/campaigns/{campaign}/matching-rounds")["items"]
    published = next(r for r in rounds if r["status"] == "published")
    page.goto(f"/campaigns/{campaign}/rounds")
    expect(page.get_by_role("heading", name="双向选择匹配 Matching rounds")).to_be_visible()
    report = page.locator(f"[data-stability='{published['round_id']}']")
    expect(report).to_contain_text("稳定 Stable" if published["stable"] else "不稳定 Unstable")
    expect(report).to_contain_text(f"{len(published['assignments'])} 配对 matched")
    expect(page.locator(f"button[data-publish='{published['round_id']}']")).to_have_count(0)
    _no_serious_violations(page)
    screenshot(page, "rounds")
