"""The auditor's checks in headless Chromium, on the suite the browser tests share: the page
checks in the browser (WebCrypto) that the log only grew from its first signed checkpoint to
its newest and that an event is in the log a checkpoint signed; an altered leaf, path node or
root fails the same checker; and the browser's RFC 9162 verifiers agree with the server's
(``shared/eventlog/merkle.py``) on every proof of trees of 1 to 40 leaves."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from shared.eventlog.merkle import consistency_proof, inclusion_proof, leaf_hash, tree_root
from tests.browser.conftest import ConsoleSuite, screenshot, sign_in
from tests.browser.season import PASSWORD, Api

pytestmark = pytest.mark.browser

CHECK = """async ([proof, entryHash]) => {
  const { checkInclusion } = await import('/static/js/merkle.js');
  return checkInclusion(proof, entryHash);
}"""


@pytest.fixture
def auditor(page: Page, console_suite: ConsoleSuite) -> Page:
    sign_in(page, Api(console_suite).invite("auditor"), PASSWORD)
    expect(page).to_have_url(re.compile(r"/audit$"))
    return page


def _no_serious_violations(page: Page) -> None:
    results = Axe().run(page)
    serious = [
        v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")
    ]
    assert not serious, [(v["id"], v["help"], len(v["nodes"])) for v in serious]


def _flip(hex_digest: str) -> str:
    """The same digest with its first byte changed."""
    return f"{(int(hex_digest[:2], 16) ^ 0x01):02x}{hex_digest[2:]}"


def test_the_auditor_sees_the_log_verified_in_the_browser_and_checks_an_events_inclusion(
    auditor: Page,
) -> None:
    page = auditor
    expect(page.get_by_test_id("consistency")).to_have_attribute("data-verdict", "pass")
    expect(page.get_by_test_id("consistency")).to_contain_text("日志只增未改")
    expect(page.get_by_test_id("server-report")).to_have_attribute("data-verdict", "pass")

    # The oldest entries are listed first: a checkpoint covers them.
    first = page.locator("button[data-prove]").first
    event_id = first.get_attribute("data-prove")
    first.click()
    expect(page.get_by_label("事件编号 Event id")).to_have_value(event_id or "")
    verdict = page.get_by_test_id("inclusion-verdict")
    expect(verdict).to_have_attribute("data-verdict", "pass")
    expect(verdict).to_contain_text("已在本浏览器核验")
    steps = page.locator("[data-testid='inclusion-result'] [data-step]")
    assert steps.evaluate_all("nodes => nodes.map(n => n.dataset.passed)") == ["true"] * 3
    _no_serious_violations(page)
    screenshot(page, "audit-verified")


def test_an_altered_leaf_path_or_root_fails_the_browsers_inclusion_check(auditor: Page) -> None:
    page = auditor
    expect(page.get_by_test_id("consistency")).to_have_attribute("data-verdict", "pass")
    event_id = page.locator("button[data-prove]").first.get_attribute("data-prove")
    proof, entry_hash = page.evaluate(
        """async (eventId) => {
          const { get } = await import('/static/js/api.js');
          const proof = await get('/audit/proofs/inclusion', { event_id: eventId });
          const page = await get('/audit/events', { after: proof.position - 1, limit: 1 });
          return [proof, page.events[0].hash];
        }""",
        event_id,
    )
    assert page.evaluate(CHECK, [proof, entry_hash])["ok"] is True

    altered_leaf = page.evaluate(CHECK, [proof, _flip(entry_hash)])
    assert altered_leaf["ok"] is False
    assert {s["step"]: s["ok"] for s in altered_leaf["steps"]} == {
        "leaf": False,
        "path": False,
        "checkpoint": True,
    }
    if proof["path"]:
        bent = proof | {"path": [_flip(proof["path"][0]), *proof["path"][1:]]}
        assert page.evaluate(CHECK, [bent, entry_hash])["ok"] is False
    other_root = proof | {"root": _flip(proof["root"])}
    rerooted: dict[str, Any] = page.evaluate(CHECK, [other_root, entry_hash])
    assert [s["ok"] for s in rerooted["steps"]] == [True, False, False]


def test_the_browsers_verifiers_agree_with_the_servers_on_trees_of_1_to_40(
    auditor: Page,
) -> None:
    leaves = [leaf_hash(hashlib.sha256(str(n).encode()).digest()) for n in range(40)]
    inclusions = [
        [i, n, leaves[i].hex(), [p.hex() for p in inclusion_proof(leaves[:n], i)]]
        for n in range(1, 41)
        for i in range(n)
    ]
    roots = [tree_root(leaves[:n]).hex() for n in range(41)]
    consistencies = [
        [m, n, [p.hex() for p in consistency_proof(leaves[:n], m)]]
        for n in range(1, 41)
        for m in range(1, n + 1)
    ]
    verdicts = auditor.evaluate(
        """async ([inclusions, consistencies, roots]) => {
          const { verifyInclusion, verifyConsistency } = await import('/static/js/merkle.js');
          const { fromHex } = await import('/static/js/digest.js');
          const bytes = (list) => list.map(fromHex);
          const flipped = (hex) => { const b = fromHex(hex); b[0] ^= 1; return b; };
          const out = { included: [], forged: [], consistent: [], inconsistent: [] };
          const root = (n) => fromHex(roots[n]);
          for (const [i, n, leaf, path] of inclusions) {
            const [proof, forged] = [bytes(path), flipped(leaf)];
            out.included.push(await verifyInclusion(i, n, fromHex(leaf), proof, root(n)));
            out.forged.push(await verifyInclusion(i, n, forged, proof, root(n)));
          }
          for (const [m, n, path] of consistencies) {
            const [proof, forged] = [bytes(path), flipped(roots[m])];
            out.consistent.push(await verifyConsistency(m, n, proof, root(m), root(n)));
            out.inconsistent.push(await verifyConsistency(m, n, proof, forged, root(n)));
          }
          return out;
        }""",
        [inclusions, consistencies, roots],
    )
    assert len(verdicts["included"]) == 820
    assert all(verdicts["included"]), "every inclusion proof of the server verifies"
    assert not any(verdicts["forged"]), "an altered leaf never verifies"
    assert all(verdicts["consistent"]), "every consistency proof of the server verifies"
    assert not any(verdicts["inconsistent"]), "an altered old root never verifies"
