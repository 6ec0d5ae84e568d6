"""Bursts of recruitment events reach the placement service at once, and none of them stalls.

Several events arriving together are handled by concurrent green threads of one process,
each holding the SQLite write lock for a moment, while the outbox relay publishes what they
committed. Every event of every burst must take effect promptly.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from services.placement.service import PlacementService
from shared.config import Settings, load_settings
from shared.events.envelope import Envelope
from shared.eventstore.database import create_database_engine
from shared.eventstore.tables import inbox
from shared.migrations import upgrade_to_head
from shared.process import nameko_config
from tests.factories import make_recruitment_event
from tests.support.broker import broker_channel, default_keys_dir, publish_on

BURSTS = 30
BURST_DEADLINE_SECONDS = 10.0


@pytest.fixture
def settings(tmp_path: Path, amqp_uri: str, database_url: str) -> Settings:
    settings = load_settings(
        environ={},
        overrides={
            "amqp_uri": amqp_uri,
            "data_dir": str(tmp_path / "var"),
            # where tests.support.broker signs as the producers do
            "keys_dir": str(default_keys_dir()),
            "databases": {"placement": database_url},
        },
    )
    upgrade_to_head(settings.database_url("placement"), "services.placement.migrations")
    return settings


@pytest.fixture
def placement_database(settings: Settings, container_factory: Any) -> Iterator[Engine]:
    """The running placement service's database, read as an outsider would."""
    container_factory(PlacementService, nameko_config(settings, "placement")).start()
    engine = create_database_engine(settings.database_url("placement"), reader=True)
    yield engine
    engine.dispose()


@pytest.fixture
def recruitment_channel(amqp_uri: str) -> Iterator[Any]:
    """One channel for every burst, so that a burst's events leave back to back (unconfirmed:
    the channel stays open until every event has been handled, so none can be dropped)."""
    with broker_channel(amqp_uri) as channel:
        yield channel


def burst(size: int, campaign_id: str) -> list[Envelope]:
    """Approvals and withdrawals of different students, so both of placement's queues work."""
    return [
        make_recruitment_event(
            "StudentScreened", str(uuid.uuid4()), campaign_id, decision="approved"
        )
        if index % 2 == 0
        else make_recruitment_event(
            "StudentWithdrew", str(uuid.uuid4()), campaign_id, reason="exams"
        )
        for index in range(size)
    ]


def consumed(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(connection.execute(sa.select(inbox.c.event_id)).scalars())


def wait_until_consumed(engine: Engine, event_ids: set[str]) -> set[str]:
    """The ids still not consumed when the deadline passed (empty when all were)."""
    deadline = time.monotonic() + BURST_DEADLINE_SECONDS
    while missing := event_ids - consumed(engine):
        if time.monotonic() > deadline:
            return missing
        time.sleep(0.02)
    return set()


def test_every_event_of_every_burst_is_handled_promptly(placement_database, recruitment_channel):
    campaign_id = str(uuid.uuid4())
    for number in range(BURSTS):
        events = burst(2 + number % 4, campaign_id)
        publish_on(recruitment_channel, events)
        missing = wait_until_consumed(placement_database, {event.event_id for event in events})
        assert not missing, f"burst {number}: {len(missing)} of {len(events)} events stalled"
