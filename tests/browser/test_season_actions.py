"""The console's actions that need something left to do, in headless Chromium on a second
season built through the public API (``tests/browser/season.py``): an operator records a
placement's insurance (a wrong insured person told in words first) and its host unit the
training; the student reads and signs the practice notice and the confidentiality commitment;
the readiness gates turn done on the page and in the API. An operator runs a matching round,
reads its stability report and publishes it, and the offers reach the students; and grants a
nominated award (a practice completed and evaluated through the API) whose certificate then
downloads."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import ConsoleSuite, screenshot, sign_in
from tests.browser.season import (
    PASSWORD,
    Api,
    Season,
    build_season,
    newest_documents,
    ready_through_the_api,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def api(console_suite: ConsoleSuite) -> Api:
    return Api(console_suite)


@pytest.fixture(scope="module")
def season(api: Api) -> Season:
    return build_season(api)


def _context(browser: Browser, suite: ConsoleSuite) -> BrowserContext:
    return browser.new_context(
        base_url=suite.base_url,
        viewport={"width": 1280, "height": 860},
        accept_downloads=True,
        locale="zh-CN",
    )


@pytest.fixture(scope="module")
def operator(browser: Browser, console_suite: ConsoleSuite) -> Iterator[Page]:
    """One tab signed in once as the operator for the module's tests."""
    context = _context(browser, console_suite)
    opened = context.new_page()
    opened.set_default_timeout(20_000)
    sign_in(opened)
    try:
        yield opened
    finally:
        context.close()


@pytest.fixture
def tab(browser: Browser, console_suite: ConsoleSuite) -> Iterator[Page]:
    """A fresh tab for another role."""
    context = _context(browser, console_suite)
    opened = context.new_page()
    opened.set_default_timeout(20_000)
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


def _open_until_listed(page: Page, address: str, selector: str) -> None:
    """Open ``address`` until ``selector`` is on it: the lists are read models, a moment
    behind the commands that made the season."""
    for _ in range(30):
        page.goto(address)
        expect(page.locator("main h1")).to_be_visible()
        expect(page.locator("main table, main p.muted").first).to_be_visible()
        if page.locator(selector).count():
            return
        page.wait_for_timeout(300)
    raise AssertionError(f"{selector} never shown on {address}")


def _gate(page: Page, placement_id: str, gate: str) -> Any:
    return page.locator(f"[data-testid='gates-{placement_id}'] [data-gate='{gate}']")


def _api_gates(api: Api, placement_id: str, wanted: dict[str, bool]) -> dict[str, bool]:
    placement = api.until(
        f"/placements/{placement_id}",
        lambda p: all(p["gates"][k] == v for k, v in wanted.items()),
        f"the gates {wanted}",
    )
    gates: dict[str, bool] = placement["gates"]
    return gates


def test_an_operator_records_insurance_told_in_words_when_refused(
    operator: Page, api: Api, season: Season
) -> None:
    page = operator
    placement = season.readied["placement_id"]
    name = season.names[season.readied["student_id"]]
    record = f"button[data-record-insurance='{placement}']"
    _open_until_listed(page, f"/campaigns/{season.campaign_id}/placements?status=agreed", record)
    expect(
        page.get_by_role("heading", name="实践安排与上岗准备 Placements and readiness")
    ).to_be_visible()
    expect(_gate(page, placement, "insurance")).to_have_attribute("data-passed", "false")
    _no_serious_violations(page)

    page.locator(record).click()
    dialog = page.get_by_test_id("insurance-dialog")
    expect(dialog).to_be_visible()
    # The cover is offered as the position's period.
    expect(dialog.get_by_label(re.compile("^保障起始日"))).to_have_value(season.starts_on)
    expect(dialog.get_by_label(re.compile("^保障截止日"))).to_have_value(season.ends_on)
    dialog.get_by_label("保险公司 Insurer").fill("中国人保 区支公司")
    dialog.get_by_label("保单号 Policy number").fill("PA-2026-000917")
    insured = dialog.get_by_label(re.compile("^被保险人"))
    insured.fill("张冠李戴")  # not the placed student
    _no_serious_violations(page)
    screenshot(page, "placements-insurance")
    dialog.get_by_role("button", name="保存 Save").click()

    problem = dialog.get_by_role("alert")
    expect(problem).to_have_text(
        "保单被保险人须为该学生本人。 The policy must name the placed student."
    )
    expect(insured).to_have_attribute("aria-invalid", "true")
    assert "INSURED_PERSON_MISMATCH" not in page.content()
    assert _gate(page, placement, "insurance").get_attribute("data-passed") == "false"

    insured.fill(name)
    dialog.get_by_role("button", name="保存 Save").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text="保险已记录")).to_be_visible()
    expect(_gate(page, placement, "insurance")).to_have_attribute("data-passed", "true")
    expect(page.locator(record)).to_have_count(0)
    expect(page.locator("#busy")).to_be_hidden()
    screenshot(page, "placements")
    assert _api_gates(api, placement, {"insurance": True})["training"] is False


def test_a_host_unit_records_the_training_from_its_placements(
    tab: Page, api: Api, season: Season
) -> None:
    page = tab
    placement = season.readied["placement_id"]
    sign_in(page, api.invite("host_unit", season.host_unit_id), PASSWORD)
    record = f"button[data-record-training='{placement}']"
    _open_until_listed(page, "/unit/placements", record)

    page.locator(record).click()
    dialog = page.get_by_test_id("training-dialog")
    dialog.get_by_label("培训场次 Training session").fill("区团委岗前培训 第一期")
    expect(dialog.get_by_label("参训日期 Attended on")).not_to_have_value("")
    dialog.get_by_label("参训日期 Attended on").fill(season.starts_on)
    dialog.get_by_role("button", name="保存 Save").click()

    expect(dialog).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text="培训已记录")).to_be_visible()
    expect(_gate(page, placement, "training")).to_have_attribute("data-passed", "true")
    expect(page.locator(record)).to_have_count(0)
    _no_serious_violations(page)
    screenshot(page, "unit-placements-readiness")
    assert _api_gates(api, placement, {"insurance": True, "training": True})


def test_a_student_reads_and_signs_the_documents_and_the_gates_turn_done(
    tab: Page, api: Api, season: Season
) -> None:
    page = tab
    placement, student = season.readied["placement_id"], season.readied["student_id"]
    sign_in(page, api.invite("student", student), PASSWORD)
    expect(page).to_have_url(re.compile(rf"/me/{student}$"))
    documents = page.locator(f"[data-documents='{placement}']")
    _open_until_listed(page, f"/me/{student}", f"[data-documents='{placement}']")
    expect(page.get_by_role("heading", name="待签文件 Documents to sign")).to_be_visible()
    newest = newest_documents(api)
    _no_serious_violations(page)

    for kind, document in newest.items():
        form = documents.locator(f"form[data-document='{kind}']")
        form.get_by_role("button", name="签署 Sign").click()  # not ticked as read: not sent
        expect(documents.locator(f"[data-unsigned='{kind}']")).to_be_visible()
        unsigned = documents.locator(f"[data-unsigned='{kind}']")
        unsigned.locator("summary").click()
        expect(unsigned.locator(".document-text")).to_have_text(document["text"])
        # What the page hashes before signing is the API's content hash of the text shown.
        hashed = page.evaluate(
            "async (text) => (await import('/static/js/digest.js')).contentHash(text)",
            document["text"],
        )
        assert hashed == document["content_hash"]
        if kind == "practice_notice":
            screenshot(page, "student-documents")
        form.get_by_role("checkbox").check()
        form.get_by_role("button", name="签署 Sign").click()
        signed = documents.locator(f"[data-signed='{kind}']")
        expect(signed).to_contain_text("已签署 Signed")
        expect(_gate(page, placement, kind)).to_have_attribute("data-passed", "true")

    expect(page.get_by_role("status").filter(has_text="已签署")).to_be_visible()
    page.reload()  # once the read model has them, the signatures show their version
    for kind, document in newest.items():
        signed = documents.locator(f"[data-signed='{kind}']")
        expect(signed).to_contain_text(f"已签署 Signed · {document['version']}")
    signatures = api.until(
        f"/placements/{placement}",
        lambda p: p["gates"]["practice_notice"] and p["gates"]["confidentiality_commitment"],
        "both signatures",
    )["documents"]
    assert {k: v["content_hash"] for k, v in signatures.items()} == {
        k: d["content_hash"] for k, d in newest.items()
    }


def test_an_operator_runs_and_publishes_a_matching_round_and_the_offers_go_out(
    operator: Page, api: Api, season: Season
) -> None:
    page = operator
    campaign = season.campaign_id
    page.goto(f"/campaigns/{campaign}/rounds")
    expect(page.get_by_role("heading", name="双向选择匹配 Matching rounds")).to_be_visible()
    expect(page.get_by_text("还没有匹配轮次")).to_be_visible()

    page.locator(f"button[data-run-round='{campaign}']").click()
    expect(page.get_by_role("status").filter(has_text="匹配已完成")).to_be_visible()
    report = page.locator("[data-stability]")
    expect(report).to_have_count(1)
    round_id = report.get_attribute("data-stability")
    proposed = api.until(f"/matching-rounds/{round_id}", lambda r: True, "the proposal")
    assert proposed["status"] == "proposed"
    assert proposed["stable"] is True
    pairs = {(a["student_id"], a["position_id"]) for a in proposed["assignments"]}
    assert pairs == {(student, season.matching_position_id) for student in season.matching}
    expect(report).to_contain_text("稳定 Stable")
    expect(report).to_contain_text("2 配对 matched")
    expect(report).to_contain_text(f"{len(proposed['unmatched'])} 未匹配 unmatched")
    _no_serious_violations(page)

    page.locator(f"button[data-publish='{round_id}']").click()
    expect(page.get_by_role("status").filter(has_text="匹配结果已发布")).to_be_visible()
    expect(page.locator(f"button[data-publish='{round_id}']")).to_have_count(0)
    expect(page.get_by_role("row").filter(has=report)).to_contain_text("已发布 Published")
    screenshot(page, "rounds-published")
    api.until(f"/matching-rounds/{round_id}", lambda r: r["status"] == "published", "publication")
    for student in season.matching:
        offers = api.until(
            f"/students/{student}/offers", lambda o: bool(o["offers"]), f"{student}'s offer"
        )["offers"]
        assert [(o["position_id"], o["status"]) for o in offers] == [
            (season.matching_position_id, "offered")
        ]


def _nominated(api: Api, season: Season) -> str:
    """The awarded student's practice readied, started, completed and evaluated through the
    API, then a nomination (retried while honours has not yet heard of the evaluation)."""
    placement, student = season.awarded["placement_id"], season.awarded["student_id"]
    ready_through_the_api(api, season, placement, student)
    path = f"/placements/{placement}"
    api("POST", f"{path}/start", json={"started_on": season.starts_on})
    api("POST", f"{path}/completion", json={"days_served": 1, "hours_served": 8})
    api("POST", f"{path}/evaluation", json={"score": 95, "comment": "thorough and kind"})
    body = {"student_id": student, "campaign_id": season.campaign_id, "citation": "服务认真负责"}
    deadline = time.monotonic() + 60
    while (answer := api.raw("POST", "/awards", json=body)).status_code == 409:
        assert time.monotonic() < deadline, answer.text
        time.sleep(0.3)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["award_id"])


def test_an_operator_grants_a_nominated_award_and_downloads_its_certificate(
    operator: Page, api: Api, season: Season
) -> None:
    page = operator
    award = _nominated(api, season)
    grant = f"button[data-grant='{award}']"
    _open_until_listed(page, f"/campaigns/{season.campaign_id}/awards", grant)
    expect(page.locator(f"[data-award='{award}']")).to_be_visible()

    page.locator(grant).click()
    expect(page.get_by_role("status").filter(has_text="荣誉已授予")).to_be_visible()
    certificate = page.locator(f"[data-award='{award}'] a[data-certificate]")
    expect(certificate).to_be_visible()
    serial = certificate.get_attribute("data-certificate") or ""
    assert re.fullmatch(r"ADV-\d{4}-\d{4}", serial), serial
    expect(page.locator(grant)).to_have_count(0)
    expect(page.locator(f"[data-award-status='{award}']")).to_have_text("已授予 Granted")
    expect(page.locator(f"[data-serial='{award}']")).to_have_text(serial)
    _no_serious_violations(page)
    screenshot(page, "awards-granted")

    granted = api.until(
        f"/awards?campaign_id={season.campaign_id}&status=granted",
        lambda a: any(i["award_id"] == award for i in a["items"]),
        "the grant",
    )
    assert next(i for i in granted["items"] if i["award_id"] == award)["serial"] == serial
    with page.expect_download() as downloaded:
        certificate.click()
    assert downloaded.value.path().read_bytes().startswith(b"%PDF")
