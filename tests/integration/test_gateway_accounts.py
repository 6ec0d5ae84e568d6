"""Accounts and sign-in through the real gateway on real RabbitMQ, SQLite and PostgreSQL: the
first operator from the CLI (password on stdin), invitations for a host unit, a student and
an auditor, sign-in as each, refresh rotation and reuse, sign-out, a new password, a disabled
account, lockout and rate limits, and tokens that were edited."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests
import sqlalchemy as sa
from structlog.testing import capture_logs

from gateway.accounts.tables import invitations
from gateway.core.process import prepare_databases
from gateway.core.tables import idempotency_keys
from services.placement.service import PlacementService
from services.recruitment.service import RecruitmentService
from shared.config import Settings
from shared.eventlog.process import event_log_consumer
from shared.eventlog.reader import EventLogReader
from shared.events.envelope import Envelope
from shared.eventstore.database import create_database_engine
from shared.migrations import upgrade_to_head
from shared.process import nameko_config
from tests.integration.test_gateway_api import (
    FAST_LOG,
    ContainerFactory,
    make_campaign,
    make_registration,
    make_settings,
    wait_for,
)
from tests.integration.test_gateway_placement import make_host_unit
from tests.support.gateway import start_gateway_and_projector

API = "/api/v1"
GRAVITY = (sys.executable, "-m", "gravity.cli")
OPERATOR_PASSWORD = "lantern-river-2024"
PASSWORD = "summer-orchard-walk"
ACCOUNTS = {
    "lockout_failures": 3,
    "lockout_minutes": 1,
    "sign_in_per_minute_per_address": 60,
    "sign_in_per_minute_per_account": 60,
}


@dataclass
class Gateway:
    settings: Settings
    url: str

    def call(
        self, method: str, path: str, token: str | None = None, **kwargs: Any
    ) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        headers |= kwargs.pop("headers", {})
        return requests.request(
            method, self.url + API + path, headers=headers, timeout=15, **kwargs
        )

    def sign_in(self, username: str, password: str) -> requests.Response:
        return self.call("POST", "/sessions", json={"username": username, "password": password})

    def session(self, username: str, password: str) -> dict[str, Any]:
        signed_in = self.sign_in(username, password)
        assert signed_in.status_code == 201, signed_in.text
        return dict(signed_in.json())

    def invite(self, operator: str, **body: Any) -> dict[str, Any]:
        invited = self.call("POST", "/invitations", operator, json=body)
        assert invited.status_code == 201, invited.text
        return dict(invited.json())

    def accept(self, token: str, username: str, password: str = PASSWORD) -> requests.Response:
        return self.call(
            "POST",
            f"/invitations/{token}/acceptance",
            json={"username": username, "password": password},
        )

    def create_operator(self, username: str, stdin: str) -> subprocess.CompletedProcess[str]:
        environ = {
            **os.environ,
            "GRAVITY_DATA_DIR": str(self.settings.data_dir),
            "GRAVITY_GATEWAY_DB": self.settings.databases.get("gateway", ""),
        }
        return subprocess.run(
            [*GRAVITY, "accounts", "create-operator", "--username", username],
            input=stdin,
            env=environ,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def first_operator(self) -> str:
        created = self.create_operator("director", OPERATOR_PASSWORD + "\n")
        assert created.returncode == 0, created.stderr
        return str(self.session("director", OPERATOR_PASSWORD)["access_token"])


def gateway_with(
    settings: Settings, container_factory: ContainerFactory, services: tuple[type, ...]
) -> Iterator[Gateway]:
    for service in services:
        container_factory(service, nameko_config(settings, service.name)).start()
    start_gateway_and_projector(container_factory, settings)
    with event_log_consumer(settings, FAST_LOG) as consumer:
        worker = threading.Thread(target=consumer.run, daemon=True)
        worker.start()
        try:
            yield Gateway(settings, f"http://127.0.0.1:{settings.gateway_port}")
        finally:
            consumer.stop()
            worker.join(10)


def accounts_settings(tmp_path: Path, amqp_uri: str, gateway_db: str = "", **accounts: Any):
    settings = make_settings(
        tmp_path,
        amqp_uri,
        databases={"gateway": gateway_db} if gateway_db else {},
        services=["recruitment", "placement"],
        accounts=ACCOUNTS | accounts,
    )
    upgrade_to_head(settings.database_url("recruitment"), "services.recruitment.migrations")
    upgrade_to_head(settings.database_url("placement"), "services.placement.migrations")
    prepare_databases(settings)
    return settings


@pytest.fixture(params=["sqlite", "postgresql"])
def gateway(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    amqp_uri: str,
    container_factory: ContainerFactory,
) -> Iterator[Gateway]:
    """Recruitment, placement and the gateway; the gateway's database on both engines."""
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else ""
    settings = accounts_settings(tmp_path, amqp_uri, url)
    yield from gateway_with(settings, container_factory, (RecruitmentService, PlacementService))


@pytest.fixture
def small_gateway(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    amqp_uri: str,
    container_factory: ContainerFactory,
) -> Iterator[Gateway]:
    """The gateway alone on SQLite, with a per-address limit of 5 sign-ins a minute and
    invitations that expire after about a second."""
    settings = accounts_settings(
        tmp_path, amqp_uri, sign_in_per_minute_per_address=5, invitation_ttl_hours=0.0003
    )
    yield from gateway_with(settings, container_factory, ())


def visible(gateway: Gateway, path: str, token: str) -> None:
    """Wait until the read models show ``path``."""
    wait_for(lambda: gateway.call("GET", path, token).status_code, lambda status: status == 200)


def edited(token: str, **claims: Any) -> str:
    """The token with its payload changed and its signature kept (as an attacker would)."""
    header, payload, signature = token.split(".")
    decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    changed = base64.urlsafe_b64encode(json.dumps(decoded | claims).encode()).rstrip(b"=")
    return f"{header}.{changed.decode()}.{signature}"


def test_invited_people_sign_in_as_their_role_and_act_as_their_records(gateway: Gateway):
    with capture_logs() as logs:
        operator = gateway.first_operator()
        campaign = gateway.call("POST", "/campaigns", operator, json=make_campaign()).json()
        campaign_id = campaign["campaign_id"]
        assert gateway.call("POST", f"/campaigns/{campaign_id}/open", operator).status_code == 200
        registered = gateway.call(
            "POST", f"/campaigns/{campaign_id}/registrations", operator, json=make_registration(7)
        )
        student_id = registered.json()["student_id"]
        unit = gateway.call("POST", "/host-units", operator, json=make_host_unit())
        unit_id = unit.json()["host_unit_id"]
        visible(gateway, f"/students/{student_id}", operator)
        visible(gateway, f"/host-units/{unit_id}", operator)

        invitation = gateway.invite(operator, role="host_unit", subject_id=unit_id)
        assert (invitation["role"], invitation["subject_id"]) == ("host_unit", unit_id)
        accepted = gateway.accept(invitation["token"], "Civil.Affairs")
        assert accepted.status_code == 201, accepted.text
        assert accepted.json()["username"] == "civil.affairs"
        unit_session = gateway.session("civil.affairs", PASSWORD)
        assert (unit_session["role"], unit_session["subject_id"]) == ("host_unit", unit_id)
        assert unit_session["expires_in"] == 900
        claims = jwt.decode(unit_session["access_token"], options={"verify_signature": False})
        assert (claims["sub"], claims["role"], claims["sid"]) == (
            unit_id,
            "host_unit",
            unit_session["session_id"],
        )
        own = gateway.call("GET", f"/host-units/{unit_id}", unit_session["access_token"])
        assert own.status_code == 200, own.text
        others = gateway.call("GET", f"/students/{student_id}", unit_session["access_token"])
        assert others.status_code in (403, 404)

        student = gateway.invite(
            operator, role="student", subject_id=student_id, username="sun.yue"
        )
        assert gateway.accept(student["token"], "someone.else").status_code == 422
        assert gateway.accept(student["token"], "sun.yue").status_code == 201
        student_token = gateway.session("sun.yue", PASSWORD)["access_token"]
        assert gateway.call("GET", f"/students/{student_id}", student_token).status_code == 200

        auditor = gateway.invite(operator, role="auditor")
        assert gateway.accept(auditor["token"], "auditor.one").status_code == 201
        auditor_session = gateway.session("auditor.one", PASSWORD)
        assert auditor_session["subject_id"] == auditor_session["account_id"]
        head = gateway.call("GET", "/audit/head", auditor_session["access_token"])
        assert head.status_code == 200, head.text
        assert (
            gateway.call("POST", "/invitations", student_token, json={"role": "operator"}).json()[
                "error"
            ]
            == "FORBIDDEN"
        )

        used = gateway.accept(invitation["token"], "another.unit")
        assert (used.status_code, used.json()["error"]) == (409, "INVITATION_USED")
        unknown = gateway.accept("A" * 43, "nobody.here")
        assert (unknown.status_code, unknown.json()["error"]) == (404, "INVITATION_NOT_FOUND")
        stranger = gateway.call(
            "POST",
            "/invitations",
            operator,
            json={"role": "student", "subject_id": str(uuid.uuid4())},
        )
        assert (stranger.status_code, stranger.json()["error"]) == (422, "SUBJECT_UNKNOWN")
        weak = gateway.accept(
            gateway.invite(operator, role="operator")["token"], "op.two", "qwertyuiop"
        )
        assert (weak.status_code, weak.json()["error"]) == (422, "WEAK_PASSWORD")
    logged = repr(logs)
    for secret in (OPERATOR_PASSWORD, PASSWORD, invitation["token"], unit_session["refresh_token"]):
        assert secret not in logged
    assert_invitation_tokens_are_stored_nowhere(gateway, operator)


def assert_invitation_tokens_are_stored_nowhere(gateway: Gateway, operator: str) -> None:
    """Not even as an Idempotency-Key's first answer: the header is ignored there."""
    keyed = {"Idempotency-Key": "invite-once"}
    first = gateway.call("POST", "/invitations", operator, json={"role": "auditor"}, headers=keyed)
    again = gateway.call("POST", "/invitations", operator, json={"role": "auditor"}, headers=keyed)
    assert first.json()["token"] != again.json()["token"]
    engine = create_database_engine(gateway.settings.database_url("gateway"), reader=True)
    try:
        with engine.connect() as connection:
            stored = [
                " ".join(str(value) for value in row)
                for table in (idempotency_keys, invitations)
                for row in connection.execute(sa.select(table))
            ]
    finally:
        engine.dispose()
    assert stored
    assert not any(first.json()["token"] in row for row in stored)


def test_a_refresh_token_rotates_and_its_reuse_signs_the_whole_session_out(gateway: Gateway):
    operator = gateway.first_operator()
    first = gateway.session("director", OPERATOR_PASSWORD)
    refreshed = gateway.call(
        "POST", "/sessions/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert refreshed.status_code == 200, refreshed.text
    second = refreshed.json()
    assert second["session_id"] == first["session_id"]
    assert second["refresh_token"] != first["refresh_token"]
    assert gateway.call("GET", "/campaigns", second["access_token"]).status_code == 200

    reused = gateway.call(
        "POST", "/sessions/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert (reused.status_code, reused.json()["error"]) == (401, "REFRESH_TOKEN_INVALID")
    newest = gateway.call(
        "POST", "/sessions/refresh", json={"refresh_token": second["refresh_token"]}
    )
    assert (newest.status_code, newest.json()["error"]) == (401, "REFRESH_TOKEN_INVALID")
    closed = gateway.call("GET", "/campaigns", second["access_token"])
    assert (closed.status_code, closed.json()["error"]) == (401, "UNAUTHENTICATED")
    assert gateway.call("GET", "/campaigns", operator).status_code == 200  # another session


def test_signing_out_a_new_password_and_a_disabled_account_end_sessions(gateway: Gateway):
    operator = gateway.first_operator()
    invitation = gateway.invite(operator, role="operator")
    assert gateway.accept(invitation["token"], "deputy").status_code == 201
    one, two = gateway.session("deputy", PASSWORD), gateway.session("deputy", PASSWORD)

    signed_out = gateway.call("DELETE", "/sessions/current", one["access_token"])
    assert (signed_out.status_code, signed_out.json()["session_id"]) == (200, one["session_id"])
    assert gateway.call("GET", "/campaigns", one["access_token"]).status_code == 401
    assert gateway.call("GET", "/campaigns", two["access_token"]).status_code == 200

    wrong = gateway.call(
        "PUT",
        "/accounts/current/password",
        two["access_token"],
        json={"current_password": "not-the-password", "new_password": "a-new-long-secret"},
    )
    assert (wrong.status_code, wrong.json()["error"]) == (403, "WRONG_CURRENT_PASSWORD")
    changed = gateway.call(
        "PUT",
        "/accounts/current/password",
        two["access_token"],
        json={"current_password": PASSWORD, "new_password": "a-new-long-secret"},
    )
    assert (changed.status_code, changed.json()["sessions_closed"]) == (200, 1), changed.text
    assert gateway.call("GET", "/campaigns", two["access_token"]).status_code == 401
    assert gateway.sign_in("deputy", PASSWORD).json()["error"] == "INVALID_CREDENTIALS"
    three = gateway.session("deputy", "a-new-long-secret")

    account_id = three["account_id"]
    disabled = gateway.call("POST", f"/accounts/{account_id}/disable", operator)
    assert (disabled.status_code, disabled.json()["status"]) == (200, "disabled")
    refused = gateway.call("GET", "/campaigns", three["access_token"])
    assert (refused.status_code, refused.json()["error"]) == (401, "UNAUTHENTICATED")
    again = gateway.sign_in("deputy", "a-new-long-secret")
    assert (again.status_code, again.json()["error"]) == (403, "ACCOUNT_DISABLED")
    refresh = gateway.call(
        "POST", "/sessions/refresh", json={"refresh_token": three["refresh_token"]}
    )
    assert refresh.status_code == 401
    missing = gateway.call("POST", f"/accounts/{uuid.uuid4()}/disable", operator)
    assert missing.status_code == 404


def test_wrong_passwords_lock_the_account_and_edited_tokens_are_refused(gateway: Gateway):
    gateway.first_operator()
    bad = gateway.sign_in("director", "not-the-password")
    assert (bad.status_code, bad.json()["error"]) == (401, "INVALID_CREDENTIALS")
    nobody = gateway.sign_in("nobody", "not-the-password")
    assert (nobody.status_code, nobody.json()["error"]) == (401, "INVALID_CREDENTIALS")
    for _ in range(2):
        assert gateway.sign_in("director", "not-the-password").status_code == 401
    locked = gateway.sign_in("director", OPERATOR_PASSWORD)
    assert (locked.status_code, locked.json()["error"]) == (423, "ACCOUNT_LOCKED")
    assert 1 <= int(locked.headers["Retry-After"]) <= 60
    assert locked.json()["details"]["locked_until"].endswith("Z")

    invitation_body = {"role": "host_unit", "subject_id": str(uuid.uuid4())}
    student_session = _a_student_session(gateway)
    escalated = edited(student_session["access_token"], role="operator")
    answer = gateway.call("POST", "/invitations", escalated, json=invitation_body)
    assert (answer.status_code, answer.json()["error"]) == (401, "UNAUTHENTICATED")
    # Even signed with the real key, a token must match its session's role and subject.
    claims = jwt.decode(student_session["access_token"], options={"verify_signature": False})
    forged = jwt.encode(claims | {"role": "operator"}, gateway.settings.jwt_secret, "HS256")
    answer = gateway.call("POST", "/invitations", forged, json=invitation_body)
    assert (answer.status_code, answer.json()["error"]) == (401, "UNAUTHENTICATED")


def _a_student_session(gateway: Gateway) -> dict[str, Any]:
    """A student account of an operator made by the CLI (the lockout test's own)."""
    created = gateway.create_operator("second.op", OPERATOR_PASSWORD + "\n")
    assert created.returncode == 0, created.stderr
    operator = gateway.session("second.op", OPERATOR_PASSWORD)["access_token"]
    campaign_id = gateway.call("POST", "/campaigns", operator, json=make_campaign()).json()[
        "campaign_id"
    ]
    gateway.call("POST", f"/campaigns/{campaign_id}/open", operator)
    registered = gateway.call(
        "POST", f"/campaigns/{campaign_id}/registrations", operator, json=make_registration(3)
    )
    student_id = registered.json()["student_id"]
    visible(gateway, f"/students/{student_id}", operator)
    invitation = gateway.invite(operator, role="student", subject_id=student_id)
    assert gateway.accept(invitation["token"], "student.one").status_code == 201
    return gateway.session("student.one", PASSWORD)


def test_an_invitation_expires_and_sign_ins_are_rate_limited_per_address(small_gateway: Gateway):
    gateway = small_gateway
    operator = gateway.first_operator()  # one sign-in of the address's five
    invitation = gateway.invite(operator, role="auditor")
    time.sleep(1.5)
    expired = gateway.accept(invitation["token"], "late.auditor")
    assert (expired.status_code, expired.json()["error"]) == (410, "INVITATION_EXPIRED")

    answers = [gateway.sign_in(f"user{n}", "not-the-password") for n in range(6)]
    assert [a.status_code for a in answers[:4]] == [401] * 4
    limited = answers[-1]
    assert (limited.status_code, limited.json()["error"]) == (429, "RATE_LIMITED")
    assert int(limited.headers["Retry-After"]) >= 1


def test_the_cli_refuses_an_empty_or_weak_password_and_a_taken_username(small_gateway: Gateway):
    gateway = small_gateway
    empty = gateway.create_operator("director", "")
    assert (empty.returncode, "no password on standard input" in empty.stderr) == (2, True)
    weak = gateway.create_operator("director", "password123\n")
    assert (weak.returncode, "WEAK_PASSWORD" in weak.stderr) == (2, True)
    assert gateway.create_operator("director", OPERATOR_PASSWORD + "\n").returncode == 0
    taken = gateway.create_operator("Director", OPERATOR_PASSWORD + "\n")
    assert (taken.returncode, "USERNAME_TAKEN" in taken.stderr) == (2, True)
    assert OPERATOR_PASSWORD not in taken.stdout + taken.stderr


def test_a_self_recommended_student_registers_with_an_account_and_signs_in(gateway: Gateway):
    operator = gateway.first_operator()
    campaign_id = gateway.call("POST", "/campaigns", operator, json=make_campaign()).json()[
        "campaign_id"
    ]
    assert gateway.call("POST", f"/campaigns/{campaign_id}/open", operator).status_code == 200
    path = f"/campaigns/{campaign_id}/self-registrations"
    body = make_registration(11) | {"username": "li.hua", "password": PASSWORD}
    del body["channel"]

    weak = gateway.call("POST", path, json=body | {"password": "qwertyuiop"})
    assert (weak.status_code, weak.json()["error"]) == (422, "WEAK_PASSWORD")
    chosen = gateway.call("POST", path, json=body | {"channel": "organisation"})
    assert (chosen.status_code, chosen.json()["error"]) == (422, "VALIDATION_FAILED")
    registered = gateway.call("POST", path, json=body)
    assert registered.status_code == 201, registered.text
    answer = registered.json()
    assert (answer["channel"], answer["username"], "password" in answer) == (
        "self",
        "li.hua",
        False,
    )
    student_id = answer["student_id"]

    session = gateway.session("li.hua", PASSWORD)
    assert (session["role"], session["subject_id"]) == ("student", student_id)
    visible(gateway, f"/students/{student_id}", session["access_token"])
    taken = gateway.call(
        "POST", path, json=body | {"id_number": make_registration(12)["id_number"]}
    )
    assert (taken.status_code, taken.json()["error"]) == (409, "USERNAME_TAKEN")
    again = gateway.call("POST", path, json=body | {"username": "li.hua2"})
    assert (again.status_code, again.json()["error"]) == (409, "DUPLICATE_REGISTRATION")
    elsewhere = body | {"username": "li.hua3", "id_number": make_registration(13)["id_number"]}
    unknown = gateway.call("POST", f"/campaigns/{uuid.uuid4()}/self-registrations", json=elsewhere)
    assert unknown.status_code == 404
    assert gateway.sign_in("li.hua3", PASSWORD).status_code == 401  # no account without one

    # The account's AccountCreated is in the event log, by the new student; the refused
    # registrations made no account and recorded none.
    created = wait_for(lambda: accounts_created(gateway), lambda found: len(found) >= 2, timeout=30)
    assert [(e.actor, e.payload["origin"], e.payload["role"]) for e in created] == [
        ("command_line:gravity-accounts", "command_line", "operator"),
        (f"student:{student_id}", "self_registration", "student"),
    ]
    assert created[1].payload["account_id"] == answer["account_id"]


def accounts_created(gateway: Gateway) -> list[Envelope]:
    """The ``AccountCreated`` events in the event log, oldest first."""
    engine = create_database_engine(gateway.settings.database_url("eventlog"), reader=True)
    try:
        entries = EventLogReader(engine).read_after(0, 1000, event_type="AccountCreated")
        return [entry.envelope for entry in entries]
    finally:
        engine.dispose()
