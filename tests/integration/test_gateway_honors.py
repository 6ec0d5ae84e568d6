"""Honours through the gateway, over real RabbitMQ, on SQLite and on PostgreSQL (the gateway's
read models and the honours service's store): recruitment, placement, honours and the gateway
as nameko containers, and the event-log consumer feeding the read models. A summer ends in a
certificate, a letter, consents, a recommendation with its signed bundle (checked with the
public key anyone may fetch), a featured diary and transcripts; the PDFs read back with
pdftotext and zbarimg; verification is public, masked and rate-limited."""

from __future__ import annotations

import hashlib
import io
import json
import threading
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from structlog.testing import capture_logs

from gateway.core.process import prepare_databases
from gateway.core.replay import replay_read_models
from gateway.core.schemas import dump
from gateway.core.tokens import issue_token
from gateway.honors.queries import HonorsReads
from gateway.honors.transcript_schemas import TranscriptResponse
from gateway.sections import SECTIONS
from services.honors.service import HonorsService
from services.placement.service import PlacementService
from services.recruitment.service import RecruitmentService
from shared.config import Settings
from shared.eventlog.process import event_log_consumer
from shared.eventstore.database import create_database_engine
from shared.migrations import upgrade_to_head
from shared.process import nameko_config
from tests.documents_factories import qr_codes, rasterise, text_of, write
from tests.integration.test_gateway_api import (
    FAST_LOG,
    NAME,
    make_campaign,
    make_registration,
    make_settings,
    wait_for,
)
from tests.integration.test_gateway_placement import (
    ENDS_ON,
    GATES,
    NOTICE_TEXT,
    SHA,
    TODAY,
    make_host_unit,
    make_position,
)
from tests.integration.test_gateway_volunteering import postgres_databases  # noqa: F401
from tests.support.gateway import start_gateway_and_projector

ContainerFactory = Callable[[type, dict[str, Any]], Any]
SERVICES = (
    (RecruitmentService, "recruitment"),
    (PlacementService, "placement"),
    (HonorsService, "honors"),
)
VERIFY_BURST = 6


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request: pytest.FixtureRequest, tmp_path: Path, amqp_uri: str) -> Settings:
    databases: dict[str, str] = {}
    if request.param == "postgresql":
        make = request.getfixturevalue("postgres_databases")
        databases = {"gateway": make(), "honors": make()}
    settings = make_settings(
        tmp_path,
        amqp_uri,
        databases=databases,
        services=[component for _, component in SERVICES],
        http={"public_url": "https://gravity.example.org", "verify_burst": VERIFY_BURST},
    )
    for _, component in SERVICES:
        upgrade_to_head(settings.database_url(component), f"services.{component}.migrations")
    prepare_databases(settings)
    return settings


@dataclass
class HonoursStack:
    """The running gateway, and who is who in the summer under test."""

    settings: Settings
    url: str
    ids: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, path: str, who: str = "operator", **kwargs: Any) -> Any:
        """``who``: "operator", "auditor", "public" (no token) or a key of ``ids``."""
        headers = kwargs.pop("headers", {})
        if who != "public":
            role, subject = self._principal(who)
            headers["Authorization"] = f"Bearer {issue_token(self.settings, role, subject)}"
        base = self.url if path.startswith("/verify") else f"{self.url}/api/v1"
        return requests.request(method, base + path, headers=headers, timeout=30, **kwargs)

    def ok(
        self, method: str, path: str, who: str = "operator", status: int = 200, **kw: Any
    ) -> Any:
        answer = self.call(method, path, who, **kw)
        assert answer.status_code == status, (method, path, answer.text)
        return answer.json()

    def refused(self, method: str, path: str, who: str = "operator", **kw: Any) -> Any:
        answer = self.call(method, path, who, **kw)
        return answer.status_code, answer.json()["error"]

    def _principal(self, who: str) -> tuple[str, str]:
        if who in ("operator", "auditor"):
            return who, f"{who}-1"
        return ("host_unit" if who.startswith("unit") else "student", self.ids[who])

    def report(self) -> dict[str, Any]:
        return dict(self.ok("GET", f"/campaigns/{self.ids['campaign']}/honours/report"))


@pytest.fixture
def stack(settings: Settings, container_factory: ContainerFactory) -> Iterator[HonoursStack]:
    for service, component in SERVICES:
        container_factory(service, nameko_config(settings, component)).start()
    start_gateway_and_projector(container_factory, settings)
    with event_log_consumer(settings, FAST_LOG) as consumer:
        worker = threading.Thread(target=consumer.run, daemon=True)
        worker.start()
        try:
            yield HonoursStack(settings, f"http://127.0.0.1:{settings.gateway_port}")
        finally:
            consumer.stop()
            worker.join(10)


def practise(stack: HonoursStack, who: str, score: int) -> None:
    """``who`` is placed directly, readied, started, completes a day and is evaluated."""
    ids = stack.ids
    placed = {"student_id": ids[who], "position_id": ids["position"], "reason": "direct"}
    placement = wait_for(
        lambda: stack.call("POST", "/placements", json=placed), lambda r: r.status_code == 201
    ).json()
    path = f"/placements/{placement['placement_id']}"
    insurance = {
        "insurer": "PICC District Branch",
        "policy_number": f"PA-{who}",
        "insured_person": NAME,
        "covers_from": TODAY.isoformat(),
        "covers_until": ENDS_ON.isoformat(),
    }
    stack.ok("POST", f"{path}/insurance", "unit", json=insurance)
    training = {"session": "pre-job training", "attended_on": TODAY.isoformat()}
    stack.ok("POST", f"{path}/training", json=training)
    for kind in GATES[2:]:
        signature = {"document_kind": kind, "version": "2024.1", "content_hash": SHA}
        stack.ok("POST", f"{path}/documents", who, json=signature)
    stack.ok("POST", f"{path}/start", "unit", json={"started_on": TODAY.isoformat()})
    served = {"days_served": 1, "hours_served": 7}
    stack.ok("POST", f"{path}/completion", "unit", json=served)
    stack.ok("POST", f"{path}/evaluation", "unit", json={"score": score, "comment": "ok"})


def a_summer(stack: HonoursStack) -> None:
    """Three approved students; s1 and s2 practise at one host unit (92 and 70), s3 not."""
    ids = stack.ids
    ids["campaign"] = stack.ok("POST", "/campaigns", status=201, json=make_campaign())[
        "campaign_id"
    ]
    stack.ok("POST", f"/campaigns/{ids['campaign']}/open")
    for seed, who in enumerate(("s1", "s2", "s3"), start=1):
        ids[who] = str(uuid.uuid4())
        registration = make_registration(seed) | {"student_id": ids[who]}
        stack.ok(
            "POST", f"/campaigns/{ids['campaign']}/registrations", status=201, json=registration
        )
        stack.ok(
            "POST", f"/students/{ids[who]}/screening", json={"decision": "approved", "reason": "ok"}
        )
    ids["unit"] = stack.ok("POST", "/host-units", status=201, json=make_host_unit())["host_unit_id"]
    ids["unit_other"] = str(uuid.uuid4())
    position = make_position(ids["campaign"], capacity=3)
    ids["position"] = stack.ok(
        "POST", f"/host-units/{ids['unit']}/positions", "unit", status=201, json=position
    )["position_id"]
    for kind in GATES[2:]:
        version = {"document_kind": kind, "version": "2024.1", "text": NOTICE_TEXT}
        stack.ok("POST", "/documents", json=version, status=201)
    practise(stack, "s1", 92)
    practise(stack, "s2", 70)


def nominate(stack: HonoursStack, who: str) -> requests.Response:
    body = {
        "student_id": stack.ids[who],
        "campaign_id": stack.ids["campaign"],
        "citation": "Taught 48 children",
    }
    return stack.call("POST", "/awards", json=body)


def award_and_appoint(stack: HonoursStack) -> None:
    ids = stack.ids
    nominated = wait_for(lambda: nominate(stack, "s1"), lambda r: r.status_code == 201).json()
    assert (nominated["status"], nominated["title_code"]) == ("nominated", "ADV")
    assert NAME not in json.dumps(nominated, ensure_ascii=False)
    low = wait_for(
        lambda: nominate(stack, "s2"),
        lambda r: r.json()["details"].get("reasons") == ["evaluation_below_minimum"],
    )
    assert (low.status_code, low.json()["error"]) == (409, "NOT_ELIGIBLE")
    granted = stack.ok("POST", f"/awards/{nominated['award_id']}/grant")
    ids["certificate"], ids["issued_on"] = granted["serial"], granted["issued_at"][:10]
    assert granted["serial"] == f"ADV-{TODAY.year}-0001"
    term = {"term_starts_on": TODAY.isoformat(), "term_ends_on": ENDS_ON.isoformat()}
    body = {
        "student_id": ids["s2"],
        "campaign_id": ids["campaign"],
        "committee": "城关镇团委",
    } | term
    appointed = stack.ok("POST", "/appointments", status=201, json=body)
    ids["letter"] = appointed["serial"]
    assert (appointed["serial"], appointed["status"]) == (f"APT-{TODAY.year}-0001", "active")
    assert stack.refused("POST", "/appointments", "s2", json=body) == (403, "FORBIDDEN")
    with_name = body | {"holder_name": "王芳"}
    assert stack.refused("POST", "/appointments", json=with_name) == (422, "VALIDATION_FAILED")


def consent_recommend_and_feature(stack: HonoursStack) -> None:
    ids = stack.ids
    consent = f"/students/{ids['s1']}/consents"
    assert stack.refused("PUT", f"{consent}/university_report", "s2", json={"given": True}) == (
        404,
        "NOT_FOUND",
    )
    assert stack.refused("PUT", f"{consent}/marketing", "s1", json={"given": True})[0] == 404
    given = stack.ok("PUT", f"{consent}/university_report", "s1", json={"given": True})
    assert given == {"student_id": ids["s1"], "purpose": "university_report", "given": True}
    refused = stack.call("POST", f"/students/{ids['s2']}/recommendations", json={})
    assert (refused.status_code, refused.json()["error"]) == (409, "CONSENT_REQUIRED")
    # What is sent is the transcript the read models hold at that moment: wait until it shows
    # the honour granted just before (projected asynchronously), as a clerk would see it.
    wait_for(
        lambda: stack.ok("GET", f"/students/{ids['s1']}/transcript", "s1"),
        lambda transcript: ids["certificate"] in json.dumps(transcript),
    )
    sent = stack.ok("POST", f"/students/{ids['s1']}/recommendations", status=201, json={})
    assert (sent["university"], sent["campaign_id"]) == ("Henan University", ids["campaign"])
    rendered = stack.call("GET", f"/students/{ids['s1']}/transcript.pdf", "s1").content
    assert sent["transcript_hash"] == "sha256:" + hashlib.sha256(rendered).hexdigest()
    bundle = download_the_bundle(stack, sent)
    diary = {
        "campaign_id": ids["campaign"],
        "title": "Week one",
        "text": "We sorted the archive.",
        "display_name": "小孙",
    }
    written = stack.ok("POST", f"/students/{ids['s1']}/diaries", "s1", status=201, json=diary)
    assert stack.refused("POST", f"/students/{ids['s1']}/diaries", "s2", json=diary)[0] == 404
    feature = f"/diaries/{written['diary_id']}/feature"
    assert stack.refused("POST", feature) == (409, "CONSENT_REQUIRED")
    stack.ok("PUT", f"{consent}/showcase", "s1", json={"given": True})
    assert stack.ok("POST", feature)["featured"] is True
    assert stack.refused("POST", feature, "s1") == (403, "FORBIDDEN")
    changed = wait_for(lambda: stack.call("GET", bundle), lambda r: r.status_code != 200)
    assert (changed.status_code, changed.json()["error"]) == (409, "TRANSCRIPT_CHANGED")
    assert changed.json()["details"]["recorded"] == sent["transcript_hash"].removeprefix("sha256:")
    stack.ok("PUT", f"{consent}/university_report", "s1", json={"given": False})
    withdrawn = wait_for(
        lambda: stack.refused("GET", bundle), lambda refused: refused[1] != "TRANSCRIPT_CHANGED"
    )
    assert withdrawn == (409, "CONSENT_REQUIRED")


def download_the_bundle(stack: HonoursStack, sent: dict[str, Any]) -> str:
    """The recommendation's bundle: the recorded PDF, a manifest whose signature checks with
    the public key anyone may fetch, and fails once the manifest is touched. Its path."""
    ids, path = stack.ids, f"/recommendations/{sent['recommendation_id']}/bundle"
    answer = wait_for(lambda: stack.call("GET", path), lambda r: r.status_code == 200)
    assert answer.headers["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        assert archive.namelist() == ["transcript.pdf", "manifest.json", "manifest.sig"]
        pdf, manifest, signature = (archive.read(name) for name in archive.namelist())
    assert "sha256:" + hashlib.sha256(pdf).hexdigest() == sent["transcript_hash"]
    read = json.loads(manifest)
    assert {key: read[key] for key in ("recommendation_id", "student_id", "campaign_id")} == {
        "recommendation_id": sent["recommendation_id"],
        "student_id": ids["s1"],
        "campaign_id": ids["campaign"],
    }
    assert (read["university"], read["campaign_name"]) == (
        "Henan University",
        make_campaign()["name"],
    )
    assert read["transcript_sha256"] == hashlib.sha256(pdf).hexdigest()
    assert read["public_keys_url"] == "https://gravity.example.org/verify/keys"
    assert NAME not in manifest.decode()

    keys = stack.ok("GET", "/verify/keys", "public")["keys"]
    assert keys[0]["key_id"] == read["signing_key_id"]
    public_key = load_pem_public_key(keys[0]["pem"].encode())
    assert isinstance(public_key, Ed25519PublicKey)
    public_key.verify(signature, manifest)
    tampered = manifest.replace(b"Henan University", b"Peking University")
    with pytest.raises(InvalidSignature):
        public_key.verify(signature, tampered)
    verification = read["transcript_verification_url"].removeprefix("https://gravity.example.org")
    verified = stack.ok("GET", verification, "public")
    assert (verified["kind"], verified["status"]) == ("transcript", "valid")

    assert stack.call("GET", path).content == answer.content  # reproducible bytes
    assert stack.call("GET", path, "s1").content == answer.content  # the student it concerns
    assert stack.refused("GET", path, "s2") == (404, "NOT_FOUND")
    assert stack.refused("GET", path, "unit") == (403, "FORBIDDEN")
    assert stack.refused("GET", path, "auditor") == (403, "FORBIDDEN")
    assert stack.refused("GET", f"/recommendations/{uuid.uuid4()}/bundle") == (404, "NOT_FOUND")
    return path


def verify_in_public(stack: HonoursStack, pdf_folder: Path) -> None:
    """The certificate's QR code opens the public verification; wrong codes look unknown."""
    ids = stack.ids
    pdf = stack.call("GET", f"/certificates/{ids['certificate']}.pdf", "s1")
    assert (pdf.status_code, pdf.headers["Content-Type"]) == (200, "application/pdf")
    saved = write(pdf.content, pdf_folder, "certificate.pdf")
    assert "先进个人" in text_of(saved)
    [url] = qr_codes(rasterise(saved)[0])
    assert url.startswith(f"https://gravity.example.org/verify/{ids['certificate']}?code=")
    code = url.split("code=")[1]
    verified = stack.ok("GET", f"/verify/{ids['certificate']}?code={code.lower()}", "public")
    assert verified == {
        "serial": ids["certificate"],
        "kind": "certificate",
        "status": "valid",
        "title": "先进个人",
        "campaign": make_campaign()["name"],
        "issued_on": ids["issued_on"],  # the grant's UTC day (a run may cross midnight)
        "revoked_on": None,
        "ended_on": None,
        "holder": NAME[0] + "*",
    }
    wrong = stack.call("GET", f"/verify/{ids['certificate']}?code=AAAAAAAAAAAAAAAA", "public")
    unknown = stack.call("GET", f"/verify/ADV-{TODAY.year}-0099?code={code}", "public")
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()
    letter = stack.call("GET", f"/appointments/{ids['letter']}.pdf", "s2")
    letter_text = text_of(write(letter.content, pdf_folder, "letter.pdf"))
    assert "兼职副书记" in letter_text
    assert stack.refused("GET", f"/appointments/{ids['letter']}.pdf", "s1") == (404, "NOT_FOUND")
    revocation = stack.ok(
        "POST", f"/certificates/{ids['certificate']}/revocation", json={"reason": "plagiarism"}
    )
    wait_for(  # the read models first: verification is rate-limited
        lambda: stack.ok("GET", "/awards?status=revoked")["awards"], lambda found: len(found) == 1
    )
    revoked = stack.ok("GET", f"/verify/{ids['certificate']}?code={code}", "public")
    assert revoked["status"] == "revoked"
    assert revoked["revoked_on"] == revocation["revoked_at"][:10]


def test_a_summer_of_honours_runs_through_the_gateway_and_each_sees_only_its_own(
    stack: HonoursStack, tmp_path: Path
) -> None:
    ids = stack.ids
    with capture_logs() as logs:
        a_summer(stack)
        award_and_appoint(stack)
        consent_recommend_and_feature(stack)
        report = wait_for(stack.report, lambda r: r["diaries"]["featured"] == 1)
    assert report["awards_by_title"] == {
        "ADV": {"name": "先进个人", "nominated": 0, "granted": 1, "revoked": 0}
    }
    assert report["appointments"] == {
        "made": 1,
        "active": 1,
        "term_ended": 0,
        "dismissed": 0,
        "committees": 1,
    }
    assert report["recommendations"] == {"sent": 1, "students": 1}
    assert stack.ok("GET", f"/campaigns/{ids['campaign']}/honours/report", "auditor") == report
    assert stack.refused("GET", f"/campaigns/{ids['campaign']}/honours/report", "s1") == (
        403,
        "FORBIDDEN",
    )

    transcript = stack.call("GET", f"/students/{ids['s1']}/transcript", "s1")
    body = transcript.json()
    practice = body["categories"]["practice"]
    assert [(p["hours"], p["evaluation"]) for p in practice["placements"]] == [(7, "优秀 92")]
    assert [h["serial"] for h in practice["honours"]] == [ids["certificate"]]
    assert [d["title"] for d in practice["featured_diaries"]] == ["Week one"]
    assert body["summary"]["honours"] == 1
    posts = stack.ok("GET", f"/students/{ids['s2']}/transcript", "s2")["categories"]["posts"]
    assert [a["committee"] for a in posts["appointments"]] == ["城关镇团委"]
    assert stack.refused("GET", f"/students/{ids['s2']}/transcript", "s1") == (404, "NOT_FOUND")
    assert stack.refused("GET", f"/students/{ids['s2']}/transcript.pdf", "unit") == (
        403,
        "FORBIDDEN",
    )
    assert "第二课堂成绩单" in text_of(
        write(stack.call("GET", f"/students/{ids['s1']}/transcript.pdf", "s1").content, tmp_path)
    )

    showcase = stack.ok("GET", f"/showcase?campaign_id={ids['campaign']}", "s3")
    assert [(d["title"], d["display_name"]) for d in showcase["diaries"]] == [("Week one", "小孙")]
    seen_by_unit = stack.ok("GET", "/awards", "unit")["awards"]
    assert [(a["student_id"], "holder_name" in a) for a in seen_by_unit] == [(ids["s1"], False)]
    assert stack.ok("GET", "/awards", "unit_other")["awards"] == []
    assert stack.ok("GET", "/awards", "s2")["awards"] == []
    assert stack.ok("GET", f"/students/{ids['s1']}/consents", "s1")["consents"]["showcase"]["given"]

    verify_in_public(stack, tmp_path)
    assert NAME not in repr(logs)

    rebuilt_url = f"sqlite:///{tmp_path / 'rebuilt.db'}"
    rebuilt = replay_read_models(stack.settings, SECTIONS, target_url=rebuilt_url, progress=False)
    assert (rebuilt.equal, rebuilt.differences) == (True, [])
    engine = create_database_engine(rebuilt_url)
    try:
        again = dump(TranscriptResponse, HonorsReads(engine).transcript(ids["s1"]))
    finally:
        engine.dispose()
    live = stack.call("GET", f"/students/{ids['s1']}/transcript", "s1").content
    assert json.loads(live)["categories"]["practice"]["honours"] == []  # revoked since
    assert json.dumps(again, ensure_ascii=False).encode() == live


def test_verification_is_rate_limited_per_address_with_retry_after(stack: HonoursStack) -> None:
    serial = f"ADV-{TODAY.year}-0001"
    answers = [
        stack.call("GET", f"/verify/{serial}?code=AAAAAAAAAAAAAAAA", "public")
        for _ in range(VERIFY_BURST + 1)
    ]
    assert [a.status_code for a in answers] == [404] * VERIFY_BURST + [429]
    limited = answers[-1]
    assert limited.json()["error"] == "RATE_LIMITED"
    assert int(limited.headers["Retry-After"]) >= 1
