"""The catch-up subscription keeps the checkpoint between batches instead of reading it before
each, and still applies every entry once in order: a checkpoint moved back under it is
noticed under the checkpoint's lock, and the stretch after it is applied again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.core.projection import projection_of
from gateway.core.projector import Projector
from gateway.core.replay import snapshot
from gateway.core.subscription import CatchUpSubscription
from gateway.recruitment.tables import students
from gateway.sections import SECTIONS
from shared.config import load_settings
from shared.eventlog import EventLogReader
from shared.eventstore.database import create_database_engine
from shared.migrations import upgrade_to_head
from tests.unit.test_projector import TABLES, Engines, Log, make_season


@pytest.fixture
def engines(tmp_path: Path) -> Iterator[Engines]:
    settings = load_settings(environ={}, overrides={"data_dir": str(tmp_path)})
    upgrade_to_head(settings.database_url("gateway"), "gateway.migrations")
    upgrade_to_head(settings.database_url("eventlog"), "shared.eventlog.migrations")
    store = create_database_engine(settings.database_url("gateway"))
    event_log = create_database_engine(settings.database_url("eventlog"))
    yield store, event_log
    store.dispose()
    event_log.dispose()


@pytest.fixture
def log(engines: Engines) -> Log:
    return Log(engines[1])


@pytest.fixture
def projector(engines: Engines) -> Projector:
    return Projector(engines[0], projection_of(SECTIONS))


class CountedPositions(Projector):
    """A projector that counts how often the checkpoint is read on its own."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reads = 0

    def position(self) -> int:
        self.reads += 1
        return super().position()


def test_polls_read_the_checkpoint_only_while_no_entries_come(
    log: Log, engines: Engines, projector: Projector
) -> None:
    counted = CountedPositions(engines[0], projector._handlers)
    subscription = CatchUpSubscription(EventLogReader(engines[1]), counted, batch_size=3)
    make_season(log)
    while subscription.catch_up_once():
        pass
    assert counted.reads == 1  # before the first batch only: the last, empty poll read after it
    subscription.catch_up_once()
    subscription.catch_up_once()
    assert counted.reads == 3  # idle polls ask the database each time, as they always did
    assert counted.position() == EventLogReader(engines[1]).head()


def test_a_checkpoint_moved_back_while_idle_is_applied_again_from_there(
    log: Log, engines: Engines, projector: Projector
) -> None:
    subscription = CatchUpSubscription(EventLogReader(engines[1]), projector, batch_size=3)
    make_season(log)
    subscription.catch_up()
    first = snapshot(engines[0], TABLES)[1]["students"]
    with engines[0].begin() as connection:
        connection.execute(students.delete())
    projector.rewind(0)
    while subscription.catch_up_once():
        pass
    assert snapshot(engines[0], TABLES)[1]["students"] == first


def test_a_checkpoint_moved_back_between_polls_is_applied_again_from_there(
    log: Log, engines: Engines, projector: Projector
) -> None:
    subscription = CatchUpSubscription(EventLogReader(engines[1]), projector, batch_size=3)
    make_season(log)
    subscription.catch_up()
    first = snapshot(engines[0], TABLES)[1]["students"]
    with engines[0].begin() as connection:
        connection.execute(students.delete())  # undone only if the log is applied again
    projector.rewind(0)  # while the subscription holds the head as its checkpoint
    make_season(log)
    while subscription.catch_up_once():
        pass
    assert projector.position() == EventLogReader(engines[1]).head()
    kept = snapshot(engines[0], TABLES)[1]["students"]
    assert len(kept) == 6  # the first season's students again, and the second's
    assert {key: kept[key] for key in first} == first
