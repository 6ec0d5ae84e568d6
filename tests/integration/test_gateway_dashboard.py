"""The dashboard and the programme history through the gateway, over real RabbitMQ: the four
services and the gateway as nameko containers, and the event-log consumer feeding the read
models, started once for the module (SQLite). Two seasons are seeded through the API, this
year's and last year's, and every figure is checked against what was made."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

import pytest
import requests
from nameko.containers import get_container_cls

from gateway.core.process import gateway_config, prepare_databases
from gateway.projector.service import ProjectorService
from gateway.service import GatewayService
from services.honors.service import HonorsService
from services.placement.service import PlacementService
from services.recruitment.service import RecruitmentService
from services.volunteering.service import VolunteeringService
from shared.eventlog.process import event_log_consumer
from shared.migrations import upgrade_to_head
from shared.process import nameko_config
from tests.integration.test_gateway_api import (
    FAST_LOG,
    NAME,
    PHONE,
    make_campaign,
    make_registration,
    make_settings,
    wait_for,
)
from tests.integration.test_gateway_honors import HonoursStack, practise
from tests.integration.test_gateway_placement import (
    ENDS_ON,
    GATES,
    NOTICE_TEXT,
    TODAY,
    make_host_unit,
    make_position,
)
from tests.integration.test_gateway_volunteering import COORDINATOR, LEAD, wait_until

SERVICES = (
    (RecruitmentService, "recruitment"),
    (PlacementService, "placement"),
    (VolunteeringService, "volunteering"),
    (HonorsService, "honors"),
)
THIS_YEAR = datetime.now(UTC).year
APPROVED = {"decision": "approved", "reason": "ok"}


@pytest.fixture(scope="module")
def stack(
    request: pytest.FixtureRequest,
    vhost_pipeline: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[HonoursStack]:
    """The whole suite on a vhost of its own, once for every test of the module."""
    broker = urlparse(request.config.getoption("RABBIT_AMQP_URI"))
    with vhost_pipeline.get() as vhost:
        settings = make_settings(
            tmp_path_factory.mktemp("dashboard"),
            f"amqp://{broker.netloc}/{vhost}",
            services=[component for _, component in SERVICES],
        )
        for _, component in SERVICES:
            upgrade_to_head(settings.database_url(component), f"services.{component}.migrations")
        prepare_databases(settings)
        configs = [(s, nameko_config(settings, c)) for s, c in SERVICES]
        configs.append((GatewayService, gateway_config(settings)))
        configs.append((ProjectorService, gateway_config(settings)))
        containers = [get_container_cls(config)(service, config) for service, config in configs]
        for container in containers:
            container.start()
        try:
            with event_log_consumer(settings, FAST_LOG) as consumer:
                worker = threading.Thread(target=consumer.run, daemon=True)
                worker.start()
                try:
                    yield HonoursStack(settings, f"http://127.0.0.1:{settings.gateway_port}")
                finally:
                    consumer.stop()
                    worker.join(10)
        finally:
            for container in containers:
                container.kill()


def enrol(stack: HonoursStack, campaign: str, year: int, students: dict[str, bool]) -> None:
    """A campaign of ``year``, open, and its students (approved or rejected)."""
    ids = stack.ids
    made = stack.ok("POST", "/campaigns", status=201, json=make_campaign(year=year))
    ids[campaign] = made["campaign_id"]
    stack.ok("POST", f"/campaigns/{ids[campaign]}/open")
    for who, approved in students.items():
        ids[who] = str(uuid.uuid4())
        registration = make_registration(int(who[1:])) | {"student_id": ids[who]}
        stack.ok("POST", f"/campaigns/{ids[campaign]}/registrations", status=201, json=registration)
        decision = APPROVED if approved else {"decision": "rejected", "reason": "not local"}
        stack.ok("POST", f"/students/{ids[who]}/screening", json=decision)


def post_position(stack: HonoursStack, campaign: str) -> None:
    position = make_position(stack.ids[campaign], capacity=2)
    path = f"/host-units/{stack.ids['unit']}/positions"
    stack.ids["position"] = stack.ok("POST", path, "unit", status=201, json=position)["position_id"]


def schedule_a_classroom(stack: HonoursStack) -> datetime:
    """This season's painting classroom, starting soon, with s1 and s2 signed up."""
    ids = stack.ids
    starts_at = datetime.now(UTC).replace(microsecond=0) + LEAD
    classroom = {
        "campaign_id": ids["this"],
        "title": "Painting for beginners",
        "kind": "classroom",
        "subject": "painting",
        "place": "Xiangyang Street community centre",
        "starts_at": starts_at.isoformat(),
        "ends_at": (starts_at + timedelta(hours=3)).isoformat(),
        "capacity": 10,
        "coordinator": COORDINATOR,
    }
    ids["classroom"] = stack.ok("POST", "/activities", status=201, json=classroom)["activity_id"]
    for who in ("s1", "s2"):
        wait_for(
            lambda who=who: stack.call(
                "POST", f"/activities/{ids['classroom']}/signups", json={"student_id": ids[who]}
            ),
            lambda answer: answer.status_code == 201,
        )
    return starts_at


def honour(stack: HonoursStack) -> None:
    """s1's advanced-individual certificate; s2 appointed deputy secretary."""
    ids = stack.ids
    nomination = {"student_id": ids["s1"], "campaign_id": ids["this"], "citation": "Taught"}
    nominated = wait_for(
        lambda: stack.call("POST", "/awards", json=nomination), lambda r: r.status_code == 201
    ).json()
    stack.ok("POST", f"/awards/{nominated['award_id']}/grant")
    appointment = {
        "student_id": ids["s2"],
        "campaign_id": ids["this"],
        "committee": "城关镇团委",
        "term_starts_on": TODAY.isoformat(),
        "term_ends_on": ENDS_ON.isoformat(),
    }
    wait_for(
        lambda: stack.call("POST", "/appointments", json=appointment),
        lambda r: r.status_code == 201,
    )


@pytest.fixture(scope="module")
def seasons(stack: HonoursStack) -> dict[str, str]:
    """This year: s1, s2 approved and s3 rejected; s1 placed at the unit, started, completed
    (7 hours) and certified; s1 and s2 at a classroom, s2 with 2 approved hours; s2 appointed.
    Last year: s4 approved and placed at the same unit (7 hours)."""
    ids = stack.ids
    enrol(stack, "this", THIS_YEAR, {"s1": True, "s2": True, "s3": False})
    enrol(stack, "last", THIS_YEAR - 1, {"s4": True})
    ids["unit"] = stack.ok("POST", "/host-units", status=201, json=make_host_unit())["host_unit_id"]
    for kind in GATES[2:]:
        version = {"document_kind": kind, "version": "2024.1", "text": NOTICE_TEXT}
        stack.ok("POST", "/documents", json=version, status=201)
    starts_at = schedule_a_classroom(stack)
    post_position(stack, "last")
    practise(stack, "s4", 80)
    post_position(stack, "this")
    practise(stack, "s1", 92)
    wait_until(starts_at)
    logged = stack.ok(
        "POST",
        f"/activities/{ids['classroom']}/hours",
        "s2",
        201,
        json={"student_id": ids["s2"], "hours": 2},
    )
    stack.ok("POST", f"/hours/{logged['hours_id']}/decision", json={"decision": "approved"})
    honour(stack)
    return ids


def dashboard_of(stack: HonoursStack, campaign_id: str, until: Any) -> dict[str, Any]:
    """The campaign's dashboard once ``until`` holds of it (the read models catch up)."""
    return dict(
        wait_for(lambda: stack.ok("GET", f"/campaigns/{campaign_id}/dashboard"), until, timeout=30)
    )


def test_the_dashboard_shows_the_season_by_stage_and_by_section(
    stack: HonoursStack, seasons: dict[str, str]
) -> None:
    dashboard = dashboard_of(
        stack, seasons["this"], lambda d: d["honors"]["appointments"]["made"] == 1
    )
    assert dashboard["campaign"] == {
        "campaign_id": seasons["this"],
        "name": make_campaign()["name"],
        "year": THIS_YEAR,
        "season": "summer",
        "status": "open",
    }
    assert dashboard["stages"] == {
        "registered": 3,
        "approved": 2,
        "placed": 1,
        "started": 1,
        "completed": 1,
        "host_units": 1,
        "positions": 1,
    }
    assert (dashboard["recruitment"]["rejected"], dashboard["recruitment"]["by_channel"]) == (
        1,
        {"organisation": {"registered": 3, "approved": 2, "rejected": 1, "withdrawn": 0}},
    )
    placement = dashboard["placement"]
    assert (placement["agreements"], placement["direct_placements"], placement["signed"]) == (
        1,
        1,
        1,
    )
    assert placement["seats"] == {"capacity": 2, "agreed": 1}
    volunteering = dashboard["volunteering"]
    assert volunteering["sign_ups"] == 2
    assert volunteering["by_kind"]["classroom"]["approved_hours"] == 2
    totals = volunteering["totals"]
    assert (totals["activities"], totals["volunteers"], totals["approved_hours"]) == (1, 2, 2)
    honours = dashboard["honors"]
    assert honours["awards"] == {"nominated": 0, "granted": 1, "revoked": 0}
    assert honours["certificates"] == {"issued": 1, "valid": 1, "revoked": 0}
    assert honours["awards_by_title"]["ADV"]["granted"] == 1
    assert (honours["appointments"]["made"], honours["appointments"]["active"]) == (1, 1)
    assert dashboard["as_of_position"] >= 1


def test_the_dashboard_of_each_campaign_counts_only_its_own(
    stack: HonoursStack, seasons: dict[str, str]
) -> None:
    last = dashboard_of(stack, seasons["last"], lambda d: d["stages"]["completed"] == 1)
    assert last["stages"] == {
        "registered": 1,
        "approved": 1,
        "placed": 1,
        "started": 1,
        "completed": 1,
        "host_units": 1,
        "positions": 1,
    }
    assert last["volunteering"]["sign_ups"] == 0
    assert last["honors"]["certificates"]["issued"] == 0


def test_the_history_sums_each_year_and_counts_a_unit_and_a_volunteer_once(
    stack: HonoursStack, seasons: dict[str, str]
) -> None:
    dashboard_of(stack, seasons["this"], lambda d: d["honors"]["appointments"]["made"] == 1)
    history = stack.ok("GET", "/programme/history", "auditor")
    common = {"placed": 1, "host_units": 1, "positions": 1, "practice_hours": 7.0}
    assert history["years"] == [
        {"year": THIS_YEAR - 1, "campaigns": 1, "registered": 1, "volunteers": 1}
        | common
        | {"volunteer_hours": 0, "hours": 7.0},
        {"year": THIS_YEAR, "campaigns": 1, "registered": 3, "volunteers": 2}
        | common
        | {"volunteer_hours": 2.0, "hours": 9.0},
    ]
    assert history["totals"] == {
        "campaigns": 2,
        "registered": 4,
        "placed": 2,
        "volunteers": 3,  # s1 placed and volunteering is one volunteer
        "host_units": 1,  # the same unit both years
        "positions": 2,
        "practice_hours": 14.0,
        "volunteer_hours": 2.0,
        "hours": 16.0,
    }
    assert history["as_of_position"] >= 1


def test_operators_and_auditors_read_them_and_no_one_else(
    stack: HonoursStack, seasons: dict[str, str]
) -> None:
    dashboard, history = f"/campaigns/{seasons['this']}/dashboard", "/programme/history"
    for path in (dashboard, history):
        for who in ("operator", "auditor"):
            assert stack.call("GET", path, who).status_code == 200, (path, who)
        for who in ("s1", "unit"):
            assert stack.refused("GET", path, who) == (403, "FORBIDDEN"), (path, who)
        assert stack.refused("GET", path, "public") == (401, "UNAUTHENTICATED")


def test_an_unknown_campaign_answers_404_with_the_usual_error_body(stack: HonoursStack) -> None:
    unknown = str(uuid.uuid4())
    answer = stack.call("GET", f"/campaigns/{unknown}/dashboard")
    assert answer.status_code == 404
    assert answer.json() == {
        "error": "NOT_FOUND",
        "message": "no such campaign",
        "details": {"campaign_id": unknown},
    }


def test_neither_document_holds_personal_data(stack: HonoursStack, seasons: dict[str, str]) -> None:
    answers = [
        stack.call("GET", f"/campaigns/{seasons['this']}/dashboard").text,
        stack.call("GET", "/programme/history").text,
    ]
    for text in answers:
        for personal in (NAME, PHONE, COORDINATOR, seasons["s1"], seasons["s2"]):
            assert personal not in text


def test_the_openapi_document_describes_both_and_defines_a_volunteer(stack: HonoursStack) -> None:
    document = requests.get(f"{stack.url}/openapi.json", timeout=30).json()
    schemas = document["components"]["schemas"]
    assert "/api/v1/programme/history" in document["paths"]
    assert set(schemas["CampaignDashboardResponse"]["properties"]) >= {
        "stages",
        "recruitment",
        "placement",
        "volunteering",
        "honors",
    }
    volunteers = schemas["HistoryFiguresResponse"]["properties"]["volunteers"]["description"]
    assert "volunteered or were placed" in volunteers
    assert "counted once" in volunteers
