"""Volunteering through the gateway, over real RabbitMQ, on SQLite and on PostgreSQL (the
gateway's read models and the volunteering service's store): recruitment, volunteering and
the gateway as nameko containers, and the event-log consumer feeding the read models."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg2
import pytest
import requests
import sqlalchemy as sa
from structlog.testing import capture_logs

from gateway.core.process import prepare_databases
from gateway.core.replay import replay_read_models
from gateway.core.tokens import issue_token
from gateway.sections import SECTIONS
from services.recruitment.service import RecruitmentService
from services.volunteering.service import VolunteeringService
from shared.config import Settings
from shared.eventlog.process import event_log_consumer
from shared.eventlog.tables import event_log
from shared.eventstore.database import create_database_engine
from shared.migrations import upgrade_to_head
from shared.process import nameko_config
from tests.conftest import POSTGRES_ADMIN_DSN
from tests.factories import make_resident_id
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
COORDINATOR = "周敏"
LEAD = timedelta(seconds=6)  # time enough to sign volunteers up before an activity starts


@pytest.fixture
def postgres_databases() -> Iterator[Callable[[], str]]:
    """Makes fresh PostgreSQL databases on demand, each dropped afterwards."""
    admin = psycopg2.connect(POSTGRES_ADMIN_DSN)
    admin.autocommit = True
    made: list[str] = []

    def make() -> str:
        name = f"gravity_test_{uuid.uuid4().hex[:12]}"
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"

    try:
        yield make
    finally:
        with admin.cursor() as cursor:
            for name in made:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request: pytest.FixtureRequest, tmp_path: Path, amqp_uri: str) -> Settings:
    """The gateway's and the volunteering service's databases on SQLite, then on PostgreSQL."""
    databases: dict[str, str] = {}
    if request.param == "postgresql":
        make = request.getfixturevalue("postgres_databases")
        databases = {"gateway": make(), "volunteering": make()}
    settings = make_settings(
        tmp_path, amqp_uri, databases=databases, services=["recruitment", "volunteering"]
    )
    upgrade_to_head(settings.database_url("recruitment"), "services.recruitment.migrations")
    upgrade_to_head(settings.database_url("volunteering"), "services.volunteering.migrations")
    prepare_databases(settings)
    return settings


@dataclass
class VolunteeringStack:
    """The running gateway, and who is who in the season under test."""

    settings: Settings
    url: str
    ids: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, path: str, who: str = "operator", **kwargs: Any) -> Any:
        """``who`` is "operator", or a key of ``ids`` ("s1", "unit", ...) acting as itself."""
        role, subject = ("operator", "op-1") if who == "operator" else self._principal(who)
        token = issue_token(self.settings, role, subject)
        headers = {"Authorization": f"Bearer {token}"} | kwargs.pop("headers", {})
        return requests.request(
            method, f"{self.url}/api/v1{path}", headers=headers, timeout=30, **kwargs
        )

    def ok(
        self, method: str, path: str, who: str = "operator", status: int = 200, **kwargs: Any
    ) -> Any:
        answer = self.call(method, path, who, **kwargs)
        assert answer.status_code == status, (method, path, answer.text)
        return answer.json()

    def refused(self, method: str, path: str, who: str = "operator", **kwargs: Any) -> Any:
        answer = self.call(method, path, who, **kwargs)
        return answer.status_code, answer.json()["error"]

    def _principal(self, who: str) -> tuple[str, str]:
        return ("host_unit" if who.startswith("unit") else "student", self.ids[who])

    def report(self) -> dict[str, Any]:
        return dict(self.ok("GET", f"/campaigns/{self.ids['campaign']}/volunteering/report"))

    def logged(self, event_type: str) -> int:
        """How many events of the type the event log holds."""
        engine = create_database_engine(self.settings.database_url("eventlog"), reader=True)
        try:
            with engine.connect() as connection:
                query = sa.select(sa.func.count()).where(event_log.c.event_type == event_type)
                return int(connection.execute(query).scalar_one())
        finally:
            engine.dispose()


@pytest.fixture
def stack(settings: Settings, container_factory: ContainerFactory) -> Iterator[VolunteeringStack]:
    for service, component in (
        (RecruitmentService, "recruitment"),
        (VolunteeringService, "volunteering"),
    ):
        container_factory(service, nameko_config(settings, component)).start()
    start_gateway_and_projector(container_factory, settings)
    with event_log_consumer(settings, FAST_LOG) as consumer:
        worker = threading.Thread(target=consumer.run, daemon=True)
        worker.start()
        try:
            yield VolunteeringStack(settings, f"http://127.0.0.1:{settings.gateway_port}")
        finally:
            consumer.stop()
            worker.join(10)


def enrol(stack: VolunteeringStack, approved: int, others: tuple[str, ...] = ()) -> None:
    """A campaign, ``approved`` students approved in its screening (s1, s2, ...) and the
    ``others`` registered only; waits until volunteering has qualified the approved."""
    ids = stack.ids
    ids["campaign"] = stack.ok("POST", "/campaigns", status=201, json=make_campaign())[
        "campaign_id"
    ]
    stack.ok("POST", f"/campaigns/{ids['campaign']}/open")
    qualified = stack.logged("VolunteerQualified")
    approval = {"decision": "approved", "reason": "ok"}
    names = [f"s{index}" for index in range(1, approved + 1)]
    for seed, who in enumerate([*names, *others], start=1):
        ids[who] = str(uuid.uuid4())
        born = (date(2003, 1, 1) + timedelta(days=seed)).strftime("%Y%m%d")
        registration = make_registration(seed, id_number=make_resident_id(seed, born))
        registration["student_id"] = ids[who]
        stack.ok(
            "POST", f"/campaigns/{ids['campaign']}/registrations", status=201, json=registration
        )
        if who in names:
            stack.ok("POST", f"/students/{ids[who]}/screening", json=approval)
    wait_for(lambda: stack.logged("VolunteerQualified"), lambda n: n == qualified + approved, 30)


def make_activity(stack: VolunteeringStack, starts_at: datetime, **overrides: Any) -> Any:
    """A committee-run painting classroom of three hours (its body, for the POST)."""
    body = {
        "campaign_id": stack.ids["campaign"],
        "title": "Painting for beginners",
        "kind": "classroom",
        "subject": "painting",
        "place": "Xiangyang Street community centre",
        "starts_at": starts_at.isoformat(),
        "ends_at": (starts_at + timedelta(hours=3)).isoformat(),
        "capacity": 10,
        "coordinator": COORDINATOR,
    }
    return body | overrides


def wait_until(moment: datetime) -> None:
    time.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds()) + 0.2)


def schedule_and_sign_up(stack: VolunteeringStack) -> datetime:
    """A painting classroom (two seats: s1 and s2, s3 turned away) and a host unit's
    drowning-prevention talk (s3, after withdrawing once), both starting soon; a river
    clean-up next week, cancelled with s1's seat. Returns when the two start."""
    ids = stack.ids
    starts_at = datetime.now(UTC).replace(microsecond=0) + LEAD
    classroom = make_activity(stack, starts_at, capacity=2)
    planned = stack.ok("POST", "/activities", status=201, json=classroom)
    ids["classroom"] = planned["activity_id"]
    talk = make_activity(
        stack,
        starts_at + timedelta(days=1),
        kind="safety_talk",
        subject="",
        topic="drowning_prevention",
        title="Safe swimming in summer",
        capacity=30,
    )
    scheduled = stack.ok("POST", "/activities", "unit", status=201, json=talk)
    ids["talk"] = scheduled["activity_id"]
    assert (scheduled["host_unit_id"], scheduled["topic"], scheduled["subject"]) == (
        ids["unit"],
        "drowning_prevention",
        None,
    )
    assert COORDINATOR not in str(scheduled)
    moved = {
        "starts_at": starts_at.isoformat(),
        "ends_at": (starts_at + timedelta(hours=3)).isoformat(),
        "reason": "the village hall is free earlier",
    }
    path = f"/activities/{ids['talk']}/rescheduling"
    assert stack.refused("POST", path, "unit_other", json=moved) == (404, "NOT_FOUND")
    assert stack.ok("POST", path, "unit", json=moved)["starts_at"] == planned["starts_at"]

    first = stack.ok(
        "POST", f"/activities/{ids['classroom']}/signups", "s1", 201, json={"student_id": ids["s1"]}
    )
    assert (first["status"], first["seats_taken"], first["seats_left"]) == ("signed_up", 1, 1)
    second = stack.ok(
        "POST",
        f"/activities/{ids['classroom']}/signups",
        status=201,
        json={"student_id": ids["s2"]},
    )
    assert second["seats_left"] == 0
    full = stack.call(
        "POST", f"/activities/{ids['classroom']}/signups", "s3", json={"student_id": ids["s3"]}
    )
    assert (full.status_code, full.json()["error"]) == (409, "ACTIVITY_FULL")
    assert full.json()["details"] == {"activity_id": ids["classroom"], "capacity": 2}
    talk_sign_ups = f"/activities/{ids['talk']}/signups"
    for who, student, expected in (
        ("outsider", "outsider", (409, "NOT_A_VOLUNTEER")),
        ("s1", "s3", (404, "NOT_FOUND")),
        ("unit", "s3", (403, "FORBIDDEN")),
    ):
        body = {"student_id": ids[student]}
        assert stack.refused("POST", talk_sign_ups, who, json=body) == expected, who
    stack.ok("POST", talk_sign_ups, "s3", 201, json={"student_id": ids["s3"]})
    withdrawal = f"{talk_sign_ups}/{ids['s3']}/withdrawal"
    assert stack.refused("POST", withdrawal, "s1", json={}) == (404, "NOT_FOUND")
    withdrawn = stack.ok("POST", withdrawal, "s3", json={"reason": "exams"})
    assert (withdrawn["status"], withdrawn["seats_taken"]) == ("withdrawn", 0)
    stack.ok("POST", talk_sign_ups, "s3", 201, json={"student_id": ids["s3"]})

    cleanup = make_activity(
        stack, starts_at + timedelta(days=7), kind="river_cleanup", subject="", title="河小青净滩"
    )
    ids["cleanup"] = stack.ok("POST", "/activities", status=201, json=cleanup)["activity_id"]
    stack.ok(
        "POST", f"/activities/{ids['cleanup']}/signups", "s1", 201, json={"student_id": ids["s1"]}
    )
    cancelled = stack.ok(
        "POST", f"/activities/{ids['cleanup']}/cancellation", json={"reason": "flood warning"}
    )
    assert (cancelled["status"], cancelled["released"]) == ("cancelled", [ids["s1"]])
    return starts_at


def run_the_activities(stack: VolunteeringStack) -> None:
    """Completion, a no-show, the people reached, hours logged, decided and corrected."""
    ids = stack.ids
    classroom, talk = f"/activities/{ids['classroom']}", f"/activities/{ids['talk']}"
    assert stack.ok("POST", f"{talk}/completion", "unit")["status"] == "completed"
    assert stack.ok("POST", f"{classroom}/completion")["status"] == "completed"
    absent = stack.ok("POST", f"{classroom}/signups/{ids['s2']}/no-show")
    assert (absent["status"], absent["seats_taken"]) == ("no_show", 1)
    counts = {"children": 45, "residents": 0, "sessions": 3}
    assert stack.ok("POST", f"{classroom}/beneficiaries", json=counts)["children"] == 45
    reached = {"children": 0, "residents": 160, "sessions": 2}
    assert stack.refused("POST", f"{talk}/beneficiaries", "unit_other", json=reached) == (
        404,
        "NOT_FOUND",
    )
    stack.ok("POST", f"{talk}/beneficiaries", "unit", json=reached)

    logged = stack.ok(
        "POST", f"{classroom}/hours", "s1", 201, json={"student_id": ids["s1"], "hours": 2.5}
    )
    assert (logged["status"], logged["hours"], logged["minutes"]) == ("pending", 2.5, 150)
    too_many = {"student_id": ids["s1"], "hours": 1}
    assert stack.refused("POST", f"{classroom}/hours", "s1", json=too_many) == (
        422,
        "HOURS_EXCEED_ACTIVITY",
    )
    own = stack.ok("POST", f"{talk}/hours", "s3", 201, json={"student_id": ids["s3"], "hours": 2})
    extra = stack.ok(
        "POST", f"{talk}/hours", "unit", 201, json={"student_id": ids["s3"], "hours": 1}
    )
    decide = "/hours/{}/decision"
    approved = stack.ok("POST", decide.format(logged["hours_id"]), json={"decision": "approved"})
    assert approved["status"] == "approved"
    assert stack.refused(
        "POST", decide.format(own["hours_id"]), "s3", json={"decision": "approved"}
    ) == (403, "FORBIDDEN")
    stack.ok("POST", decide.format(own["hours_id"]), "unit", json={"decision": "approved"})
    assert stack.refused(
        "POST", decide.format(extra["hours_id"]), "unit", json={"decision": "declined"}
    ) == (422, "INVALID_HOURS_DECISION")
    declined = {"decision": "declined", "reason": "already counted in the first entry"}
    stack.ok("POST", decide.format(extra["hours_id"]), "unit", json=declined)
    correction = {"hours": 1.5, "reason": "left early to catch the bus"}
    corrected = stack.ok("POST", f"/hours/{own['hours_id']}/correction", "unit", json=correction)
    assert (corrected["hours"], corrected["status"]) == (1.5, "approved")
    ids["s3_hours"] = own["hours_id"]


def test_a_season_of_volunteering_runs_through_the_gateway_and_each_sees_only_its_own(
    stack: VolunteeringStack,
) -> None:
    ids = stack.ids
    ids["unit"], ids["unit_other"] = str(uuid.uuid4()), str(uuid.uuid4())
    with capture_logs() as logs:
        enrol(stack, 3, others=("outsider",))
        wait_until(schedule_and_sign_up(stack))
        run_the_activities(stack)
        report = wait_for(stack.report, lambda r: r["totals"]["hours_entries"]["corrected"] == 1)
    painting = {
        "activities": 1,
        "completed": 1,
        "volunteers": 1,
        "approved_hours": 2.5,
        "children": 45,
        "residents": 0,
        "sessions": 3,
    }
    drowning = painting | {"approved_hours": 1.5, "children": 0, "residents": 160, "sessions": 2}
    assert (report["by_subject"], report["by_topic"]) == (
        {"painting": painting},
        {"drowning_prevention": drowning},
    )
    assert set(report["by_kind"]) == {"classroom", "safety_talk"}
    assert report["totals"] == {
        "activities": 2,
        "completed": 2,
        "cancelled": 1,
        "volunteers": 2,
        "approved_hours": 4.0,
        "children": 45,
        "residents": 160,
        "sessions": 5,
        "hours_entries": {"pending": 0, "approved": 2, "declined": 1, "corrected": 1},
    }

    mine = stack.ok("GET", f"/students/{ids['s3']}/volunteering", "s3")
    assert mine["hours_by_status"] == {"pending": 0.0, "approved": 1.5, "declined": 1.0}
    assert mine["approved_hours"] == 1.5
    corrected = next(entry for entry in mine["hours"] if entry["hours_id"] == ids["s3_hours"])
    assert (corrected["hours"], corrected["previous_hours"]) == (1.5, 2.0)
    first = stack.ok("GET", f"/students/{ids['s1']}/volunteering", "s1")
    assert [(row["activity_id"], row["sign_up_status"]) for row in first["activities"]] == [
        (ids["classroom"], "signed_up"),
        (ids["cleanup"], "released"),
    ]
    for path, who, expected in (
        (f"/students/{ids['s3']}/volunteering", "s1", (404, "NOT_FOUND")),
        (f"/students/{ids['s1']}/volunteering", "unit", (403, "FORBIDDEN")),
        (f"/campaigns/{ids['campaign']}/volunteering/report", "s1", (403, "FORBIDDEN")),
        (f"/activities/{uuid.uuid4()}", "s1", (404, "NOT_FOUND")),
    ):
        assert stack.refused("GET", path, who) == expected, (path, who)
    seen_by_student = stack.ok("GET", f"/activities/{ids['talk']}", "s1")
    assert (seen_by_student["seats_taken"], seen_by_student["beneficiaries"]["residents"]) == (
        1,
        160,
    )
    assert "coordinator" not in seen_by_student
    assert "sign_ups" not in seen_by_student
    seen_by_unit = stack.ok("GET", f"/activities/{ids['talk']}", "unit")
    assert seen_by_unit["coordinator"] == COORDINATOR
    assert [row["status"] for row in seen_by_unit["sign_ups"]] == ["signed_up"]
    assert "coordinator" not in stack.ok("GET", f"/activities/{ids['classroom']}", "unit")
    listed = stack.ok("GET", f"/activities?campaign_id={ids['campaign']}&kind=classroom", "s2")
    assert ([row["activity_id"] for row in listed["activities"]], listed["total"]) == (
        [ids["classroom"]],
        1,
    )

    logged = repr(logs)
    for personal in (NAME, COORDINATOR):
        assert personal not in logged
    rebuilt = replay_read_models(stack.settings, SECTIONS, progress=False)
    assert (rebuilt.equal, rebuilt.differences) == (True, [])


def test_fifty_concurrent_sign_ups_for_ten_seats_give_ten_and_forty_clear_refusals(
    stack: VolunteeringStack,
) -> None:
    enrol(stack, 50)
    ids = stack.ids
    next_week = datetime.now(UTC) + timedelta(days=7)
    activity = stack.ok("POST", "/activities", status=201, json=make_activity(stack, next_week))
    path = f"/activities/{activity['activity_id']}/signups"
    students = [f"s{index}" for index in range(1, 51)]

    def sign_up(who: str) -> requests.Response:
        response: requests.Response = stack.call("POST", path, who, json={"student_id": ids[who]})
        return response

    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(sign_up, students))
    statuses = [answer.status_code for answer in answers]
    assert (statuses.count(201), statuses.count(409)) == (10, 40), statuses
    refusals = [answer.json() for answer in answers if answer.status_code == 409]
    assert {refusal["error"] for refusal in refusals} == {"ACTIVITY_FULL"}
    assert {refusal["details"]["activity_id"] for refusal in refusals} == {activity["activity_id"]}
    seated = {answer.json()["student_id"] for answer in answers if answer.status_code == 201}
    assert len(seated) == 10
    shown = wait_for(
        lambda: stack.ok("GET", f"/activities/{activity['activity_id']}"),
        lambda found: found["seats_taken"] == 10,
    )
    assert shown["seats_left"] == 0
    assert {row["student_id"] for row in shown["sign_ups"]} == seated
    rebuilt = replay_read_models(stack.settings, SECTIONS, progress=False)
    assert (rebuilt.equal, rebuilt.differences) == (True, [])
