"""The gateway as a producer, on real RabbitMQ and SQLite: its account changes reach the real
event log signed with the gateway's key and without a password or a token anywhere in the
log; each ``record_access`` logs exactly one access, also across a broker outage (the
gateway's database on SQLite and PostgreSQL); a forged ``gateway.events`` message is
quarantined."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pika
import pytest
import sqlalchemy as sa

from gateway.accounts.tables import accounts, invitations, refresh_tokens
from gateway.trail import gateway_relay, record_access
from gravity.audit import print_events
from gravity.cli import build_parser
from shared.config import Settings
from shared.contracts import CONTRACTS
from shared.contracts.gateway.events import PersonalDataAccessed
from shared.eventlog.process import event_log_consumer
from shared.eventlog.reader import EventLogReader
from shared.eventlog.tables import event_log, log_quarantine
from shared.eventlog.verify import verify_chain
from shared.events.envelope import Envelope
from shared.events.producer_keys import ProducerKeys, ensure_producer_key
from shared.eventstore.database import create_database_engine
from shared.eventstore.tables import outbox
from shared.messaging.topology import amqp_parameters, event_exchange
from tests.integration.test_gateway_accounts import (
    OPERATOR_PASSWORD,
    PASSWORD,
    Gateway,
    accounts_settings,
    gateway_with,
)
from tests.integration.test_gateway_api import FAST_LOG, ContainerFactory
from tests.support.broker import broker_channel
from tests.support.tcp_proxy import TcpProxy

NEW_PASSWORD = "winter-harbour-lights"
GATEWAY_EXCHANGE = event_exchange("gateway")
ACCOUNT_EVENTS = (
    "AccountCreated",
    "InvitationIssued",
    "InvitationAccepted",
    "PasswordChanged",
    "AccountDisabled",
)


@pytest.fixture
def gateway(
    tmp_path: Path, amqp_uri: str, container_factory: ContainerFactory
) -> Iterator[Gateway]:
    """The gateway alone (accounts need no service) and the event log, on SQLite."""
    yield from gateway_with(accounts_settings(tmp_path, amqp_uri), container_factory, ())


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request: pytest.FixtureRequest, tmp_path: Path, amqp_uri: str) -> Settings:
    """A migrated gateway database (on each engine) and event log, no gateway process."""
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else ""
    return accounts_settings(tmp_path, amqp_uri, url)


@pytest.fixture
def running_log(settings: Settings) -> Iterator[sa.engine.Engine]:
    with event_log_consumer(settings, FAST_LOG) as consumer:
        worker = threading.Thread(target=consumer.run, daemon=True)
        worker.start()
        engine = create_database_engine(settings.database_url("eventlog"), reader=True)
        try:
            yield engine
        finally:
            consumer.stop()
            worker.join(10)
            engine.dispose()


def wait_for(condition: Any, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)
    return result


def logged_by_gateway(log: sa.engine.Engine) -> list[Envelope]:
    entries = EventLogReader(log).read_after(0, 1000)
    return [entry.envelope for entry in entries if entry.envelope.producer == "gateway"]


def log_rows_text(log: sa.engine.Engine) -> str:
    """Every column of every log row and quarantined message, as one text."""
    with log.connect() as connection:
        rows = [
            *connection.execute(sa.select(event_log)),
            *connection.execute(sa.select(log_quarantine)),
        ]
    return "\n".join(" ".join(str(value) for value in row) for row in rows)


def secrets_in_gateway_database(settings: Settings) -> list[str]:
    """The password hashes and token hashes the gateway keeps."""
    engine = create_database_engine(settings.database_url("gateway"))
    try:
        with engine.connect() as connection:
            return [
                *connection.execute(sa.select(accounts.c.password_hash)).scalars(),
                *connection.execute(sa.select(invitations.c.token_hash)).scalars(),
                *connection.execute(sa.select(refresh_tokens.c.token_hash)).scalars(),
            ]
    finally:
        engine.dispose()


def log_engine(settings: Settings) -> sa.engine.Engine:
    return create_database_engine(settings.database_url("eventlog"), reader=True)


def test_account_changes_reach_the_event_log_signed_by_the_gateway_without_secrets(
    gateway: Gateway, capsys: pytest.CaptureFixture[str]
):
    operator = gateway.first_operator()
    auditor_invitation = gateway.invite(operator, role="auditor")
    accepted = gateway.accept(auditor_invitation["token"], "auditor.one")
    assert accepted.status_code == 201, accepted.text
    auditor = gateway.session("auditor.one", PASSWORD)
    changed = gateway.call(
        "PUT",
        "/accounts/current/password",
        auditor["access_token"],
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert changed.status_code == 200, changed.text
    second_invitation = gateway.invite(operator, role="operator", username="op.two")
    second = gateway.accept(second_invitation["token"], "op.two").json()
    disabled = gateway.call("POST", f"/accounts/{second['account_id']}/disable", operator)
    assert disabled.status_code == 200, disabled.text
    assert gateway.call("POST", f"/accounts/{second['account_id']}/disable", operator).ok

    log = log_engine(gateway.settings)
    try:
        logged = wait_for(lambda: (found := logged_by_gateway(log)) and len(found) >= 9 and found)
        time.sleep(0.5)  # a tenth event (the second disable) would have arrived by now
        logged = logged_by_gateway(log)
        assert [envelope.event_type for envelope in logged] == [
            "AccountCreated",  # the first operator, from the command line
            "InvitationIssued",
            "AccountCreated",
            "InvitationAccepted",
            "PasswordChanged",
            "InvitationIssued",
            "AccountCreated",
            "InvitationAccepted",
            "AccountDisabled",  # once: disabling it again changed nothing
        ]
        keys = ProducerKeys.from_settings(gateway.settings)
        assert all(keys.refusal(envelope, GATEWAY_EXCHANGE) is None for envelope in logged)
        assert {envelope.key_id for envelope in logged} == set(keys.key_ids()["gateway"])
        operator_id = logged[0].payload["account_id"]
        auditor_id = accepted.json()["account_id"]
        assert logged[1].actor == f"operator:{operator_id}"
        assert logged[2].payload == {
            "account_id": auditor_id,
            "username": "auditor.one",
            "role": "auditor",
            "subject_id": auditor_id,
            "origin": "invitation",
            "invitation_id": auditor_invitation["invitation_id"],
        }
        assert (logged[4].actor, logged[4].payload) == (
            f"auditor:{auditor_id}",
            {"account_id": auditor_id, "sessions_closed": 1},
        )
        assert logged[8].actor == f"operator:{operator_id}"
        assert quarantined(log) == {}
        assert verify_chain(log).ok

        text = log_rows_text(log)
        secrets = [OPERATOR_PASSWORD, PASSWORD, NEW_PASSWORD, operator]
        secrets += [auditor_invitation["token"], second_invitation["token"]]
        secrets += [auditor["access_token"], auditor["refresh_token"]]
        secrets += secrets_in_gateway_database(gateway.settings)
        for secret in secrets:
            assert secret not in text
    finally:
        log.dispose()

    # An auditor reads them over the API, usernames redacted.
    auditor_token = gateway.session("auditor.one", NEW_PASSWORD)["access_token"]
    answer = gateway.call("GET", "/audit/events?type=AccountCreated&limit=50", auditor_token)
    assert answer.status_code == 200, answer.text
    created = [entry["event"] for entry in answer.json()["events"]]
    assert [event["producer"] for event in created] == ["gateway"] * 3
    assert {event["payload"]["username"] for event in created} == {"[personal data]"}
    # And with gravity audit events on the log's machine, the same.
    capsys.readouterr()
    command = ["audit", "events", "--type", "AccountCreated"]
    assert print_events(build_parser().parse_args(command), gateway.settings) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["event"] for line in lines] == created


def quarantined(log: sa.engine.Engine) -> dict[str, str]:
    with log.connect() as connection:
        rows = connection.execute(sa.select(log_quarantine)).all()
    return {row.event_id: row.reason for row in rows}


def pending(engine: sa.engine.Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(outbox)).scalar_one())


def test_each_access_is_logged_once_and_waits_in_the_outbox_while_the_broker_is_away(
    settings: Settings, running_log: sa.engine.Engine
):
    proxy = TcpProxy()
    vhost = str(amqp_parameters(settings.amqp_uri)["virtual_host"])
    # The gateway's relay reaches the broker through a proxy that the test cuts (the shared
    # broker itself is never stopped); the event log keeps its own connection.
    through_proxy = replace(settings, amqp_uri=proxy.uri(vhost), relay={"max_backoff_seconds": 0.2})
    engine = create_database_engine(settings.database_url("gateway"))
    relay = gateway_relay(through_proxy, engine)
    worker = threading.Thread(target=relay.run, daemon=True)
    worker.start()
    try:
        record_access(
            engine,
            actor="operator:00000000-0000-4000-8000-000000000001",
            purpose="export",
            resource="campaign/C1/students.csv",
            subject_count=74,
            correlation_id="request-1",
        )
        first = wait_for(lambda: logged_by_gateway(running_log))
        assert len(first) == 1
        proxy.cut()
        for number in (2, 3):
            record_access(
                engine,
                actor="auditor:00000000-0000-4000-8000-000000000002",
                purpose="download",
                resource=f"campaign/C1/hours-{number}.xlsx",
            )
        time.sleep(1.0)
        assert pending(engine) == 2  # the broker is away: they wait in the outbox
        assert len(logged_by_gateway(running_log)) == 1
        proxy.restore()
        logged = wait_for(
            lambda: (found := logged_by_gateway(running_log)) and len(found) == 3 and found
        )
        wait_for(lambda: pending(engine) == 0)  # marked when the broker confirmed them
    finally:
        relay.stop()
        worker.join(5)
        engine.dispose()
        proxy.close()
    time.sleep(0.3)
    assert len(logged_by_gateway(running_log)) == 3  # once each, no duplicate
    assert [envelope.event_type for envelope in logged] == ["PersonalDataAccessed"] * 3
    assert (logged[0].actor, logged[0].correlation_id, logged[0].payload) == (
        "operator:00000000-0000-4000-8000-000000000001",
        "request-1",
        CONTRACTS.dump_event(
            PersonalDataAccessed(
                purpose="export", resource="campaign/C1/students.csv", subject_count=74
            )
        )[1],
    )
    assert [envelope.payload["resource"] for envelope in logged[1:]] == [
        "campaign/C1/hours-2.xlsx",
        "campaign/C1/hours-3.xlsx",
    ]
    keys = ProducerKeys.from_settings(settings)
    assert all(keys.refusal(envelope, GATEWAY_EXCHANGE) is None for envelope in logged)
    assert verify_chain(running_log).ok


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"purpose": "Export!"}, "purpose"),
        ({"resource": "campaign/C1/孙悦.csv"}, "resource"),
        ({"resource": ""}, "resource"),
        ({"subject_count": -1}, "subject_count"),
        ({"actor": ""}, "actor"),
        ({"actor": "operator:" + "x" * 120}, "actor"),
        ({"correlation_id": "c" * 65}, "correlation_id"),
    ],
)
def test_an_invalid_access_record_is_refused_and_writes_nothing(
    settings: Settings, arguments: dict[str, Any], field: str
):
    engine = create_database_engine(settings.database_url("gateway"))
    valid = {"actor": "operator:x", "purpose": "export", "resource": "campaign/C1/students.csv"}
    try:
        with pytest.raises(ValueError, match=field):
            record_access(engine, **valid | arguments)
        assert pending(engine) == 0
    finally:
        engine.dispose()


def test_a_forged_gateway_event_is_quarantined(settings: Settings, running_log: sa.engine.Engine):
    engine = create_database_engine(settings.database_url("gateway"))
    relay = gateway_relay(settings, engine)  # makes the gateway's key, as gravity up does
    worker = threading.Thread(target=relay.run, daemon=True)
    worker.start()
    try:
        record_access(engine, actor="operator:x", purpose="export", resource="campaign/C1/a.csv")
        genuine = wait_for(lambda: logged_by_gateway(running_log))[0]
    finally:
        relay.stop()
        worker.join(5)
        engine.dispose()
    unsigned = forged_disabling()
    borrowed = ensure_producer_key(settings, "recruitment").sign(forged_disabling())
    with broker_channel(settings.amqp_uri) as channel:  # anyone holding the broker's login
        channel.confirm_delivery()
        for forged in (unsigned, borrowed):
            channel.basic_publish(
                GATEWAY_EXCHANGE,
                forged.event_type,
                json.dumps(forged.to_dict()).encode(),
                pika.BasicProperties(delivery_mode=2, content_type="application/json"),
                mandatory=True,
            )
    reasons = wait_for(lambda: (found := quarantined(running_log)) and len(found) == 2 and found)
    assert reasons == {
        unsigned.event_id: "the event is not signed",
        borrowed.event_id: f"key {borrowed.key_id} is recruitment's, not gateway's",
    }
    assert [envelope.event_id for envelope in logged_by_gateway(running_log)] == [genuine.event_id]
    assert verify_chain(running_log).ok


def forged_disabling() -> Envelope:
    """An ``AccountDisabled`` as the gateway would record it, made by someone else."""
    return Envelope(
        event_type="AccountDisabled",
        schema_version=1,
        stream_id=f"account-{uuid.uuid4()}",
        stream_version=1,
        producer="gateway",
        actor="operator:x",
        correlation_id="forged",
        payload={"account_id": str(uuid.uuid4()), "sessions_closed": 0},
    )
