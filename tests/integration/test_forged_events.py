"""Forged events published straight to the broker with its credentials, on a real RabbitMQ
vhost, with the real placement service and the real event log: an unsigned event, one signed
with a stranger's key, one signed with another service's key, one signed right but sent
through another service's exchange, and a genuine event replayed with a new id are each
quarantined by the log and refused by placement, which admits nobody on their word; the log,
its verification and the gateway's read models (projected from the log) stay as they were."""

from __future__ import annotations

import argparse
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pika
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from structlog.testing import capture_logs

from gateway.core.projection import projection_of
from gateway.core.projector import Projector
from gateway.core.replay import Snapshot, fresh_store, rebuild, snapshot
from gateway.sections import SECTIONS
from gravity.audit import add_audit_commands
from services.placement.service import PlacementService
from shared.backoff import Backoff
from shared.config import Settings, load_settings
from shared.eventlog import EventLogReader, verify_chain
from shared.eventlog.chain import stored_entry_hash
from shared.eventlog.consumer import ConsumerOptions, declare_event_log_topology
from shared.eventlog.process import event_log_consumer
from shared.eventlog.signatures import check_signatures
from shared.eventlog.tables import event_log, log_head, log_quarantine
from shared.events.canonical import canonical_bytes
from shared.events.envelope import Envelope
from shared.events.producer_keys import ProducerKeys, ProducerSigner, ensure_producer_key
from shared.eventstore.database import create_database_engine
from shared.eventstore.tables import events
from shared.messaging.dead_letters import inspect_dead_letters
from shared.messaging.topology import event_exchange
from shared.migrations import upgrade_to_head
from shared.process import nameko_config
from tests.factories import make_recruitment_event
from tests.support.broker import broker_channel

FAST = ConsumerOptions(batch_size=20, batch_wait_seconds=0.01, idle_poll_seconds=0.05)
FAST = replace(FAST, backoff=Backoff(0.05, 0.2))
PLACEMENT_QUEUE = "evt-recruitment-StudentScreened--placement.on_student_screened"


@pytest.fixture
def settings(tmp_path: Path, amqp_uri: str) -> Settings:
    settings = load_settings(
        environ={}, overrides={"amqp_uri": amqp_uri, "data_dir": str(tmp_path / "var")}
    )
    upgrade_to_head(settings.database_url("placement"), "services.placement.migrations")
    return settings


@pytest.fixture
def running_log(settings: Settings) -> Iterator[Any]:
    with event_log_consumer(settings, FAST) as consumer:
        worker = threading.Thread(target=consumer.run, daemon=True)
        worker.start()
        engine = create_database_engine(settings.database_url("eventlog"), reader=True)
        try:
            yield engine
        finally:
            consumer.stop()
            worker.join(10)
            engine.dispose()


def publish_through(settings: Settings, exchange: str, *envelopes: Envelope) -> None:
    """Publish as anyone holding the broker's credentials may: any exchange, any body."""
    with broker_channel(settings.amqp_uri) as channel:
        declare_event_log_topology(channel, settings.services)
        channel.confirm_delivery()
        for envelope in envelopes:
            channel.basic_publish(
                exchange,
                envelope.event_type,
                json.dumps(envelope.to_dict()).encode(),
                pika.BasicProperties(delivery_mode=2, content_type="application/json"),
                mandatory=True,
            )


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


def wait_for(condition: Any, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)
    return result


def quarantined(engine: Any) -> dict[str, str]:
    with engine.connect() as connection:
        rows = connection.execute(sa.select(log_quarantine)).all()
    return {row.event_id: row.reason for row in rows}


def logged(engine: Any) -> list[tuple[str, str]]:
    return [
        (entry.envelope.event_id, entry.envelope.event_type)
        for entry in EventLogReader(engine).read_after(0, 1000)
    ]


def gateway_view(log_engine: Any) -> Snapshot:
    """The gateway's read models as its projector builds them from the log (it reads nothing
    else): every section's rows, projected into a fresh store."""
    tables = [table for section in SECTIONS for table in section.tables]
    with fresh_store(None, tables) as store:
        projector = Projector(store, projection_of(SECTIONS))
        rebuild(EventLogReader(log_engine), projector, 10_000, progress=False)
        return snapshot(store, tables)[1]


def test_forged_events_are_quarantined_by_the_log_and_not_acted_on_by_placement(
    settings, running_log, container_factory
):
    container_factory(PlacementService, nameko_config(settings, "placement")).start()
    recruitment = ensure_producer_key(settings, "recruitment")
    placement = ensure_producer_key(settings, "placement")  # what a thief of its key holds
    campaign = str(uuid.uuid4())
    approved, rejected = str(uuid.uuid4()), str(uuid.uuid4())

    genuine = recruitment.sign(
        make_recruitment_event("StudentScreened", approved, campaign, decision="approved")
    )
    publish_through(settings, event_exchange("recruitment"), genuine)
    wait_for(lambda: admitted(settings) == [approved])
    wait_for(lambda: len(logged(running_log)) == 2)  # the screening and the admission
    before, view_before = logged(running_log), gateway_view(running_log)
    assert list(view_before["candidates"]) == [approved]  # the genuine admission is seen

    def approval() -> Envelope:
        return make_recruitment_event("StudentScreened", rejected, campaign, decision="approved")

    unsigned = approval()
    stranger = ProducerSigner(Ed25519PrivateKey.generate()).sign(approval())
    borrowed = placement.sign(approval())
    wrong_exchange = recruitment.sign(approval())
    replayed = replace(genuine, event_id=str(uuid.uuid4()))
    with capture_logs() as lines:
        publish_through(settings, event_exchange("recruitment"), unsigned, stranger, borrowed)
        publish_through(settings, event_exchange("placement"), wrong_exchange)
        publish_through(settings, event_exchange("recruitment"), replayed)
        reasons = wait_for(
            lambda: (found := quarantined(running_log)) and len(found) == 5 and found
        )
        parked = wait_for(
            lambda: (
                (found := inspect_dead_letters(settings.amqp_uri, PLACEMENT_QUEUE))
                and len(found) == 4
                and found
            )
        )

    assert reasons == {
        unsigned.event_id: "the event is not signed",
        stranger.event_id: f"key {stranger.key_id} is not a registered producer key",
        borrowed.event_id: f"key {placement.key_id} is placement's, not recruitment's",
        wrong_exchange.event_id: "recruitment's event came through placement.events",
        replayed.event_id: f"the signature does not verify with key {recruitment.key_id}",
    }
    assert logged(running_log) == before
    assert gateway_view(running_log) == view_before
    assert verify_chain(running_log).ok
    assert admitted(settings) == [approved]  # the rejected student was never admitted

    # placement never sees the event sent through placement.events: it is not bound there.
    assert {p.event_id: p.reason for p in parked} == {
        event_id: reason
        for event_id, reason in reasons.items()
        if event_id != wrong_exchange.event_id
    }
    refused = [line for line in lines if line["event"] == "consumer.refused_event"]
    assert {line["event_id"] for line in refused} == {p.event_id for p in parked}
    for line in refused:  # the event is named by id and type, never by its content
        assert set(line) <= {"event", "log_level", "queue", "event_id", "event_type", "reason"}


def test_after_a_key_rotation_events_signed_with_the_old_key_are_still_logged_and_acted_on(
    settings, running_log, container_factory
):
    container_factory(PlacementService, nameko_config(settings, "placement")).start()
    campaign, first, second = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    old = ensure_producer_key(settings, "recruitment")
    signed_before = old.sign(
        make_recruitment_event("StudentScreened", first, campaign, decision="approved")
    )
    # The rotation of docs/operations.md: the old public key is kept beside under another
    # name, the old private key goes, and the service makes (or is given) a new one.
    folder = settings.keys_dir / "producers"
    (folder / "recruitment.pub").rename(folder / "recruitment.2026-06.pub")
    (folder / "recruitment.key").unlink()
    new = ensure_producer_key(settings, "recruitment")
    assert new.key_id != old.key_id

    signed_after = new.sign(
        make_recruitment_event("StudentScreened", second, campaign, decision="approved")
    )
    publish_through(settings, event_exchange("recruitment"), signed_after, signed_before)

    wait_for(lambda: sorted(admitted(settings)) == sorted([first, second]))
    wait_for(lambda: len(logged(running_log)) == 4)  # two screenings, two admissions
    assert quarantined(running_log) == {}
    assert verify_chain(running_log).ok
    by_id = {
        entry.envelope.event_id: entry.envelope
        for entry in EventLogReader(running_log).read_after(0, 10)
    }
    assert by_id[signed_before.event_id].key_id == old.key_id
    assert by_id[signed_after.event_id].key_id == new.key_id


def audit_verify_signatures(settings: Settings) -> int:
    parser = argparse.ArgumentParser(prog="gravity")
    add_audit_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["audit", "verify", "--signatures"])
    code: int = args.handler(args, settings)
    return code


def test_verify_checks_the_signatures_again_and_catches_an_entry_rewritten_in_the_database(
    settings, running_log, capsys
):
    recruitment = ensure_producer_key(settings, "recruitment")
    campaign, first, second = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    publish_through(
        settings,
        event_exchange("recruitment"),
        recruitment.sign(
            make_recruitment_event("StudentScreened", first, campaign, decision="approved")
        ),
        recruitment.sign(
            make_recruitment_event("StudentScreened", second, campaign, decision="rejected")
        ),
    )
    wait_for(lambda: len(logged(running_log)) == 2)

    assert audit_verify_signatures(settings) == 0
    assert "Signatures: 2 entries signed by their producers' registered keys, 0 unsigned" in (
        capsys.readouterr().out
    )

    # Someone with database access turns the rejection into an approval and re-chains it.
    writer = create_database_engine(settings.database_url("eventlog"))
    try:
        with writer.begin() as connection:
            row = connection.execute(sa.select(event_log).where(event_log.c.position == 2)).one()
            envelope = json.loads(row.envelope)
            envelope["payload"] |= {"decision": "approved"}
            edited = row._asdict() | {"envelope": canonical_bytes(envelope).decode()}
            digest = stored_entry_hash(SimpleNamespace(**edited))
            connection.execute(
                event_log.update()
                .where(event_log.c.position == 2)
                .values(envelope=edited["envelope"], hash=digest)
            )
            connection.execute(log_head.update().values(hash=digest))
    finally:
        writer.dispose()

    assert verify_chain(running_log).ok  # re-chained: the hashes alone cannot tell
    producers = ProducerKeys.from_settings(settings)
    found = check_signatures(running_log, producers)
    assert found.first_bad == (
        2,
        f"the signature does not verify with key {recruitment.key_id}",
    )
