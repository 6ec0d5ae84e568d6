"""The gateway over real RabbitMQ and SQLite: recruitment and the gateway as nameko
containers, and the event-log consumer feeding the gateway's read models."""

from __future__ import annotations

import contextlib
import inspect
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import jwt
import pytest
import requests
import sqlalchemy as sa
from structlog.testing import capture_logs

from gateway.core.errors import error_catalogue
from gateway.core.process import prepare_databases
from gateway.core.replay import replay_read_models
from gateway.core.tables import idempotency_keys
from gateway.core.tokens import issue_token
from gateway.sections import ROUTES, SECTIONS
from gateway.service import GatewayService
from services.recruitment.service import RecruitmentService
from shared.backoff import Backoff
from shared.config import Settings, load_settings
from shared.eventlog.consumer import ConsumerOptions
from shared.eventlog.process import event_log_consumer
from shared.eventlog.tables import event_log
from shared.eventstore.database import create_database_engine
from shared.eventstore.tables import events
from shared.migrations import upgrade_to_head
from shared.process import nameko_config
from tests.factories import make_resident_id
from tests.support.gateway import start_gateway_and_projector

FAST_LOG = ConsumerOptions(
    batch_wait_seconds=0.01, idle_poll_seconds=0.05, backoff=Backoff(0.05, 30.0)
)
NAME, PHONE = "孙悦", "13912345678"
T = TypeVar("T")
JSON = {"Content-Type": "application/json"}
ContainerFactory = Callable[[type, dict[str, Any]], Any]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def make_settings(tmp_path: Path, amqp_uri: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": str(tmp_path / "var"),
        "amqp_uri": amqp_uri,
        "gateway": {"host": "127.0.0.1", "port": free_port()},
        "rpc_timeout": 5,
    }
    return load_settings(environ={}, overrides=values | overrides)


def make_campaign(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    body = {
        "name": "Gravity Plan summer",
        "year": now.year,
        "season": "summer",
        "registration_opens_at": (now - timedelta(days=1)).isoformat(),
        "registration_closes_at": (now + timedelta(days=30)).isoformat(),
        "scope": "home-district university students",
        "practice_content": "host units and summer classrooms",
    }
    return body | overrides


def make_registration(seed: int, **overrides: Any) -> dict[str, Any]:
    body = {
        "name": NAME,
        "phone": PHONE,
        "id_number": make_resident_id(seed),
        "university": "Henan University",
        "major": "Law",
        "grade": "junior",
        "hometown": "Beiguan Town",
        "channel": "organisation",
    }
    return body | overrides


def wait_for(fetch: Callable[[], T], condition: Callable[[T], bool], timeout: float = 15.0) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if condition(value):
            return value
        assert time.monotonic() < deadline, f"never satisfied; last value: {value}"
        time.sleep(0.05)


@dataclass
class Stack:
    """The running gateway, and a look into what recruitment and the gateway wrote."""

    settings: Settings
    url: str
    recruitment_db: sa.engine.Engine
    gateway_db: sa.engine.Engine

    def auth(self, role: str, subject: str = "op-1") -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(self.settings, role, subject)}"}

    def call(
        self,
        method: str,
        path: str,
        role: str | None = "operator",
        subject: str = "op-1",
        **kwargs: Any,
    ) -> requests.Response:
        headers = self.auth(role, subject) if role else {}
        headers |= kwargs.pop("headers", {})
        return requests.request(method, self.url + path, headers=headers, timeout=15, **kwargs)

    def recorded(self) -> tuple[int, int]:
        """Everything either side wrote: recruitment's events and the idempotency keys."""
        with self.recruitment_db.connect() as connection:
            logged = connection.execute(sa.select(sa.func.count()).select_from(events)).scalar_one()
        with self.gateway_db.connect() as connection:
            keys = connection.execute(
                sa.select(sa.func.count()).select_from(idempotency_keys)
            ).scalar_one()
        return logged, keys

    def recruitment_events(self, event_type: str) -> list[tuple[str, str]]:
        with self.recruitment_db.connect() as connection:
            rows = connection.execute(
                sa.select(events.c.stream_id, events.c.correlation_id).where(
                    events.c.event_type == event_type
                )
            )
            return [(row.stream_id, row.correlation_id) for row in rows]

    def open_campaign(self) -> str:
        created = self.call("POST", "/api/v1/campaigns", json=make_campaign())
        assert created.status_code == 201, created.text
        campaign_id = str(created.json()["campaign_id"])
        opened = self.call("POST", f"/api/v1/campaigns/{campaign_id}/open")
        assert opened.status_code == 200, opened.text
        return campaign_id


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request: pytest.FixtureRequest, tmp_path: Path, amqp_uri: str) -> Settings:
    """The gateway's own database on SQLite and on PostgreSQL; the others on SQLite."""
    databases: dict[str, str] = {}
    if request.param == "postgresql":
        databases["gateway"] = request.getfixturevalue("postgres_url")
    # Recruitment is the one service this module runs (readiness pings each one named).
    settings = make_settings(tmp_path, amqp_uri, databases=databases, services=["recruitment"])
    upgrade_to_head(settings.database_url("recruitment"), "services.recruitment.migrations")
    prepare_databases(settings)
    return settings


def start_gateway(container_factory: ContainerFactory, settings: Settings) -> str:
    start_gateway_and_projector(container_factory, settings)
    return f"http://127.0.0.1:{settings.gateway_port}"


@contextlib.contextmanager
def logging_stack(settings: Settings, url: str) -> Iterator[Stack]:
    """The ``Stack`` of a gateway at ``url`` whose containers run, with the event log's
    consumer feeding the log while it is used."""
    recruitment_db = create_database_engine(settings.database_url("recruitment"), reader=True)
    gateway_db = create_database_engine(settings.database_url("gateway"), reader=True)
    with event_log_consumer(settings, FAST_LOG) as consumer:
        worker = threading.Thread(target=consumer.run, daemon=True)
        worker.start()
        try:
            yield Stack(settings, url, recruitment_db, gateway_db)
        finally:
            consumer.stop()
            worker.join(10)
            recruitment_db.dispose()
            gateway_db.dispose()


@pytest.fixture
def stack(settings: Settings, container_factory: ContainerFactory) -> Iterator[Stack]:
    recruitment = container_factory(RecruitmentService, nameko_config(settings, "recruitment"))
    recruitment.start()
    with logging_stack(settings, start_gateway(container_factory, settings)) as running:
        yield running


def test_a_season_runs_from_a_new_campaign_to_its_report(stack: Stack) -> None:
    with capture_logs() as logs:
        run_a_season(stack)
    logged = repr(logs)
    for personal in (NAME, PHONE, make_resident_id(1), make_resident_id(2)):
        assert personal not in logged
    assert any(line["event"] == "http.request" for line in logs)
    # The profile reads were recorded (docs/privacy.md, "Access records"), so the log holds
    # them beside the season's 8 events; the replay goes as far as the live read models have
    # followed the log, which may be short of the last records.
    records = wait_for(lambda: access_records(stack), lambda counts: counts[0] == counts[1])[0]
    assert records >= 2  # the operator's and the student's reads of a profile
    rebuilt = replay_read_models(stack.settings, SECTIONS, progress=False)
    assert (rebuilt.equal, rebuilt.differences) == (True, [])
    assert 8 <= rebuilt.events <= 8 + records


def access_records(stack: Stack) -> tuple[int, int]:
    """The access records the gateway made, and how many of them the event log holds."""
    counted = []
    for component, table in (("gateway", events), ("eventlog", event_log)):
        engine = create_database_engine(stack.settings.database_url(component))
        try:
            with engine.connect() as connection:
                query = sa.select(sa.func.count()).where(
                    table.c.event_type == "PersonalDataAccessed"
                )
                counted.append(int(connection.execute(query).scalar_one()))
        finally:
            engine.dispose()
    return counted[0], counted[1]


def run_a_season(stack: Stack) -> None:
    created = stack.call(
        "POST", "/api/v1/campaigns", json=make_campaign(), headers={"X-Correlation-Id": "c-42"}
    )
    assert created.status_code == 201, created.text
    assert created.headers["X-Correlation-Id"] == "c-42"
    campaign = created.json()
    campaign_id = campaign["campaign_id"]
    assert (campaign["status"], campaign["season"]) == ("draft", "summer")
    assert campaign["registration_opens_at"].endswith("Z")
    assert stack.recruitment_events("CampaignCreated") == [(f"campaign-{campaign_id}", "c-42")]
    opened = stack.call("POST", f"/api/v1/campaigns/{campaign_id}/open")
    assert (opened.status_code, opened.json()["status"]) == (200, "open")

    registered = stack.call(
        "POST", f"/api/v1/campaigns/{campaign_id}/registrations", json=make_registration(1)
    )
    assert registered.status_code == 201, registered.text
    student_id = registered.json()["student_id"]
    assert registered.json()["status"] == "registered"
    assert NAME not in registered.text
    assert PHONE not in registered.text

    own_id = str(uuid.uuid4())
    own = stack.call(
        "POST",
        f"/api/v1/campaigns/{campaign_id}/registrations",
        role="student",
        subject=own_id,
        json=make_registration(2, channel="self", university="Wuhan University"),
    )
    assert (own.status_code, own.json()["student_id"]) == (201, own_id)

    screened = stack.call(
        "POST",
        f"/api/v1/students/{student_id}/screening",
        json={"decision": "approved", "reason": "strong candidate"},
    )
    assert (screened.status_code, screened.json()["status"]) == (200, "approved")
    joined = stack.call("POST", f"/api/v1/students/{student_id}/alliance")
    assert (joined.status_code, joined.json()["in_alliance"]) == (200, True)
    withdrew = stack.call(
        "POST",
        f"/api/v1/students/{own_id}/withdrawal",
        role="student",
        subject=own_id,
        json={"reason": "family plans"},
    )
    assert (withdrew.status_code, withdrew.json()["status"]) == (200, "withdrawn")

    profile = wait_for(
        lambda: stack.call("GET", f"/api/v1/students/{student_id}"),
        lambda r: r.status_code == 200 and r.json()["in_alliance"],
    ).json()
    assert (profile["name"], profile["phone"]) == (NAME, PHONE)
    assert profile["id_number"] == make_resident_id(1)
    assert profile["screening"]["decision"] == "approved"
    assert profile["screening"]["reason"] == "strong candidate"
    assert profile["campaign"] == {
        "campaign_id": campaign_id,
        "name": "Gravity Plan summer",
        "year": campaign["year"],
        "season": "summer",
        "status": "open",
    }
    mine = wait_for(
        lambda: stack.call("GET", f"/api/v1/students/{own_id}", role="student", subject=own_id),
        lambda r: r.status_code == 200 and r.json()["status"] == "withdrawn",
    ).json()
    assert mine["withdrawal_reason"] == "family plans"

    listed = stack.call("GET", "/api/v1/campaigns", role="host_unit", subject="hu-1").json()
    assert [row["campaign_id"] for row in listed["campaigns"]] == [campaign_id]
    single = stack.call("GET", f"/api/v1/campaigns/{campaign_id}", role="auditor", subject="a")
    assert single.json()["status"] == "open"

    report = stack.call("GET", f"/api/v1/campaigns/{campaign_id}/report").json()
    assert {key: report[key] for key in ("registered", "approved", "rejected", "withdrawn")} == {
        "registered": 2,
        "approved": 1,
        "rejected": 0,
        "withdrawn": 1,
    }
    assert report["by_university"]["Wuhan University"]["withdrawn"] == 1
    assert report["by_channel"] == {
        "organisation": {"registered": 1, "approved": 1, "rejected": 0, "withdrawn": 0},
        "self": {"registered": 1, "approved": 0, "rejected": 0, "withdrawn": 1},
    }
    left = stack.call("DELETE", f"/api/v1/students/{student_id}/alliance")
    assert (left.status_code, left.json()["in_alliance"]) == (200, False)
    wait_for(
        lambda: stack.call("GET", f"/api/v1/students/{student_id}").json(),
        lambda r: r["in_alliance"] is False,
    )


def test_domain_refusals_come_back_with_their_codes(stack: Stack) -> None:
    campaign_id = stack.open_campaign()
    again = stack.call("POST", f"/api/v1/campaigns/{campaign_id}/open")
    assert (again.status_code, again.json()["error"]) == (409, "CAMPAIGN_STATE_CONFLICT")
    path = f"/api/v1/campaigns/{campaign_id}/registrations"
    assert stack.call("POST", path, json=make_registration(1)).status_code == 201
    duplicate = stack.call("POST", path, json=make_registration(1, name="Another"))
    assert (duplicate.status_code, duplicate.json()["error"]) == (409, "DUPLICATE_REGISTRATION")
    assert make_resident_id(1) not in duplicate.text
    missing = stack.call("POST", f"/api/v1/campaigns/{uuid.uuid4()}/open")
    assert (missing.status_code, missing.json()["error"]) == (404, "NOT_FOUND")
    stranger = stack.call(
        "POST",
        f"/api/v1/students/{uuid.uuid4()}/screening",
        json={"decision": "approved", "reason": "ok"},
    )
    assert stranger.status_code == 404
    closed = stack.call(
        "POST",
        "/api/v1/campaigns",
        json=make_campaign(
            registration_opens_at="2020-01-01T00:00Z", registration_closes_at="2020-02-01T00:00Z"
        ),
    ).json()["campaign_id"]
    assert stack.call("POST", f"/api/v1/campaigns/{closed}/open").status_code == 200
    late = stack.call(
        "POST", f"/api/v1/campaigns/{closed}/registrations", json=make_registration(3)
    )
    assert (late.status_code, late.json()["error"]) == (409, "REGISTRATION_CLOSED")


BAD_REQUESTS: list[tuple[str, str, dict[str, Any], int, str]] = [
    (
        "malformed JSON",
        "campaigns",
        {"data": b'{"name": "x",', "json_type": True},
        400,
        "MALFORMED_JSON",
    ),
    (
        "an unknown field",
        "campaigns",
        {"json": make_campaign(budget=100)},
        422,
        "VALIDATION_FAILED",
    ),
    ("a wrong type", "campaigns", {"json": make_campaign(year="2024")}, 422, "VALIDATION_FAILED"),
    (
        "an invalid ID number",
        "registrations",
        {"json": make_registration(1, id_number="410102200305151230")},
        422,
        "INVALID_ID_NUMBER",
    ),
    (
        "an oversize body",
        "registrations",
        {"json": make_registration(1, major="x" * 70_000)},
        413,
        "PAYLOAD_TOO_LARGE",
    ),
    (
        "a body that is not JSON",
        "campaigns",
        {"data": b"name=x", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
        415,
        "UNSUPPORTED_MEDIA_TYPE",
    ),
    (
        "a student id that is not a UUID",
        "screening-42",
        {"json": {"decision": "approved", "reason": "ok"}},
        404,
        "NOT_FOUND",
    ),
]


def test_each_bad_input_gets_its_4xx_and_nothing_is_written(stack: Stack) -> None:
    campaign_id = stack.open_campaign()
    paths = {
        "campaigns": "/api/v1/campaigns",
        "registrations": f"/api/v1/campaigns/{campaign_id}/registrations",
        "screening-42": "/api/v1/students/42/screening",
    }
    before = stack.recorded()
    for label, target, bad, status, code in BAD_REQUESTS:
        request = dict(bad)
        headers = {"Idempotency-Key": f"bad-{label}"} | request.pop("headers", {})
        if request.pop("json_type", False):
            headers["Content-Type"] = "application/json"
        answer = stack.call("POST", paths[target], headers=headers, **request)
        assert (answer.status_code, answer.json()["error"]) == (status, code), label
        assert answer.headers["X-Correlation-Id"]
        assert make_resident_id(1)[:17] not in answer.text, label
        assert NAME not in answer.text, label
    unknown = stack.call("GET", "/api/v1/nothing-here")
    assert (unknown.status_code, unknown.json()["error"]) == (404, "NOT_FOUND")
    wrong_method = stack.call("PUT", "/api/v1/campaigns")
    assert (wrong_method.status_code, wrong_method.json()["error"]) == (405, "METHOD_NOT_ALLOWED")
    assert stack.recorded() == before


def test_a_chunked_body_is_read_and_limited_like_any_other(stack: Stack) -> None:
    def chunks(body: bytes) -> Iterator[bytes]:
        yield from (body[start : start + 1000] for start in range(0, len(body), 1000))

    before = stack.recorded()
    big = b'{"name": "' + b"x" * 70_000 + b'"}'
    refused = stack.call("POST", "/api/v1/campaigns", data=chunks(big), headers=JSON)
    assert (refused.status_code, refused.json()["error"]) == (413, "PAYLOAD_TOO_LARGE")
    assert stack.recorded() == before
    campaign = json.dumps(make_campaign()).encode()
    created = stack.call("POST", "/api/v1/campaigns", data=chunks(campaign), headers=JSON)
    assert created.status_code == 201, created.text


def forged(stack: Stack, **changes: Any) -> dict[str, str]:
    now = datetime.now(UTC)
    claims = {"iss": "gravity", "sub": "op-1", "role": "operator", "exp": now + timedelta(1)}
    secret = changes.pop("secret", stack.settings.jwt_secret)
    algorithm = changes.pop("algorithm", "HS256")
    claims |= changes
    token = jwt.encode(claims, secret if algorithm != "none" else None, algorithm=algorithm)
    return {"Authorization": f"Bearer {token}"}


def test_each_auth_failure_gets_401_or_403_and_writes_nothing(stack: Stack) -> None:
    campaign_id = stack.open_campaign()
    student_id = stack.call(
        "POST", f"/api/v1/campaigns/{campaign_id}/registrations", json=make_registration(1)
    ).json()["student_id"]
    wait_for(
        lambda: stack.call("GET", f"/api/v1/students/{student_id}").status_code,
        lambda status: status == 200,
    )
    before = stack.recorded()
    unauthenticated = {
        "missing": {},
        "expired": forged(stack, exp=datetime.now(UTC) - timedelta(minutes=1)),
        "forged": forged(stack, secret="not-the-gateway-secret-but-long-enough-1234"),
        "alg=none": forged(stack, algorithm="none"),
        "wrong issuer": forged(stack, iss="elsewhere"),
    }
    for label, headers in unauthenticated.items():
        answer = stack.call(
            "POST", "/api/v1/campaigns", role=None, headers=headers, json=make_campaign()
        )
        assert (answer.status_code, answer.json()["error"]) == (401, "UNAUTHENTICATED"), label
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    forbidden = [
        ("POST", "/api/v1/campaigns", "host_unit", {"json": make_campaign()}),
        (
            "POST",
            f"/api/v1/students/{student_id}/screening",
            "student",
            {"json": {"decision": "approved", "reason": "me"}},
        ),
        ("GET", "/api/v1/audit/head", "operator", {}),  # the log's proofs are auditors' only
        ("GET", f"/api/v1/campaigns/{campaign_id}/report", "host_unit", {}),
        (
            "POST",
            f"/api/v1/campaigns/{campaign_id}/registrations",
            "student",
            {"json": make_registration(5)},
        ),  # a student must use the self channel
    ]
    for method, path, role, request in forbidden:
        answer = stack.call(method, path, role=role, subject=str(uuid.uuid4()), **request)
        assert (answer.status_code, answer.json()["error"]) == (403, "FORBIDDEN"), path
    other = str(uuid.uuid4())
    peek = stack.call("GET", f"/api/v1/students/{student_id}", role="student", subject=other)
    assert (peek.status_code, peek.json()["error"]) == (404, "NOT_FOUND")
    assert NAME not in peek.text
    meddle = stack.call(
        "POST",
        f"/api/v1/students/{student_id}/withdrawal",
        role="student",
        subject=other,
        json={"reason": "not mine"},
    )
    assert meddle.status_code == 404
    assert stack.recorded() == before


def test_a_retried_post_with_the_same_idempotency_key_acts_once(stack: Stack) -> None:
    key, summer = {"Idempotency-Key": "create-summer-1"}, make_campaign()
    first = stack.call("POST", "/api/v1/campaigns", headers=key, json=summer)
    again = stack.call("POST", "/api/v1/campaigns", headers=key, json=summer)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(stack.recruitment_events("CampaignCreated")) == 1

    reused = stack.call("POST", "/api/v1/campaigns", headers=key, json=summer | {"name": "B"})
    assert (reused.status_code, reused.json()["error"]) == (422, "IDEMPOTENCY_KEY_REUSED")
    elsewhere = stack.call("POST", "/api/v1/campaigns", subject="op-2", headers=key, json=summer)
    assert elsewhere.status_code == 201
    assert elsewhere.json()["campaign_id"] != first.json()["campaign_id"]

    racing, winter, answers = {"Idempotency-Key": "create-winter-1"}, make_campaign(), []

    def post() -> None:
        answers.append(stack.call("POST", "/api/v1/campaigns", headers=racing, json=winter))

    threads = [threading.Thread(target=post) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [answer.status_code for answer in answers] == [201, 201, 201]
    assert len({answer.json()["campaign_id"] for answer in answers}) == 1
    assert len(stack.recruitment_events("CampaignCreated")) == 3


def test_a_request_that_could_not_reach_recruitment_answers_503_and_may_be_retried(
    settings: Settings, container_factory: ContainerFactory
) -> None:
    url = start_gateway(container_factory, settings)
    headers = {
        "Authorization": f"Bearer {issue_token(settings, 'operator', 'op-1')}",
        "Idempotency-Key": "try-until-it-works",
    }
    campaign = make_campaign()
    down = requests.post(f"{url}/api/v1/campaigns", headers=headers, json=campaign, timeout=15)
    assert (down.status_code, down.json()["error"]) == (503, "SERVICE_UNAVAILABLE")
    container_factory(RecruitmentService, nameko_config(settings, "recruitment")).start()
    retried = requests.post(f"{url}/api/v1/campaigns", headers=headers, json=campaign, timeout=15)
    assert retried.status_code == 201, retried.text


def test_health_and_readiness_report_each_dependency(stack: Stack) -> None:
    assert stack.call("GET", "/healthz", role=None).json() == {"status": "up"}
    ready = stack.call("GET", "/readyz", role=None)
    assert ready.status_code == 200
    assert ready.json()["checks"] == {
        "broker": "up",
        "gateway_database": "up",
        "event_log": "up",
        "recruitment": "up",
    }


def test_readiness_names_the_part_that_is_down(
    tmp_path: Path, amqp_uri: str, container_factory: ContainerFactory
) -> None:
    missing = f"postgresql+psycopg2://postgres@127.0.0.1:5432/gravity_absent_{uuid.uuid4().hex}"
    settings = make_settings(
        tmp_path, amqp_uri, databases={"eventlog": missing}, services=["recruitment"]
    )
    upgrade_to_head(settings.database_url("gateway"), "gateway.migrations")
    url = start_gateway(container_factory, settings)
    answer = requests.get(f"{url}/readyz", timeout=15)
    assert answer.status_code == 503
    assert answer.json()["error"] == "SERVICE_UNAVAILABLE"
    assert answer.json()["details"]["down"] == ["event_log", "recruitment"]  # not started


def test_the_openapi_document_lists_every_route_and_error_code(stack: Stack) -> None:
    document = stack.call("GET", "/openapi.json", role=None).json()
    for route in ROUTES:
        operation = document["paths"][route.path][route.method.lower()]
        assert operation["operationId"] == route.name
        for code in route.error_codes:
            assert f"`{code}`" in str(operation["responses"])
    listed = {row["code"] for row in document["x-error-codes"]}
    assert listed == set(error_catalogue())
    assert set(document["components"]["schemas"]["Error"]["properties"]["error"]["enum"]) == listed
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    registration = document["paths"]["/api/v1/campaigns/{campaign_id}/registrations"]["post"]
    assert registration["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RegisterStudentRequest"
    }
    assert "eventually consistent" in document["info"]["description"]


def test_every_route_in_the_table_is_served_by_the_gateway_service() -> None:
    served = {
        entrypoint.route.name
        for _, method in inspect.getmembers(GatewayService, inspect.isfunction)
        for entrypoint in getattr(method, "nameko_entrypoints", ())
    }
    assert served == {route.name for route in ROUTES}
