"""Each process's own broker user, on a real RabbitMQ vhost with users made for the test by
``gravity broker-users``' own code (and deleted after it): a service's user publishes only to its
own exchange and only as itself; the real relay, event log and placement service work with
nothing more than their users' rights; and where the producers' users are configured, an
event signed with a stolen key but published through another login is quarantined by the log
and parked by placement, while the same kind of event from recruitment's own user is logged
and acted on. A parked message goes back with the user_id it was first published with.
The gateway commands recruitment over RPC and the log records it, each as its own user.
(Past 200 lines: the five tests share the users made for them and the way they publish.)"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pika
import pika.exceptions
import pytest
import requests
import sqlalchemy as sa
from kombu import Connection as KombuConnection
from sqlalchemy.orm import sessionmaker

from gateway.core.process import gateway_config, prepare_databases
from gateway.projector.service import ProjectorService
from gateway.service import GatewayService
from gravity.broker_users import ManagementApi, apply_broker_users
from services.placement.service import PlacementService
from services.recruitment.service import RecruitmentService
from shared.backoff import Backoff
from shared.config import Settings, load_settings
from shared.eventlog import EventLogReader, verify_chain
from shared.eventlog.consumer import ConsumerOptions, declare_event_log_topology
from shared.eventlog.process import event_log_consumer
from shared.eventlog.tables import log_quarantine
from shared.events.envelope import Envelope
from shared.events.producer_keys import ensure_producer_key
from shared.events.producers import producers as producers_of
from shared.eventstore.database import create_database_engine
from shared.eventstore.store import EventStore
from shared.eventstore.tables import events
from shared.messaging.broker_users import BrokerUser
from shared.messaging.dead_letters import inspect_dead_letters, replay_dead_letters
from shared.messaging.inbox import dead_letter_topology
from shared.messaging.parking import ORIGINAL_USER_HEADER, park
from shared.messaging.relay import OutboxRelay
from shared.messaging.topology import amqp_parameters, event_exchange
from shared.migrations import upgrade_to_head
from shared.process import nameko_config
from tests.factories import make_recruitment_event
from tests.integration.test_gateway_api import Stack, make_settings
from tests.support.broker import AUTH, MANAGEMENT, broker_channel

FAST = ConsumerOptions(
    batch_size=20, batch_wait_seconds=0.01, idle_poll_seconds=0.05, backoff=Backoff(0.05, 0.2)
)
PLACEMENT_QUEUE = "evt-recruitment-StudentScreened--placement.on_student_screened"
COMPONENTS = ("recruitment", "placement", "eventlog")


@dataclass(frozen=True)
class Logins:
    """The operator's URI (guest, every right on the vhost) and each component's user."""

    operator: str
    users: dict[str, BrokerUser]

    def uri(self, component: str) -> str:
        user = self.users[component]
        return self.operator.replace("guest:guest@", f"{user.name}:{user.password}@")

    def settings(self, component: str, data_dir: Path) -> Settings:
        """A component's settings with its own login and the producers' users registered."""
        registered = {name: self.users[name].name for name in ("recruitment", "placement")}
        return load_settings(
            environ={},
            overrides={
                "amqp_uri": self.uri(component),
                "data_dir": str(data_dir),
                "broker_users": registered,
            },
        )


@pytest.fixture
def logins(amqp_uri: str) -> Iterator[Logins]:
    suffix = uuid.uuid4().hex[:8]
    users = {
        component: BrokerUser(f"{component}-{suffix}", component, uuid.uuid4().hex)
        for component in COMPONENTS
    }
    api = ManagementApi(MANAGEMENT.removesuffix("/api"), *AUTH)
    vhost = str(amqp_parameters(amqp_uri)["virtual_host"])
    producers = producers_of(load_settings(environ={}))
    try:
        apply_broker_users(api, vhost, list(users.values()), producers)
        yield Logins(amqp_uri, users)
    finally:
        for user in users.values():
            requests.delete(f"{MANAGEMENT}/users/{user.name}", auth=AUTH, timeout=10)


def publish(uri: str, exchange: str, envelope: Envelope, user_id: str | None = None) -> None:
    """Publish an event on a confirming channel, as any holder of the login may."""
    with broker_channel(uri) as channel:
        channel.confirm_delivery()
        channel.basic_publish(
            exchange,
            envelope.event_type,
            json.dumps(envelope.to_dict()).encode(),
            pika.BasicProperties(delivery_mode=2, content_type="application/json", user_id=user_id),
        )


def test_a_services_user_publishes_only_to_its_own_exchange_and_only_as_itself(logins):
    with broker_channel(logins.operator) as channel:
        declare_event_log_topology(channel, ["recruitment", "placement"])
    event = make_recruitment_event("StudentScreened", str(uuid.uuid4()), str(uuid.uuid4()))
    recruitment = logins.uri("recruitment")

    with pytest.raises(pika.exceptions.ChannelClosedByBroker) as refused:
        publish(recruitment, event_exchange("placement"), event)
    assert refused.value.reply_code == 403
    assert refused.value.reply_text.startswith("ACCESS_REFUSED")

    with pytest.raises(pika.exceptions.ChannelClosedByBroker) as impersonating:
        publish(recruitment, event_exchange("recruitment"), event, logins.users["placement"].name)
    assert impersonating.value.reply_code == 406
    assert impersonating.value.reply_text.startswith("PRECONDITION_FAILED")

    own = logins.users["recruitment"].name
    publish(recruitment, event_exchange("recruitment"), event, own)  # its own: accepted


def refused(uri: str, act: Any) -> int:
    """The reply code with which the broker closed the channel ``act(channel)`` ran on."""
    with broker_channel(uri) as channel:
        try:
            act(channel)
        except pika.exceptions.ChannelClosedByBroker as closed:
            return int(closed.reply_code)
    return 0


def test_only_the_event_log_touches_its_queue_and_a_service_binds_only_what_it_consumes(logins):
    # gravity broker-users declared every producer's exchange and the log's bound queue.
    recruitment, placement = logins.uri("recruitment"), logins.uri("placement")
    log_queue, own_queue = "gravity.eventlog", PLACEMENT_QUEUE
    for uri in (recruitment, placement):
        assert refused(uri, lambda c: c.queue_declare(log_queue, durable=True)) == 403
        assert (
            refused(uri, lambda c: c.queue_declare(f"{log_queue}.dead-letter", durable=True)) == 403
        )
        assert refused(uri, lambda c: c.queue_bind(log_queue, "recruitment.events", "#")) == 403
        assert refused(uri, lambda c: c.queue_unbind(log_queue, "recruitment.events", "#")) == 403
        assert refused(uri, lambda c: c.queue_purge(log_queue)) == 403
        assert refused(uri, lambda c: c.queue_delete(log_queue)) == 403
        assert refused(uri, lambda c: c.basic_get(log_queue)) == 403
    # Another producer's exchange or the dead letters': neither declared nor so deleted.
    for exchange in ("recruitment.events", "honors.events", "gravity.dead-letters"):
        assert refused(placement, lambda c, e=exchange: c.exchange_delete(e)) == 403
        assert refused(placement, lambda c, e=exchange: c.exchange_declare(e, "topic")) == 403
    event = make_recruitment_event("StudentScreened", str(uuid.uuid4()), str(uuid.uuid4()))
    with pytest.raises(pika.exceptions.ChannelClosedByBroker) as publishing:
        publish(placement, event_exchange("recruitment"), event)
    assert publishing.value.reply_code == 403
    # Placement consumes recruitment's events: its own queue binds there, and nowhere else.
    assert refused(placement, lambda c: c.queue_declare(own_queue, durable=True)) == 0
    assert refused(placement, lambda c: c.queue_bind(own_queue, "recruitment.events", "#")) == 0
    assert refused(placement, lambda c: c.queue_bind(own_queue, "honors.events", "#")) == 403
    stolen = "evt-recruitment-StudentScreened--honors.on_student_screened"  # honors' name
    assert refused(placement, lambda c: c.queue_declare(stolen, durable=True)) == 403
    # On nameko's RPC exchange a queue of its own binds for its own requests and a reply
    # uuid only: no listening to the requests sent to recruitment.
    rpc = "rpc-placement"
    assert (
        refused(placement, lambda c: c.exchange_declare("nameko-rpc", "topic", durable=True)) == 0
    )
    assert refused(placement, lambda c: c.queue_declare(rpc)) == 0
    assert refused(placement, lambda c: c.queue_bind(rpc, "nameko-rpc", "placement.*")) == 0
    assert refused(placement, lambda c: c.queue_bind(rpc, "nameko-rpc", str(uuid.uuid4()))) == 0
    for key in ("recruitment.*", "#"):
        assert refused(placement, lambda c, k=key: c.queue_bind(rpc, "nameko-rpc", k)) == 403
    # The log's queue is still there, bound, and the event log's user reads it.
    assert refused(placement, lambda c: c.queue_declare(log_queue, passive=True)) == 0
    own = logins.users["recruitment"].name
    publish(recruitment, event_exchange("recruitment"), event, own)
    with broker_channel(logins.uri("eventlog")) as channel:
        _, _, body = wait_for(
            lambda: (got := channel.basic_get(log_queue, auto_ack=True))[0] and got
        )
    assert json.loads(body)["event_id"] == event.event_id


def commit_screening(settings: Settings, event: Envelope) -> None:
    """Commit ``event`` to recruitment's event store and outbox, as its handler would."""
    upgrade_to_head(settings.database_url("recruitment"), "services.recruitment.migrations")
    engine = create_database_engine(settings.database_url("recruitment"))
    try:
        with sessionmaker(engine)() as session:
            EventStore(session).append(event.stream_id, 0, [replace(event, stream_version=1)])
            session.commit()
    finally:
        engine.dispose()


def relay_as_recruitment(settings: Settings) -> int:
    engine = create_database_engine(settings.database_url("recruitment"))
    signer = ensure_producer_key(settings, "recruitment")
    relay = OutboxRelay(engine, settings.amqp_uri, "recruitment", signer=signer)
    try:
        return relay.publish_pending()
    finally:
        relay.stop()
        engine.dispose()


def wait_for(condition: Any, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)
    return result


def admitted(settings: Settings) -> list[str]:
    engine = create_database_engine(settings.database_url("placement"), reader=True)
    try:
        with engine.connect() as connection:
            payloads = connection.execute(
                sa.select(events.c.payload).where(events.c.event_type == "CandidateAdmitted")
            ).scalars()
            return [json.loads(payload)["student_id"] for payload in payloads]
    finally:
        engine.dispose()


def test_an_event_counts_only_from_its_producers_own_user_where_one_is_registered(
    logins, tmp_path, container_factory
):
    data_dir = tmp_path / "var"
    log_settings = logins.settings("eventlog", data_dir)
    placement_settings = logins.settings("placement", data_dir)
    recruitment_settings = logins.settings("recruitment", data_dir)
    upgrade_to_head(placement_settings.database_url("placement"), "services.placement.migrations")
    campaign, approved, rejected = (str(uuid.uuid4()) for _ in range(3))
    stolen = ensure_producer_key(recruitment_settings, "recruitment")  # what a thief holds

    with event_log_consumer(log_settings, FAST) as consumer:
        worker = threading.Thread(target=consumer.run, daemon=True)
        worker.start()
        log = create_database_engine(log_settings.database_url("eventlog"), reader=True)
        placement = container_factory(
            PlacementService, nameko_config(placement_settings, "placement")
        )
        try:
            placement.start()
            genuine = make_recruitment_event(
                "StudentScreened", approved, campaign, decision="approved"
            )
            commit_screening(recruitment_settings, genuine)
            assert relay_as_recruitment(recruitment_settings) == 1
            wait_for(lambda: admitted(placement_settings) == [approved])
            logged = wait_for(
                lambda: (
                    (found := list(EventLogReader(log).read_after(0, 100)))
                    and len(found) == 2
                    and found
                )
            )

            def forged() -> Envelope:
                return stolen.sign(
                    make_recruitment_event(
                        "StudentScreened", rejected, campaign, decision="approved"
                    )
                )

            through_operator, as_guest, through_placement = forged(), forged(), forged()
            publish(logins.operator, event_exchange("recruitment"), through_operator)
            publish(logins.operator, event_exchange("recruitment"), as_guest, "guest")
            publish(logins.uri("placement"), event_exchange("placement"), through_placement)
            reasons = wait_for(lambda: (found := quarantined(log)) and len(found) == 3 and found)
            parked = wait_for(
                lambda: (
                    (found := inspect_dead_letters(logins.operator, PLACEMENT_QUEUE))
                    and len(found) == 2
                    and found
                )
            )
            assert list(EventLogReader(log).read_after(0, 100)) == logged
            assert verify_chain(log).ok
        finally:
            placement.stop()  # before its user is deleted
            consumer.stop()
            worker.join(10)
            log.dispose()

    expected = logins.users["recruitment"].name
    assert [entry.envelope.event_type for entry in logged] == [
        "StudentScreened",
        "CandidateAdmitted",
    ]
    assert reasons == {
        through_operator.event_id: (
            f"recruitment's event was published with no broker user_id, not {expected}"
        ),
        as_guest.event_id: (
            f"recruitment's event was published with broker user guest, not {expected}"
        ),
        through_placement.event_id: "recruitment's event came through placement.events",
    }
    assert {p.event_id: p.reason for p in parked} == {
        event_id: reason
        for event_id, reason in reasons.items()
        if event_id != through_placement.event_id  # placement's queue is not bound there
    }
    assert admitted(placement_settings) == [approved]  # the rejected student never was


def quarantined(engine: Any) -> dict[str, str]:
    with engine.connect() as connection:
        rows = connection.execute(sa.select(log_quarantine)).all()
    return {row.event_id: row.reason for row in rows}


def test_gravity_broker_users_makes_each_components_user_once_with_the_operators_login(
    amqp_uri, tmp_path
):
    vhost = str(amqp_parameters(amqp_uri)["virtual_host"])
    prefix = f"t{uuid.uuid4().hex[:6]}-"
    operator, secret = f"{prefix}operator", uuid.uuid4().hex
    requests.put(
        f"{MANAGEMENT}/users/{operator}",
        json={"password": secret, "tags": "administrator"},
        auth=AUTH,
        timeout=10,
    ).raise_for_status()
    everything = {"configure": ".*", "write": ".*", "read": ".*"}
    requests.put(
        f"{MANAGEMENT}/permissions/{vhost}/{operator}", json=everything, auth=AUTH, timeout=10
    ).raise_for_status()
    passwords = tmp_path / "broker"
    uri = amqp_uri.replace("guest:guest@", f"{operator}:{secret}@")
    settings = load_settings(environ={}, overrides={"amqp_uri": uri})
    components = (*producers_of(settings), "eventlog")
    try:
        assert broker_users_command(settings, passwords, prefix) == 0
        first = {c: (passwords / f"{c}.password").read_text() for c in components}
        assert broker_users_command(settings, passwords, prefix) == 0  # again: nothing new
        assert {c: (passwords / f"{c}.password").read_text() for c in components} == first
        assert all((passwords / f"{c}.password").stat().st_mode & 0o777 == 0o600 for c in first)

        granted = requests.get(f"{MANAGEMENT}/vhosts/{vhost}/permissions", auth=AUTH, timeout=10)
        by_user = {p["user"]: p for p in granted.json()}
        recruitment = by_user[f"{prefix}recruitment"]
        assert "recruitment\\.events" in recruitment["write"]
        assert "placement\\.events" not in recruitment["write"]
        tags = requests.get(f"{MANAGEMENT}/users/{operator}", auth=AUTH, timeout=10).json()["tags"]
        assert set(tags if isinstance(tags, list) else tags.split(",")) == {
            "administrator",
            "impersonator",
        }
        # The gateway reads dead-letter counts for its metrics through the management API.
        gateway = (f"{prefix}gateway", first["gateway"].strip())
        queues = requests.get(f"{MANAGEMENT}/queues/{vhost}", auth=gateway, timeout=10)
        assert queues.status_code == 200
        recruitment_login = (f"{prefix}recruitment", first["recruitment"].strip())
        refused = requests.get(f"{MANAGEMENT}/queues/{vhost}", auth=recruitment_login, timeout=10)
        assert refused.status_code == 401  # a service's user has no business there
        own = BrokerUser(f"{prefix}recruitment", "recruitment", first["recruitment"].strip())
        login = Logins(amqp_uri, {"recruitment": own}).uri("recruitment")
        event = make_recruitment_event("StudentScreened", str(uuid.uuid4()), str(uuid.uuid4()))
        with broker_channel(login) as channel:  # the password works; its exchange is its own
            channel.exchange_declare(event_exchange("recruitment"), "topic", durable=True)
        publish(login, event_exchange("recruitment"), event, own.name)
    finally:
        for name in (operator, *(prefix + c for c in components)):
            requests.delete(f"{MANAGEMENT}/users/{name}", auth=AUTH, timeout=10)


def broker_users_command(settings: Settings, passwords: Path, prefix: str) -> int:
    from gravity.cli import build_parser

    args = build_parser().parse_args(
        [
            "broker-users",
            "--passwords",
            str(passwords),
            "--management-url",
            MANAGEMENT.removesuffix("/api"),
            "--user-prefix",
            prefix,
        ]
    )
    code: int = args.handler(args, settings)
    return code


def test_a_parked_message_goes_back_with_the_user_id_it_was_first_published_with(logins, amqp_uri):
    vhost = str(amqp_parameters(amqp_uri)["virtual_host"])
    operator, secret = f"op-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    requests.put(
        f"{MANAGEMENT}/users/{operator}",
        json={"password": secret, "tags": "administrator,impersonator"},
        auth=AUTH,
        timeout=10,
    ).raise_for_status()
    requests.put(
        f"{MANAGEMENT}/permissions/{vhost}/{operator}",
        json={"configure": ".*", "write": ".*", "read": ".*"},
        auth=AUTH,
        timeout=10,
    ).raise_for_status()
    queue = "evt-recruitment-AllianceJoined--placement.on_joined"
    recruitment = logins.users["recruitment"].name
    event = make_recruitment_event("AllianceJoined", str(uuid.uuid4()), str(uuid.uuid4()))
    try:
        with broker_channel(logins.operator) as channel:
            channel.exchange_declare(event_exchange("recruitment"), "topic", durable=True)
            channel.queue_declare(queue, durable=True)
            channel.queue_bind(queue, event_exchange("recruitment"), "#")
        with KombuConnection(logins.operator) as connection:
            exchange, parked_queue = dead_letter_topology(queue)
            exchange(connection.default_channel).declare()
            parked_queue(connection.default_channel).declare()
        publish(logins.uri("recruitment"), event_exchange("recruitment"), event, recruitment)

        # Parked by placement's user, which may not publish under recruitment's user_id.
        with KombuConnection(logins.uri("placement")) as connection:
            message = connection.SimpleQueue(queue, no_ack=False).get(timeout=10)
            assert message.properties["user_id"] == recruitment
            park(logins.uri("placement"), queue, message, 5, "RuntimeError")
            message.ack()
        [parked] = inspect_dead_letters(logins.operator, queue)
        assert parked.event_id == event.event_id

        operator_uri = amqp_uri.replace("guest:guest@", f"{operator}:{secret}@")
        assert replay_dead_letters(operator_uri, queue) == 1
        with KombuConnection(logins.operator) as connection:
            returned = connection.SimpleQueue(queue, no_ack=True).get(timeout=10)
        assert returned.properties["user_id"] == recruitment
        assert ORIGINAL_USER_HEADER not in (returned.headers or {})
    finally:
        requests.delete(f"{MANAGEMENT}/users/{operator}", auth=AUTH, timeout=10)


@contextmanager
def gateway_and_recruitment_as_own_users(
    amqp_uri: str, tmp_path: Path, container_factory: Any
) -> Iterator[Stack]:
    """The gateway, recruitment and the event log running, each as a broker user of its own
    (made for the test and deleted after it), with recruitment's and the gateway's registered."""
    suffix = uuid.uuid4().hex[:8]
    components = ("recruitment", "gateway", "eventlog")
    users = {c: BrokerUser(f"{c}-{suffix}", c, uuid.uuid4().hex) for c in components}
    api = ManagementApi(MANAGEMENT.removesuffix("/api"), *AUTH)
    vhost = str(amqp_parameters(amqp_uri)["virtual_host"])
    logins = Logins(amqp_uri, users)
    registered = {"recruitment": users["recruitment"].name, "gateway": users["gateway"].name}
    settings = {
        c: make_settings(tmp_path, logins.uri(c), broker_users=registered, services=["recruitment"])
        for c in components
    }
    upgrade_to_head(
        settings["recruitment"].database_url("recruitment"), "services.recruitment.migrations"
    )
    prepare_databases(settings["gateway"])
    apply_broker_users(api, vhost, list(users.values()), producers_of(settings["gateway"]))
    try:
        with event_log_consumer(settings["eventlog"], FAST) as consumer:
            worker = threading.Thread(target=consumer.run, daemon=True)
            worker.start()
            log = create_database_engine(settings["eventlog"].database_url("eventlog"))
            recruitment = container_factory(
                RecruitmentService, nameko_config(settings["recruitment"], "recruitment")
            )
            gateway = container_factory(GatewayService, gateway_config(settings["gateway"]))
            # The projector connects as the gateway's broker user, as in docker-compose.yml.
            projector = container_factory(ProjectorService, gateway_config(settings["gateway"]))
            try:
                recruitment.start()
                gateway.start()
                projector.start()
                url = f"http://127.0.0.1:{settings['gateway'].gateway_port}"
                yield Stack(settings["gateway"], url, log, log)
            finally:
                gateway.stop()  # before their users are deleted
                recruitment.stop()
                consumer.stop()
                worker.join(10)
                log.dispose()
    finally:
        for user in users.values():
            requests.delete(f"{MANAGEMENT}/users/{user.name}", auth=AUTH, timeout=10)


def test_the_gateway_commands_recruitment_and_the_log_records_it_each_as_its_own_user(
    amqp_uri, tmp_path, container_factory
):
    with gateway_and_recruitment_as_own_users(amqp_uri, tmp_path, container_factory) as stack:
        log, url = stack.gateway_db, stack.url  # the event log's engine stands in for both
        stack.open_campaign()  # two RPC round trips
        logged = wait_for(
            lambda: (
                (found := list(EventLogReader(log).read_after(0, 100)))
                and len(found) >= 2
                and found
            )
        )
        assert requests.get(f"{url}/readyz", timeout=10).status_code == 200
        assert quarantined(log) == {}
    assert [entry.envelope.event_type for entry in logged[:2]] == [
        "CampaignCreated",
        "CampaignOpened",
    ]
