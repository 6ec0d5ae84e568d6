"""The auditor API and the point-in-time replay through the real gateway, over real RabbitMQ,
with the event log and the gateway's read models on SQLite and on PostgreSQL: recruitment and
the gateway as nameko containers, the event-log consumer signing its own checkpoints."""

from __future__ import annotations

import argparse
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from gateway.audit.routes import ROUTES as AUDIT_ROUTES
from gateway.core.process import prepare_databases
from gateway.core.replay import snapshot
from gateway.core.tokens import issue_token
from gateway.sections import SECTIONS
from gravity.audit_replay import add_replay_command
from services.recruitment.service import RecruitmentService
from shared.config import Settings
from shared.eventlog.checkpoints import Checkpoint
from shared.eventlog.keys import Keyring, load_public_key
from shared.eventlog.merkle import leaf_hash, verify_consistency, verify_inclusion
from shared.eventlog.process import event_log_consumer
from shared.events.canonical import parse_timestamp
from shared.eventstore.database import create_database_engine
from shared.migrations import upgrade_to_head
from shared.process import nameko_config
from tests.factories import make_resident_id
from tests.integration.test_gateway_api import (
    FAST_LOG,
    NAME,
    PHONE,
    make_campaign,
    make_registration,
    make_settings,
    start_gateway,
    wait_for,
)
from tests.integration.test_gateway_volunteering import postgres_databases  # noqa: F401 - fixture

ContainerFactory = Callable[[type, dict[str, Any]], Any]
TABLES = [table for section in SECTIONS for table in section.tables]
PERSONAL = (NAME, PHONE, make_resident_id(1))


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request: pytest.FixtureRequest, tmp_path: Path, amqp_uri: str) -> Settings:
    """The event log and the gateway's read models on SQLite, then both on PostgreSQL."""
    databases: dict[str, str] = {}
    if request.param == "postgresql":
        make = request.getfixturevalue("postgres_databases")
        databases = {"gateway": make(), "eventlog": make()}
    settings = make_settings(tmp_path, amqp_uri, databases=databases)
    upgrade_to_head(settings.database_url("recruitment"), "services.recruitment.migrations")
    prepare_databases(settings)
    return settings


@dataclass
class AuditStack:
    settings: Settings
    url: str
    answers: list[str]  # the text of every /audit answer, to search for personal data

    def call(self, path: str, role: str = "auditor", **kwargs: Any) -> requests.Response:
        token = issue_token(self.settings, role, "op-1" if role == "operator" else "who-1")
        answer = requests.request(
            kwargs.pop("method", "GET"),
            f"{self.url}/api/v1{path}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
            **kwargs,
        )
        if path.startswith("/audit"):
            self.answers.append(answer.text)
        return answer

    def audit(self, path: str, **params: Any) -> Any:
        answer = self.call(path, params=params)
        assert answer.status_code == 200, (path, answer.text)
        return answer.json()

    def operator(self, method: str, path: str, **kwargs: Any) -> Any:
        answer = self.call(path, "operator", method=method, **kwargs)
        assert answer.status_code in {200, 201}, (path, answer.text)
        return answer.json()

    def register_in_new_campaign(self) -> tuple[str, str]:
        campaign_id = self.operator("POST", "/campaigns", json=make_campaign())["campaign_id"]
        self.operator("POST", f"/campaigns/{campaign_id}/open")
        registered = self.operator(
            "POST", f"/campaigns/{campaign_id}/registrations", json=make_registration(1)
        )
        return campaign_id, registered["student_id"]

    def approve(self, student_id: str) -> None:
        self.operator(
            "POST",
            f"/students/{student_id}/screening",
            json={"decision": "approved", "reason": "ok"},
        )

    def report(self, campaign_id: str) -> Any:
        return self.call(f"/campaigns/{campaign_id}/report", "operator").json()


@pytest.fixture
def stack(settings: Settings, container_factory: ContainerFactory) -> Iterator[AuditStack]:
    recruitment = container_factory(RecruitmentService, nameko_config(settings, "recruitment"))
    recruitment.start()
    url = start_gateway(container_factory, settings)
    with event_log_consumer(settings, FAST_LOG) as consumer:
        worker = threading.Thread(target=consumer.run, daemon=True)
        worker.start()
        try:
            yield AuditStack(settings, url, [])
        finally:
            consumer.stop()
            worker.join(10)


def signed_by_the_log(settings: Settings, checkpoint: dict[str, Any]) -> bool:
    keys = Keyring([load_public_key(settings.keys_dir / "eventlog.pub")])
    signed = Checkpoint(**checkpoint)
    return keys.verifies(signed.key_id, signed.signature, signed.message())


def test_an_auditor_pages_the_redacted_log_and_verifies_a_proof_against_a_signed_root(
    stack: AuditStack,
) -> None:
    campaign_id, student_id = stack.register_in_new_campaign()
    stack.approve(student_id)
    wait_for(lambda: stack.report(campaign_id), lambda report: report.get("approved") == 1)
    # The event log's own checkpointer signs within ten seconds of its start.
    head = wait_for(
        lambda: stack.audit("/audit/head"),
        lambda head: (
            head["checkpoint"] is not None and head["checkpoint"]["position"] == head["position"]
        ),
        timeout=30,
    )
    size = head["position"]
    assert signed_by_the_log(stack.settings, head["checkpoint"])

    entries = stack.audit("/audit/events", limit=1000)
    assert [entry["position"] for entry in entries["events"]] == list(range(1, size + 1))
    assert entries["next_after"] is None
    assert entries["events"][-1]["hash"] == head["hash"]
    registered = stack.audit("/audit/events", type="StudentRegistered")["events"]
    assert [entry["event"]["stream_id"] for entry in registered] == [f"student-{student_id}"]
    payload = registered[0]["event"]["payload"]
    assert {payload[key] for key in ("name", "phone", "id_number")} == {"[personal data]"}
    assert payload["university"] == "Henan University"

    stream = stack.audit("/audit/events", stream=f"student-{student_id}")["events"]
    assert [entry["event"]["event_type"] for entry in stream] == [
        "StudentRegistered",
        "StudentScreened",
    ]
    first = stack.audit("/audit/events", limit=2)
    assert ([e["position"] for e in first["events"]], first["next_after"]) == ([1, 2], 2)
    rest = stack.audit("/audit/events", after=first["next_after"], before=size)["events"]
    assert [entry["position"] for entry in rest] == list(range(3, size))
    moment = registered[0]["recorded_at"]
    window = stack.audit("/audit/events", **{"from": moment, "until": moment})["events"]
    assert registered[0]["position"] in [entry["position"] for entry in window]
    later = parse_timestamp(entries["events"][-1]["recorded_at"]) + timedelta(seconds=1)
    assert stack.audit("/audit/events", **{"from": later.isoformat()})["events"] == []

    proof = stack.audit("/audit/proofs/inclusion", event_id=registered[0]["event"]["event_id"])
    assert proof["checkpoint"]["merkle_root"] == proof["root"]
    assert signed_by_the_log(stack.settings, proof["checkpoint"])
    leaf = leaf_hash(bytes.fromhex(registered[0]["hash"]))
    path = [bytes.fromhex(node) for node in proof["path"]]
    index, tree_size, root = proof["leaf_index"], proof["tree_size"], bytes.fromhex(proof["root"])
    assert (index, tree_size) == (registered[0]["position"] - 1, size)
    assert verify_inclusion(index, tree_size, leaf, path, root)
    assert not verify_inclusion(index, tree_size, leaf_hash(b"forged"), path, root)

    consistency = stack.audit("/audit/proofs/consistency", **{"from": 2, "to": size})
    assert consistency["new_root"] == head["checkpoint"]["merkle_root"]
    old_root, new_root = (bytes.fromhex(consistency[key]) for key in ("old_root", "new_root"))
    nodes = [bytes.fromhex(node) for node in consistency["path"]]
    assert verify_consistency(2, size, nodes, old_root, new_root)
    checkpoints = stack.audit("/audit/checkpoints", limit=1)
    assert checkpoints["checkpoints"][0]["position"] <= size

    assert stack.call("/audit/proofs/inclusion", params={"event_id": str(uuid.uuid4())}).json()[
        "error"
    ] == ("EVENT_NOT_IN_LOG")
    too_big = stack.call("/audit/proofs/consistency", params={"from": 1, "to": size + 5})
    assert (too_big.status_code, too_big.json()["error"]) == (409, "PROOF_UNAVAILABLE")
    reversed_sizes = stack.call("/audit/proofs/consistency", params={"from": 3, "to": 2})
    assert (reversed_sizes.status_code, reversed_sizes.json()["error"]) == (
        422,
        "VALIDATION_FAILED",
    )

    for personal in PERSONAL:
        assert not any(personal in answer for answer in stack.answers), "personal data answered"


def test_only_auditors_read_the_log_and_auditors_read_every_campaign_report(
    stack: AuditStack,
) -> None:
    campaign_id, _ = stack.register_in_new_campaign()
    for route in AUDIT_ROUTES:
        path = route.path.removeprefix("/api/v1")
        for role in ("operator", "host_unit", "student"):
            answer = stack.call(path, role)
            assert (answer.status_code, answer.json()["error"]) == (403, "FORBIDDEN")
        unauthenticated = requests.get(f"{stack.url}{route.path}", timeout=30)
        assert unauthenticated.status_code == 401
    report = wait_for(
        lambda: stack.call(f"/campaigns/{campaign_id}/report"),
        lambda answer: answer.status_code == 200 and answer.json()["registered"] == 1,
    )
    assert report.json()["campaign_id"] == campaign_id
    for path in ("placements/report", "volunteering/report"):
        assert stack.call(f"/campaigns/{campaign_id}/{path}").status_code == 200
    refused = stack.call(f"/campaigns/{campaign_id}/report", "student")
    assert refused.status_code == 403


def replay(settings: Settings, *argv: str) -> int:
    parser = argparse.ArgumentParser(prog="gravity audit")
    add_replay_command(parser.add_subparsers(dest="audit_command", required=True))
    args = parser.parse_args(["replay", "--quiet", *argv])
    code: int = args.handler(args, settings)
    return code


def replayed_report(
    out: Path, capsys: pytest.CaptureFixture[str], campaign_id: str
) -> dict[str, Any]:
    """The campaign report as the replay printed it (the services running in this process
    log to stdout too, so the document is read back from the copy it keeps in ``out``)."""
    kept = (out / "reports.json").read_text("utf-8")
    assert capsys.readouterr().out.endswith(kept)
    document = json.loads(kept)
    (campaign,) = [c for c in document["campaigns"] if c["campaign_id"] == campaign_id]
    assert set(campaign["reports"]) == {
        "campaign_report",
        "placements_report",
        "volunteering_report",
        "honours_report",
    }
    assert not any("error" in report for report in campaign["reports"].values())
    report: dict[str, Any] = campaign["reports"]["campaign_report"]
    return report


def test_a_replay_until_a_position_or_a_time_shows_the_report_before_the_approval(
    stack: AuditStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign_id, student_id = stack.register_in_new_campaign()
    wait_for(lambda: stack.report(campaign_id), lambda report: report.get("registered") == 1)
    before = stack.audit("/audit/events", type="StudentRegistered")["events"][-1]
    stack.approve(student_id)
    wait_for(lambda: stack.report(campaign_id), lambda report: report.get("approved") == 1)
    live = create_database_engine(stack.settings.database_url("gateway"), reader=True)
    live_before = snapshot(live, TABLES)

    assert (
        replay(stack.settings, "--until", str(before["position"]), "--out", str(tmp_path / "p"))
        == 0
    )
    then = replayed_report(tmp_path / "p", capsys, campaign_id)
    assert (then["registered"], then["approved"]) == (1, 0)
    assert then["as_of_position"] == before["position"]
    assert (tmp_path / "p" / "read_models.db").stat().st_mode & 0o077 == 0

    assert (
        replay(stack.settings, "--until", before["recorded_at"], "--out", str(tmp_path / "t")) == 0
    )
    assert replayed_report(tmp_path / "t", capsys, campaign_id)["approved"] == 0
    head = stack.audit("/audit/head")["position"]
    assert replay(stack.settings, "--until", str(head), "--out", str(tmp_path / "now")) == 0
    assert replayed_report(tmp_path / "now", capsys, campaign_id)["approved"] == 1

    assert snapshot(live, TABLES) == live_before
    assert stack.report(campaign_id)["approved"] == 1
    live.dispose()
    assert NAME not in capsys.readouterr().out


def test_a_bad_until_is_a_clear_error(
    stack: AuditStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as refused:
        replay(stack.settings, "--until", "last tuesday", "--out", str(tmp_path / "a"))
    assert refused.value.code == 2
    assert "ISO 8601 timestamp with a time zone" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        replay(stack.settings, "--until", "2023-07-01T08:00:00", "--out", str(tmp_path / "b"))

    assert replay(stack.settings, "--until", "999999", "--out", str(tmp_path / "c")) == 2
    assert "past the end of the log" in capsys.readouterr().err
    assert replay(stack.settings, "--until", "0") == 2
    assert "--until and --out go together" in capsys.readouterr().err
    assert replay(stack.settings, "--until", "0", "--out", str(tmp_path / "d")) == 0
    assert json.loads((tmp_path / "d" / "reports.json").read_text("utf-8"))["campaigns"] == []
    assert replay(stack.settings, "--until", "0", "--out", str(tmp_path / "d")) == 2
    assert "exists already" in capsys.readouterr().err
    assert not (tmp_path / "a").exists()
    assert not (tmp_path / "c" / "read_models.db").exists()
