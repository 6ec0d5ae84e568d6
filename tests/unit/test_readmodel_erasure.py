"""An erasure among the other events of one projector batch: its updates go out with the
batch's recorded writes, in log order, so the rows read as if each event had been applied
alone: the writes before it erased, the ones after it kept, other subjects untouched."""

from __future__ import annotations

import uuid
from pathlib import Path

import sqlalchemy as sa

from gateway.core.projection import projection_of
from gateway.core.projector import Projector
from gateway.core.replay import fresh_store
from gateway.readmodels import READ_MODELS
from shared.eventlog import EventLogAppender, EventLogReader
from shared.events.envelope import Envelope
from shared.eventstore.database import create_database_engine
from shared.migrations import upgrade_to_head
from shared.privacy.classes import IDENTITY
from shared.privacy.sealing import ERASED
from tests.factories import make_recruitment_event, make_registered_event, make_subject_erased

TABLES = [table for section in READ_MODELS for table in section.tables]
CAMPAIGN = str(uuid.UUID(int=99))
WHOLE, IDENTITY_ONLY, UNTOUCHED = (str(uuid.UUID(int=n)) for n in (1, 2, 3))


def screened(student: str, decision: str) -> Envelope:
    return make_recruitment_event("StudentScreened", student, CAMPAIGN, decision=decision)


def events() -> list[Envelope]:
    return [
        make_registered_event(WHOLE, CAMPAIGN),
        make_registered_event(IDENTITY_ONLY, CAMPAIGN),
        screened(WHOLE, "approved"),
        make_subject_erased(WHOLE, CAMPAIGN, version=1),
        make_subject_erased(IDENTITY_ONLY, CAMPAIGN, field_classes=[IDENTITY]),
        screened(WHOLE, "rejected"),  # after the erasure: applied, the name stays erased
        make_registered_event(UNTOUCHED, CAMPAIGN),
        screened(IDENTITY_ONLY, "approved"),
    ]


def students_after(tmp_path: Path, name: str, batch: int) -> dict[str, tuple[str, ...]]:
    log_url = f"sqlite:///{tmp_path / f'{name}-log.db'}"
    upgrade_to_head(log_url, "shared.eventlog.migrations")
    log = create_database_engine(log_url)
    EventLogAppender(log).append_batch(events())
    reader = EventLogReader(log)
    with fresh_store(f"sqlite:///{tmp_path / f'{name}.db'}", TABLES) as store:
        projector = Projector(store, projection_of(READ_MODELS))
        position = 0
        while page := reader.read_after(position, limit=batch):
            position = projector.apply(page)
        with store.connect() as connection:
            query = sa.text("SELECT student_id, name, phone, id_number, status FROM students")
            found = {row[0]: tuple(row[1:]) for row in connection.execute(query)}
    log.dispose()
    return found


def test_an_erasure_inside_a_batch_reads_as_one_applied_alone(tmp_path: Path) -> None:
    expected = {
        WHOLE: (ERASED, ERASED, ERASED, "rejected"),
        IDENTITY_ONLY: ("孙悦", "13912345678", ERASED, "approved"),
        UNTOUCHED: ("孙悦", "13912345678", "11010519491231002X", "registered"),
    }
    assert students_after(tmp_path, "one-by-one", batch=1) == expected
    assert students_after(tmp_path, "together", batch=100) == expected
