"""Two of everything, made through the real gateway: a campaign; students A and B; host units
A and B, each with a position, a student placed there who completed it, an activity that
student signed up for and logged hours at; B's award with its certificate, appointment letter,
recommendation, diary and account. The BOLA matrix (``test_bola_matrix``) calls every route
as A's parties on B's objects.

Helpers for the integration tests, not a test module (its name does not start with test_).
Past 200 lines: one season, each step a few requests, in the order the programme runs them.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from gateway.core.process import prepare_databases
from gateway.core.tables import PROJECTION, checkpoint
from gateway.core.tokens import issue_token
from services.honors.service import HonorsService
from services.placement.service import PlacementService
from services.recruitment.service import RecruitmentService
from services.volunteering.service import VolunteeringService
from shared.config import Settings
from shared.eventlog.process import event_log_consumer
from shared.eventlog.tables import event_log
from shared.eventstore.database import create_database_engine
from shared.migrations import upgrade_to_head
from shared.process import nameko_config
from tests.factories import make_resident_id
from tests.integration.test_gateway_api import (
    FAST_LOG,
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
from tests.support.gateway import start_gateway_and_projector

ContainerFactory = Callable[[type, dict[str, Any]], Any]
SERVICES = (
    (RecruitmentService, "recruitment"),
    (PlacementService, "placement"),
    (VolunteeringService, "volunteering"),
    (HonorsService, "honors"),
)
# B's personal data, told apart from A's: none of it may reach A's parties or an auditor.
B_NAME, B_PHONE = "欧阳娜娜", "13766665555"
B_ID_NUMBER = make_resident_id(2, "20030303")
# Host unit B's contact and its activity's coordinator: operators' and B's own only.
B_CONTACT, B_CONTACT_PHONE, B_COORDINATOR = "司马相如", "0371-69998877", "诸葛明月"
B_PERSONAL = (B_NAME, B_PHONE, B_ID_NUMBER, B_CONTACT, B_CONTACT_PHONE, B_COORDINATOR)
LEAD = timedelta(seconds=8)  # time enough to sign both volunteers up before activities start
ACCESS_RECORDS = ("PersonalDataAccessed",)  # a read's own trail, not a write of the read


@pytest.fixture
def settings(tmp_path: Path, amqp_uri: str) -> Settings:
    """Every service on SQLite (the matrix is about the gateway's checks, not the store)."""
    settings = make_settings(
        tmp_path,
        amqp_uri,
        services=[component for _, component in SERVICES],
        http={"public_url": "https://gravity.example.org"},
    )
    for _, component in SERVICES:
        upgrade_to_head(settings.database_url(component), f"services.{component}.migrations")
    prepare_databases(settings)
    return settings


@dataclass
class World:
    """The running gateway, and the ids of everything in it (``a_...`` and ``b_...``)."""

    settings: Settings
    url: str
    ids: dict[str, str] = field(default_factory=dict)

    def token(self, role: str, subject: str) -> str:
        return issue_token(self.settings, role, subject)

    def call(
        self, method: str, path: str, as_: tuple[str, str] | None = None, **kwargs: Any
    ) -> requests.Response:
        """``path`` in full (``/api/v1/...``); ``as_``: a role and subject, else an operator."""
        role, subject = as_ or ("operator", "operator-1")
        headers = {"Authorization": f"Bearer {self.token(role, subject)}"}
        return requests.request(
            method,
            self.url + path,
            headers=headers | kwargs.pop("headers", {}),
            timeout=30,
            **kwargs,
        )

    def ok(self, method: str, path: str, as_: tuple[str, str] | None = None, **kw: Any) -> Any:
        answer = self.call(method, "/api/v1" + path, as_, **kw)
        assert answer.status_code in {200, 201}, (method, path, answer.text)
        return answer.json()

    def unit(self, side: str) -> tuple[str, str]:
        return ("host_unit", self.ids[f"{side}_unit"])

    def student(self, side: str) -> tuple[str, str]:
        return ("student", self.ids[f"{side}_student"])

    def projection_lag(self) -> int:
        """How many logged events the gateway's read models have yet to apply."""
        log = create_database_engine(self.settings.database_url("eventlog"), reader=True)
        gateway = create_database_engine(self.settings.database_url("gateway"), reader=True)
        try:
            with log.connect() as connection:
                head = connection.execute(sa.select(sa.func.max(event_log.c.position))).scalar()
            with gateway.connect() as connection:
                applied = connection.execute(
                    sa.select(checkpoint.c.position).where(checkpoint.c.projection == PROJECTION)
                ).scalar()
        finally:
            log.dispose()
            gateway.dispose()
        return int(head or 0) - int(applied or 0)

    def logged(self) -> dict[str, int]:
        """How many events of each type the event log holds."""
        engine = create_database_engine(self.settings.database_url("eventlog"), reader=True)
        try:
            with engine.connect() as connection:
                query = sa.select(event_log.c.event_type, sa.func.count()).group_by(
                    event_log.c.event_type
                )
                return {kind: int(count) for kind, count in connection.execute(query)}
        finally:
            engine.dispose()


@pytest.fixture
def world(settings: Settings, container_factory: ContainerFactory) -> Iterator[World]:
    for service, component in SERVICES:
        container_factory(service, nameko_config(settings, component)).start()
    start_gateway_and_projector(container_factory, settings)
    with event_log_consumer(settings, FAST_LOG) as consumer:
        worker = threading.Thread(target=consumer.run, daemon=True)
        worker.start()
        try:
            built = World(settings, f"http://127.0.0.1:{settings.gateway_port}")
            build(built)
            yield built
        finally:
            consumer.stop()
            worker.join(10)


def build(world: World) -> None:
    ids = world.ids
    ids["campaign"] = world.ok("POST", "/campaigns", json=make_campaign())["campaign_id"]
    world.ok("POST", f"/campaigns/{ids['campaign']}/open")
    enrol(world)
    starts_at = schedule(world)
    for kind in GATES[2:]:
        version = {"document_kind": kind, "version": "2024.1", "text": NOTICE_TEXT}
        world.ok("POST", "/documents", json=version)
    for side in ("a", "b"):
        post_position(world, side)
    rank(world)
    for side in ("a", "b"):
        place(world, side)
    time.sleep(max(0.0, (starts_at - datetime.now(UTC)).total_seconds()) + 0.3)
    for side in ("a", "b"):
        body = {"student_id": ids[f"{side}_student"], "hours": 2}
        logged = world.ok(
            "POST", f"/activities/{ids[f'{side}_activity']}/hours", world.student(side), json=body
        )
        ids[f"{side}_hours"] = logged["hours_id"]
    honour(world)
    invited = world.ok(
        "POST",
        "/invitations",
        json={"role": "student", "subject_id": ids["b_student"]},
    )
    account = {"username": "student_b", "password": "a long enough pass phrase 7"}
    accepted = world.call("POST", invited["accept_path"], None, json=account)
    assert accepted.status_code == 201, accepted.text
    ids["b_account"] = accepted.json()["account_id"]


def enrol(world: World) -> None:
    """Students A and B registered and approved; host units A and B registered."""
    ids, approval = world.ids, {"decision": "approved", "reason": "ok"}
    for seed, side in enumerate(("a", "b"), start=1):
        ids[f"{side}_student"] = str(uuid.uuid4())
        born = (date(2003, 1, 1) + timedelta(days=seed)).strftime("%Y%m%d")
        registration = make_registration(seed, id_number=make_resident_id(seed, born))
        if side == "b":
            registration |= {"name": B_NAME, "phone": B_PHONE, "id_number": B_ID_NUMBER}
        registration["student_id"] = ids[f"{side}_student"]
        world.ok("POST", f"/campaigns/{ids['campaign']}/registrations", json=registration)
        world.ok("POST", f"/students/{ids[f'{side}_student']}/screening", json=approval)
        unit = make_host_unit(name=f"Bureau {side.upper()}")
        if side == "b":
            unit |= {"contact_person": B_CONTACT, "contact_phone": B_CONTACT_PHONE}
        ids[f"{side}_unit"] = world.ok("POST", "/host-units", json=unit)["host_unit_id"]
    wait_for(
        lambda: world.logged().get("VolunteerQualified", 0), lambda count: count == 2, timeout=30
    )


def schedule(world: World) -> datetime:
    """Each host unit's activity, starting soon, with its own student signed up."""
    ids = world.ids
    starts_at = datetime.now(UTC).replace(microsecond=0) + LEAD
    for side in ("a", "b"):
        activity = {
            "campaign_id": ids["campaign"],
            "title": f"River clean-up {side.upper()}",
            "kind": "river_cleanup",
            "place": "Qingshui river bank",
            "starts_at": starts_at.isoformat(),
            "ends_at": (starts_at + timedelta(hours=3)).isoformat(),
            "capacity": 10,
            "coordinator": B_COORDINATOR if side == "b" else "周敏",
        }
        scheduled = world.ok("POST", "/activities", world.unit(side), json=activity)
        ids[f"{side}_activity"] = scheduled["activity_id"]
        sign_up = {"student_id": ids[f"{side}_student"]}
        world.ok(
            "POST",
            f"/activities/{scheduled['activity_id']}/signups",
            world.student(side),
            json=sign_up,
        )
    return starts_at


def post_position(world: World, side: str) -> None:
    ids = world.ids
    position = make_position(ids["campaign"], title=f"Assistant {side.upper()}")
    path = f"/host-units/{ids[f'{side}_unit']}/positions"
    ids[f"{side}_position"] = world.ok("POST", path, world.unit(side), json=position)["position_id"]


def rank(world: World) -> None:
    """The selection window open, and B's ranking of B's position."""
    ids, now = world.ids, datetime.now(UTC)
    window = {
        "opens_at": (now - timedelta(minutes=1)).isoformat(),
        "closes_at": (now + timedelta(days=1)).isoformat(),
    }
    world.ok("POST", f"/campaigns/{ids['campaign']}/selection-window", json=window)
    path = f"/api/v1/campaigns/{ids['campaign']}/students/{ids['b_student']}/ranking"
    wait_for(
        lambda: world.call(
            "PUT", path, world.student("b"), json={"position_ids": [ids["b_position"]]}
        ),
        lambda answer: answer.status_code == 200,
    )


def place(world: World, side: str) -> None:
    """The side's student placed at its host unit's position, readied, started, completed
    and evaluated well."""
    ids, unit, student = world.ids, world.unit(side), world.student(side)
    placed = {
        "student_id": ids[f"{side}_student"],
        "position_id": ids[f"{side}_position"],
        "reason": "direct",
    }
    placement = wait_for(
        lambda: world.call("POST", "/api/v1/placements", json=placed),
        lambda answer: answer.status_code == 201,
    ).json()
    ids[f"{side}_placement"] = placement["placement_id"]
    path = f"/placements/{placement['placement_id']}"
    insured = f"/api/v1{path}/insurance"  # once placement has learnt the registered name
    wait_for(
        lambda: world.call("POST", insured, unit, json=insurance(side)),
        lambda answer: answer.status_code == 200,
    )
    world.ok("POST", f"{path}/training", json=training())
    for kind in GATES[2:]:
        signature = {"document_kind": kind, "version": "2024.1", "content_hash": SHA}
        world.ok("POST", f"{path}/documents", student, json=signature)
    world.ok("POST", f"{path}/start", unit, json={"started_on": TODAY.isoformat()})
    world.ok("POST", f"{path}/completion", unit, json={"days_served": 1, "hours_served": 7})
    world.ok("POST", f"{path}/evaluation", unit, json={"score": 92, "comment": "ok"})


def insurance(side: str) -> dict[str, Any]:
    return {
        "insurer": "PICC District Branch",
        "policy_number": f"PA-{side}",
        "insured_person": B_NAME if side == "b" else make_registration(1)["name"],
        "covers_from": TODAY.isoformat(),
        "covers_until": ENDS_ON.isoformat(),
    }


def training() -> dict[str, Any]:
    return {"session": "pre-job training", "attended_on": TODAY.isoformat()}


def honour(world: World) -> None:
    """B's award granted (a certificate), an appointment (a letter), a recommendation and a
    diary; A's award nominated."""
    ids, campaign = world.ids, world.ids["campaign"]

    def nominate(side: str) -> requests.Response:
        body = {"student_id": ids[f"{side}_student"], "campaign_id": campaign, "citation": "ok"}
        return world.call("POST", "/api/v1/awards", json=body)

    for side in ("a", "b"):
        nominated = wait_for(partial(nominate, side), lambda answer: answer.status_code == 201)
        ids[f"{side}_award"] = nominated.json()["award_id"]
    ids["b_certificate"] = world.ok("POST", f"/awards/{ids['b_award']}/grant")["serial"]
    term = {"term_starts_on": TODAY.isoformat(), "term_ends_on": ENDS_ON.isoformat()}
    appointment = {
        "student_id": ids["b_student"],
        "campaign_id": campaign,
        "committee": "城关镇团委",
    }
    ids["b_letter"] = world.ok("POST", "/appointments", json=appointment | term)["serial"]
    student = f"/students/{ids['b_student']}"
    diary = {
        "campaign_id": campaign,
        "title": "Week one",
        "text": "We sorted.",
        "display_name": "娜",
    }
    ids["b_diary"] = world.ok("POST", f"{student}/diaries", json=diary)["diary_id"]
    # The transcript the recommendation records is rendered from the read models: once they
    # hold everything logged so far, nothing later in the world changes it.
    wait_for(world.projection_lag, lambda lag: lag == 0)
    # A lag of 0 says the read models hold what the log holds, not that the honours service's
    # relay has put the grant and the appointment in the log yet: wait for the transcript itself.
    wait_for(
        lambda: json.dumps(world.ok("GET", f"{student}/transcript"), ensure_ascii=False),
        lambda transcript: ids["b_certificate"] in transcript and ids["b_letter"] in transcript,
    )
    world.ok("PUT", f"{student}/consents/university_report", json={"given": True})
    sent = wait_for(
        lambda: world.call("POST", f"/api/v1{student}/recommendations", json={}),
        lambda answer: answer.status_code == 201,
    ).json()
    ids["b_recommendation"] = sent["recommendation_id"]
