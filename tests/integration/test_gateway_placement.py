"""Two-way selection and placements through the gateway, over real RabbitMQ and SQLite (and
the gateway's read models on PostgreSQL too): recruitment, placement and the gateway as
nameko containers, and the event-log consumer feeding the read models."""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from structlog.testing import capture_logs

from gateway.core.process import prepare_databases
from gateway.core.replay import replay_read_models
from gateway.core.tokens import issue_token
from gateway.sections import SECTIONS
from services.placement.service import PlacementService
from services.recruitment.service import RecruitmentService
from shared.config import Settings
from shared.eventlog.process import event_log_consumer
from shared.migrations import upgrade_to_head
from shared.process import nameko_config
from tests.integration.test_gateway_api import (
    FAST_LOG,
    NAME,
    make_campaign,
    make_registration,
    make_settings,
    wait_for,
)
from tests.support.gateway import start_gateway_and_projector

ContainerFactory = Callable[[type, dict[str, Any]], Any]
CONTACT, CONTACT_PHONE = "周敏", "0371-62345678"
INSURED = NAME  # a policy names the placed student as registered
GATES = ("insurance", "training", "practice_notice", "confidentiality_commitment")
NOTICE_TEXT = "实践活动告知书 and 保密承诺书, 2024 edition"
SHA = "sha256:" + hashlib.sha256(NOTICE_TEXT.encode()).hexdigest()
TODAY = datetime.now(UTC).date()
ENDS_ON = TODAY + timedelta(days=40)


@dataclass
class PlacementStack:
    """The running gateway, and who is who in the season under test."""

    settings: Settings
    url: str
    ids: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, path: str, who: str = "operator", **kwargs: Any) -> Any:
        """``who`` is "operator" or a key of ``ids`` ("s1", "unit_a", ...) acting as itself."""
        role, subject = ("operator", "op-1") if who == "operator" else self._principal(who)
        token = issue_token(self.settings, role, subject)
        headers = {"Authorization": f"Bearer {token}"} | kwargs.pop("headers", {})
        return requests.request(
            method, f"{self.url}/api/v1{path}", headers=headers, timeout=15, **kwargs
        )

    def ok(
        self, method: str, path: str, who: str = "operator", status: int = 200, **kwargs: Any
    ) -> Any:
        answer = self.call(method, path, who, **kwargs)
        assert answer.status_code == status, (method, path, answer.text)
        return answer.json()

    def _principal(self, who: str) -> tuple[str, str]:
        return ("host_unit" if who.startswith("unit") else "student", self.ids[who])

    def report(self) -> dict[str, Any]:
        return dict(self.ok("GET", f"/campaigns/{self.ids['campaign']}/placements/report"))


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request: pytest.FixtureRequest, tmp_path: Path, amqp_uri: str) -> Settings:
    databases: dict[str, str] = {}
    if request.param == "postgresql":
        databases["gateway"] = request.getfixturevalue("postgres_url")
    settings = make_settings(
        tmp_path, amqp_uri, databases=databases, services=["recruitment", "placement"]
    )
    upgrade_to_head(settings.database_url("recruitment"), "services.recruitment.migrations")
    upgrade_to_head(settings.database_url("placement"), "services.placement.migrations")
    prepare_databases(settings)
    return settings


@pytest.fixture
def stack(settings: Settings, container_factory: ContainerFactory) -> Iterator[PlacementStack]:
    for service, component in (
        (RecruitmentService, "recruitment"),
        (PlacementService, "placement"),
    ):
        container_factory(service, nameko_config(settings, component)).start()
    start_gateway_and_projector(container_factory, settings)
    with event_log_consumer(settings, FAST_LOG) as consumer:
        worker = threading.Thread(target=consumer.run, daemon=True)
        worker.start()
        try:
            yield PlacementStack(settings, f"http://127.0.0.1:{settings.gateway_port}")
        finally:
            consumer.stop()
            worker.join(10)


def make_position(campaign_id: str, **overrides: Any) -> dict[str, Any]:
    body = {
        "campaign_id": campaign_id,
        "title": "Community affairs assistant",
        "duties": "visit elderly residents living alone",
        "capacity": 1,
        "starts_on": TODAY.isoformat(),
        "ends_on": ENDS_ON.isoformat(),
        "place": "Xiangyang Street office",
    }
    return body | overrides


def make_host_unit(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "District Civil Affairs Bureau",
        "kind": "district bureau",
        "township": "Xiangyang Street",
        "contact_person": CONTACT,
        "contact_phone": CONTACT_PHONE,
    }
    return body | overrides


def a_selection(stack: PlacementStack) -> dict[str, Any]:
    """Three approved students, two host units (one registering itself), three positions,
    rankings on both sides, a proposed and published round: returns the offers by student."""
    enrol(stack)
    post_positions(stack)
    rank_both_ways(stack)
    return propose_and_publish(stack)


def enrol(stack: PlacementStack) -> None:
    ids = stack.ids
    campaign = stack.ok("POST", "/campaigns", status=201, json=make_campaign())
    ids["campaign"] = campaign["campaign_id"]
    stack.ok("POST", f"/campaigns/{ids['campaign']}/open")
    approval = {"decision": "approved", "reason": "ok"}
    for seed, who in enumerate(("s1", "s2", "s3"), start=1):
        ids[who] = str(uuid.uuid4())
        registration = make_registration(seed) | {"student_id": ids[who]}
        path = f"/campaigns/{ids['campaign']}/registrations"
        stack.ok("POST", path, status=201, json=registration)
        stack.ok("POST", f"/students/{ids[who]}/screening", json=approval)
    unit_a = stack.ok("POST", "/host-units", status=201, json=make_host_unit())
    ids["unit_a"], ids["unit_b"] = unit_a["host_unit_id"], str(uuid.uuid4())
    own = make_host_unit(name="Beiguan Town Government", host_unit_id=ids["unit_b"])
    unit_b = stack.ok("POST", "/host-units", "unit_b", status=201, json=own)
    assert (unit_b["host_unit_id"], "contact_person" in unit_b) == (ids["unit_b"], False)


def post_positions(stack: PlacementStack) -> None:
    ids = stack.ids
    for name, unit, capacity in (("pa", "unit_a", 1), ("pb", "unit_a", 1), ("pc", "unit_b", 2)):
        position = make_position(ids["campaign"], capacity=capacity, title=f"Position {name}")
        path = f"/host-units/{ids[unit]}/positions"
        ids[name] = stack.ok("POST", path, unit, status=201, json=position)["position_id"]
    now = datetime.now(UTC)
    window = {
        "opens_at": (now - timedelta(minutes=1)).isoformat(),
        "closes_at": (now + timedelta(days=1)).isoformat(),
    }
    path = f"/campaigns/{ids['campaign']}/selection-window"
    assert stack.ok("POST", path, status=201, json=window)["max_choices"] == 5


def rank_both_ways(stack: PlacementStack) -> None:
    """s1 wants pa then pc, s2 pa then pb, s3 only pb; unit a prefers s2 at pa."""
    ids = stack.ids
    # The read models follow the log: the campaign's report exists once its events arrived
    # there (the first batch waits for the students' keys), which may be after the last POST.
    path = f"/campaigns/{ids['campaign']}/placements/report"
    wait_for(
        lambda: stack.call("GET", path),
        lambda answer: answer.status_code == 200 and answer.json()["candidates"] == 3,
    )
    for who, chosen in (("s1", ["pa", "pc"]), ("s2", ["pa", "pb"]), ("s3", ["pb"])):
        path = f"/campaigns/{ids['campaign']}/students/{ids[who]}/ranking"
        stack.ok("PUT", path, who, json={"position_ids": [ids[name] for name in chosen]})
    wait_for(stack.report, lambda report: report["students_ranked"] == 3)
    applicants = stack.ok("GET", f"/positions/{ids['pa']}/applicants", "unit_a")["applicants"]
    assert {row["student_id"] for row in applicants} == {ids["s1"], ids["s2"]}
    assert NAME not in str(applicants)
    orders = (
        ("pa", "unit_a", ["s2", "s1"]),
        ("pb", "unit_a", ["s3", "s2"]),
        ("pc", "unit_b", ["s1"]),
    )
    for position, unit, best_first in orders:
        ranking = {"student_ids": [ids[who] for who in best_first]}
        stack.ok("PUT", f"/positions/{ids[position]}/applicant-ranking", unit, json=ranking)


def propose_and_publish(stack: PlacementStack) -> dict[str, Any]:
    ids = stack.ids
    proposal = stack.ok("POST", f"/campaigns/{ids['campaign']}/matching-rounds", status=201)
    assert (proposal["stable"], proposal["blocking_pairs"], proposal["unmatched"]) == (True, [], [])
    assert {(pair["student_id"], pair["position_id"]) for pair in proposal["assignments"]} == {
        (ids["s1"], ids["pc"]),
        (ids["s2"], ids["pa"]),
        (ids["s3"], ids["pb"]),
    }
    stored = wait_for(
        lambda: stack.call("GET", f"/matching-rounds/{proposal['round_id']}"),
        lambda r: r.status_code == 200,
    ).json()
    assert (stored["status"], stored["stable"]) == ("proposed", True)
    published = stack.ok("POST", f"/matching-rounds/{proposal['round_id']}/publication")
    return {offer["student_id"]: offer["placement_id"] for offer in published["offers"]}


def both_confirm(
    stack: PlacementStack, placement_id: str, student: str, unit: str
) -> dict[str, Any]:
    path = f"/placements/{placement_id}/confirmation"
    assert stack.ok("POST", path, student)["status"] == "offered"
    return dict(stack.ok("POST", path, unit))


def test_a_two_way_selection_ends_in_agreed_placements_that_start_once_ready(
    stack: PlacementStack,
) -> None:
    with capture_logs() as logs:
        offers = a_selection(stack)
        ids = stack.ids
        first, second, third = (offers[ids[who]] for who in ("s1", "s2", "s3"))
        agreed = both_confirm(stack, second, "s2", "unit_a")
        assert (agreed["status"], sorted(agreed["confirmed_by"])) == (
            "agreed",
            ["host_unit", "student"],
        )
        assert both_confirm(stack, first, "s1", "unit_b")["status"] == "agreed"
        declined = stack.ok(
            "POST", f"/placements/{third}/declination", "s3", json={"reason": "summer job at home"}
        )
        assert declined["status"] == "declined"

        refused = stack.call(
            "POST", f"/placements/{second}/start", "unit_a", json={"started_on": TODAY.isoformat()}
        )
        assert (refused.status_code, refused.json()["error"]) == (409, "PLACEMENT_NOT_READY")
        assert sorted(refused.json()["details"]["missing"]) == sorted(GATES)
        ready_and_start(stack, second)
        stack.ok(
            "POST",
            f"/placements/{second}/completion",
            "unit_a",
            json={"days_served": 1, "hours_served": 7},
        )
        stack.ok(
            "POST",
            f"/placements/{second}/evaluation",
            "unit_a",
            json={"score": 90, "comment": "reliable"},
        )
        stack.ok(
            "POST",
            f"/placements/{second}/feedback",
            "s2",
            json={"rating": 5, "suggestions": "more field work"},
        )

        report = wait_for(
            stack.report, lambda r: r["completed"] == 1 and r["average_feedback_rating"] is not None
        )
    counted = ("agreements", "direct_placements", "host_units_involved", "offers_declined")
    assert [report[key] for key in counted] == [2, 0, 2, 1]
    assert (report["started"], report["completed"]) == (1, 1)
    assert report["positions"] == {"posted": 3, "open": 2, "filled": 1, "closed": 0, "withdrawn": 0}
    assert report["seats"] == {"capacity": 4, "agreed": 2}
    assert (report["insured_rate"], report["trained_rate"], report["signed_rate"]) == (
        0.5,
        0.5,
        0.5,
    )
    assert (report["average_evaluation"], report["average_feedback_rating"]) == (90.0, 5.0)

    profile = stack.ok("GET", f"/students/{ids['s2']}", "s2")
    assert (profile["placement"]["placement_id"], profile["placement"]["status"]) == (
        second,
        "completed",
    )
    assert profile["gates"] == dict.fromkeys(GATES, True)
    assert [offer["placement_id"] for offer in profile["offers"]] == [second]
    waiting = stack.ok("GET", f"/students/{ids['s1']}")
    assert (waiting["placement"]["status"], waiting["gates"]) == (
        "agreed",
        dict.fromkeys(GATES, False),
    )
    turned_down = stack.ok("GET", f"/students/{ids['s3']}", "s3")
    assert (turned_down["placement"], turned_down["gates"], turned_down["offers"][0]["status"]) == (
        None,
        None,
        "declined",
    )

    logged = repr(logs)
    for personal in (NAME, CONTACT, CONTACT_PHONE, INSURED):
        assert personal not in logged
    rebuilt = replay_read_models(stack.settings, SECTIONS, progress=False)
    assert (rebuilt.equal, rebuilt.differences) == (True, [])


def ready_and_start(stack: PlacementStack, placement_id: str) -> None:
    path = f"/placements/{placement_id}"
    insurance = {
        "insurer": "PICC District Branch",
        "policy_number": "PA-0001",
        "insured_person": INSURED,
        "covers_from": TODAY.isoformat(),
        "covers_until": ENDS_ON.isoformat(),
    }
    short = insurance | {"covers_until": (ENDS_ON - timedelta(days=1)).isoformat()}
    uncovered = stack.call("POST", f"{path}/insurance", "unit_a", json=short)
    assert (uncovered.status_code, uncovered.json()["error"]) == (422, "INVALID_INSURANCE_COVERAGE")
    assert INSURED not in uncovered.text
    stranger = stack.call(
        "POST", f"{path}/insurance", "unit_a", json=insurance | {"insured_person": "王芳"}
    )
    assert (stranger.status_code, stranger.json()["error"]) == (422, "INSURED_PERSON_MISMATCH")
    stack.ok("POST", f"{path}/insurance", "unit_a", json=insurance)
    stack.ok(
        "POST",
        f"{path}/training",
        json={"session": "pre-job training", "attended_on": TODAY.isoformat()},
    )
    for kind in GATES[2:]:
        signature = {"document_kind": kind, "version": "2024.1", "content_hash": SHA}
        unpublished = stack.call("POST", f"{path}/documents", "s2", json=signature)
        assert unpublished.json()["error"] == "DOCUMENT_VERSION_CONFLICT"
        version = {"document_kind": kind, "version": "2024.1", "text": NOTICE_TEXT}
        published = stack.ok("POST", "/documents", json=version, status=201)
        assert published["content_hash"] == SHA
        forged = signature | {"content_hash": "sha256:" + "5e" * 32}
        mismatch = stack.call("POST", f"{path}/documents", "s2", json=forged)
        assert (mismatch.status_code, mismatch.json()["error"]) == (
            409,
            "DOCUMENT_VERSION_CONFLICT",
        )
        signed = stack.ok("POST", f"{path}/documents", "s2", json=signature)
    assert signed["gates"] == dict.fromkeys(GATES, True)
    listed = wait_for(
        lambda: stack.ok("GET", "/documents", "s2"), lambda body: len(body["documents"]) == 2
    )
    assert {document["content_hash"] for document in listed["documents"]} == {SHA}
    started = stack.ok("POST", f"{path}/start", "unit_a", json={"started_on": TODAY.isoformat()})
    assert started["status"] == "started"


# (method, path, caller, body): each answers 404 as if the record did not exist.
SOMEONE_ELSES = [
    ("GET", "/positions/{pa}/applicants", "unit_b", None),
    ("GET", "/students/{s2}/offers", "s1", None),
    ("GET", "/campaigns/{campaign}/students/{s2}/ranking", "s1", None),
    ("GET", "/placements/{offer_s2}", "unit_b", None),
    ("GET", "/placements/{offer_s2}", "s1", None),
    ("GET", "/host-units/{unit_a}/placements", "unit_b", None),
    ("POST", "/placements/{offer_s2}/confirmation", "unit_b", None),
    ("PUT", "/positions/{pa}/applicant-ranking", "unit_b", {"student_ids": []}),
    ("POST", "/host-units/{unit_a}/positions", "unit_b", "a position"),
]
# (method, path, caller): each answers 403, whoever's the record.
NOT_FOR_THEIR_ROLE = [
    ("GET", "/campaigns/{campaign}/placements/report", "s1"),
    ("POST", "/campaigns/{campaign}/matching-rounds", "unit_a"),
    ("POST", "/placements/{offer_s2}/confirmation", "operator"),
    ("GET", "/matching-rounds/{campaign}", "unit_a"),
]


def test_host_units_and_students_see_only_their_own_records(stack: PlacementStack) -> None:
    offers = a_selection(stack)
    ids = stack.ids | {"offer_s1": offers[stack.ids["s1"]], "offer_s2": offers[stack.ids["s2"]]}
    wait_for(lambda: stack.call("GET", f"/placements/{ids['offer_s2']}"), lambda r: r.ok)
    for method, path, who, body in SOMEONE_ELSES:
        sent = make_position(ids["campaign"]) if body == "a position" else body
        answer = stack.call(method, path.format(**ids), who, json=sent)
        assert (answer.status_code, answer.json()["error"]) == (404, "NOT_FOUND"), (path, who)
    for method, path, who in NOT_FOR_THEIR_ROLE:
        answer = stack.call(method, path.format(**ids), who)
        assert (answer.status_code, answer.json()["error"]) == (403, "FORBIDDEN"), (path, who)
    itself = stack.call(
        "POST", "/host-units", "unit_b", json=make_host_unit(host_unit_id=ids["unit_a"])
    )
    assert (itself.status_code, itself.json()["error"]) == (403, "FORBIDDEN")

    assert stack.ok("GET", f"/positions/{ids['pa']}/applicants", "unit_a")["applicants"]
    own = stack.ok("GET", f"/students/{ids['s2']}/offers", "s2")["offers"]
    assert [(offer["placement_id"], offer["status"]) for offer in own] == [
        (ids["offer_s2"], "offered")
    ]
    ranking = stack.ok("GET", f"/campaigns/{ids['campaign']}/students/{ids['s2']}/ranking", "s2")
    assert ranking["position_ids"] == [ids["pa"], ids["pb"]]
    assert stack.ok("GET", f"/placements/{ids['offer_s2']}", "unit_a")["student_id"] == ids["s2"]
    at_b = stack.ok("GET", f"/host-units/{ids['unit_b']}/placements", "unit_b")["placements"]
    assert [row["placement_id"] for row in at_b] == [ids["offer_s1"]]

    public = stack.ok("GET", f"/host-units/{ids['unit_a']}", "s1")
    assert (public["name"], "contact_person" in public) == ("District Civil Affairs Bureau", False)
    assert stack.ok("GET", f"/host-units/{ids['unit_a']}")["contact_phone"] == CONTACT_PHONE
    listed = stack.ok("GET", f"/campaigns/{ids['campaign']}/positions", "s3")
    assert listed["selection_window"]["max_choices"] == 5
    held = {row["position_id"]: row["seats_held"] for row in listed["positions"]}
    assert held == {ids["pa"]: 1, ids["pb"]: 1, ids["pc"]: 1}


def test_leftover_students_are_placed_directly_and_refusals_keep_their_codes(
    stack: PlacementStack,
) -> None:
    offers = a_selection(stack)
    ids = stack.ids
    again = stack.call("POST", f"/matching-rounds/{wait_for_round(stack, offers)}/publication")
    assert (again.status_code, again.json()["error"]) == (409, "MATCHING_ROUND_STATE_CONFLICT")
    stack.ok(
        "POST",
        f"/placements/{offers[ids['s3']]}/declination",
        "unit_a",
        json={"reason": "no desk free"},
    )
    occupied = stack.call(
        "POST",
        "/placements",
        json={"student_id": ids["s3"], "position_id": ids["pa"], "reason": "x"},
    )
    assert (occupied.status_code, occupied.json()["error"]) == (409, "SEAT_UNAVAILABLE")
    direct = stack.ok(
        "POST",
        "/placements",
        status=201,
        json={
            "student_id": ids["s3"],
            "position_id": ids["pc"],
            "reason": "declined by the first unit",
        },
    )
    assert (direct["status"], direct["direct"]) == ("agreed", True)
    assert direct["direct_reason"] == "declined by the first unit"
    stored = wait_for(
        lambda: stack.call("GET", f"/placements/{direct['placement_id']}"),
        lambda r: r.status_code == 200,
    ).json()
    assert (stored["direct"], stored["direct_reason"]) == (True, "declined by the first unit")
    offered = stack.ok("GET", f"/placements/{offers[ids['s1']]}", "s1")
    assert (offered["direct"], offered["direct_reason"]) == (False, None)
    twice = stack.call("POST", f"/placements/{offers[ids['s2']]}/confirmation", "s2")
    assert twice.status_code == 200
    twice = stack.call("POST", f"/placements/{offers[ids['s2']]}/confirmation", "s2")
    assert (twice.status_code, twice.json()["error"]) == (409, "OFFER_STATE_CONFLICT")
    closed = stack.ok("POST", f"/positions/{ids['pb']}/close", "unit_a", json={"reason": "filled"})
    assert closed["status"] == "closed"
    late = stack.call(
        "PUT",
        f"/campaigns/{ids['campaign']}/students/{ids['s3']}/ranking",
        "s3",
        json={"position_ids": [ids["pb"]]},
    )
    assert (late.status_code, late.json()["error"]) == (422, "INVALID_RANKING")
    report = wait_for(
        stack.report, lambda r: r["direct_placements"] == 1 and r["positions"]["closed"] == 1
    )
    assert (report["agreements"], report["offers_pending"], report["offers_declined"]) == (1, 2, 1)
    rebuilt = replay_read_models(stack.settings, SECTIONS, progress=False)
    assert (rebuilt.equal, rebuilt.differences) == (True, [])


def wait_for_round(stack: PlacementStack, offers: dict[str, str]) -> str:
    placement = wait_for(
        lambda: stack.call("GET", f"/placements/{next(iter(offers.values()))}"),
        lambda r: r.status_code == 200,
    ).json()
    return str(placement["round_id"])
