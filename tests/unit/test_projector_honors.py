"""Honours read models on temporary SQLite files: a summer's honours run through the honours
service's own handlers (in memory), and the events they committed go through the real event
log and projector."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gateway.core.projection import projection_of
from gateway.core.projector import Projector
from gateway.core.replay import replay_read_models, snapshot
from gateway.core.subscription import CatchUpSubscription
from gateway.core.tables import metadata
from gateway.honors.queries import HonorsReads
from gateway.honors.tables import TABLES, awards
from gateway.sections import SECTIONS
from shared.config import Settings, load_settings
from shared.eventlog import EventLogAppender, EventLogReader
from shared.eventstore.database import create_database_engine
from shared.migrations import upgrade_to_head
from tests.honors_factories import HonorsDesk, in_memory_engine

EVERY_TABLE = [table for section in SECTIONS for table in section.tables]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = load_settings(environ={}, overrides={"data_dir": str(tmp_path)})
    upgrade_to_head(settings.database_url("gateway"), "gateway.migrations")
    upgrade_to_head(settings.database_url("eventlog"), "shared.eventlog.migrations")
    return settings


@pytest.fixture
def engines(settings: Settings) -> Iterator[tuple[Engine, Engine]]:
    store = create_database_engine(settings.database_url("gateway"))
    event_log = create_database_engine(settings.database_url("eventlog"))
    yield store, event_log
    store.dispose()
    event_log.dispose()


@dataclass
class Honours:
    desk: HonorsDesk
    first: dict[str, str]
    revoked: dict[str, str]
    nominee: str
    appointed: dict[str, str]
    dismissed: dict[str, str]
    shown: str
    withdrawn: str
    unconsented: str


def a_summer_of_honours(desk: HonorsDesk) -> Honours:
    """Two certificates (one revoked), a nomination pending, two appointments (one dismissed
    early), a recommendation, three diaries: one featured and shown, one featured then taken
    out by a withdrawn consent, one never featured."""
    first, revoked = desk.award(), desk.award()
    desk.revoke(str(revoked["serial"]))
    nominee = desk.practice()
    desk.nominate(nominee)
    appointed = desk.appoint()
    dismissed = desk.appoint(committee="东街街道团工委")
    desk.end_appointment(str(dismissed["serial"]), reason="moved away")
    student, leaver = desk.practice(), desk.practice()
    desk.consent(student, "university_report")
    desk.recommend(student)
    for who in (student, leaver):
        desk.consent(who, "showcase")
    shown, withdrawn = desk.diary(student), desk.diary(leaver, title="Week two")
    unconsented = desk.diary(student, title="Week three")
    desk.feature(shown)
    desk.feature(withdrawn)
    desk.consent(leaver, "showcase", given=False)
    return Honours(
        desk, first, revoked, nominee, appointed, dismissed, shown, withdrawn, unconsented
    )


@pytest.fixture
def honours(engines: tuple[Engine, Engine]) -> Honours:
    desk = HonorsDesk(in_memory_engine())
    held = a_summer_of_honours(desk)
    EventLogAppender(engines[1]).append_batch(desk.events())
    projector = Projector(engines[0], projection_of(SECTIONS))
    CatchUpSubscription(EventLogReader(engines[1]), projector, batch_size=5).catch_up()
    return held


def test_certificates_keep_their_serial_title_holder_and_revocation(
    honours: Honours, engines: tuple[Engine, Engine]
) -> None:
    reads = HonorsReads(engines[0])
    first = reads.certificate(str(honours.first["serial"]))
    assert first is not None
    assert (first["status"], first["title_name"], first["holder_name"]) == (
        "granted",
        "先进个人",
        "张三",
    )
    assert first["issued_at"] == "2023-09-01T09:00:00.000000Z"
    revoked = reads.certificate(str(honours.revoked["serial"]))
    assert revoked is not None
    assert (revoked["status"], revoked["revocation_reason"]) == ("revoked", "plagiarised diary")
    pending = reads.awards(student_id=honours.nominee)
    assert [(a["status"], a["serial"]) for a in pending] == [("nominated", None)]


def test_the_report_counts_awards_by_title_appointments_diaries_and_recommendations(
    honours: Honours, engines: tuple[Engine, Engine]
) -> None:
    report = HonorsReads(engines[0]).report(honours.desk.campaign_id)
    assert report["awards_by_title"] == {
        "ADV": {"name": "先进个人", "nominated": 1, "granted": 1, "revoked": 1}
    }
    assert report["appointments"] == {
        "made": 2,
        "active": 1,
        "term_ended": 0,
        "dismissed": 1,
        "committees": 2,
    }
    assert report["diaries"] == {"submitted": 3, "featured": 1}
    assert report["recommendations"] == {"sent": 1, "students": 1}
    assert report["as_of_position"] == len(honours.desk.events())


def test_the_showcase_shows_featured_diaries_with_consent_and_the_chosen_name(
    honours: Honours, engines: tuple[Engine, Engine]
) -> None:
    reads = HonorsReads(engines[0])
    shown = reads.showcase(honours.desk.campaign_id)
    assert [(d["diary_id"], d["display_name"]) for d in shown] == [(honours.shown, "小张")]
    appointment = reads.appointment(str(honours.dismissed["serial"]))
    assert appointment is not None
    assert (appointment["status"], appointment["ended_on"], appointment["end_reason"]) == (
        "dismissed",
        date(2023, 9, 1).isoformat(),
        "moved away",
    )


def test_consents_answer_each_purpose_never_answered_as_not_given(
    honours: Honours, engines: tuple[Engine, Engine]
) -> None:
    reads = HonorsReads(engines[0])
    student = honours.desk.payloads("RecommendationSent")[0]["student_id"]
    assert {p: c["given"] for p, c in reads.consents(student)["consents"].items()} == {
        "university_report": True,
        "showcase": True,
    }
    nobody = reads.consents(honours.nominee)["consents"]
    assert nobody["showcase"] == {"given": False, "updated_at": None}


def test_a_rebuild_equals_the_live_honours_read_models_and_names_no_holder(
    settings: Settings, honours: Honours, engines: tuple[Engine, Engine]
) -> None:
    report = replay_read_models(settings, SECTIONS, progress=False)
    assert (report.equal, report.differences) == (True, [])
    with engines[0].begin() as connection:
        connection.execute(
            awards.update()
            .where(awards.c.award_id == honours.first["award_id"])
            .values(holder_name="李雷")
        )
    tampered = replay_read_models(settings, SECTIONS, progress=False)
    assert tampered.differences == [
        f"honour_awards {honours.first['award_id']}: holder_name differs"
    ]


def test_reapplying_the_log_from_an_older_checkpoint_changes_nothing(
    honours: Honours, engines: tuple[Engine, Engine]
) -> None:
    before = snapshot(engines[0], EVERY_TABLE)
    projector = Projector(engines[0], projection_of(SECTIONS))
    projector.rewind(3)
    CatchUpSubscription(EventLogReader(engines[1]), projector, batch_size=7).catch_up()
    assert snapshot(engines[0], EVERY_TABLE) == before


def test_the_migration_creates_the_tables_the_projection_writes(
    engines: tuple[Engine, Engine],
) -> None:
    inspector = sa.inspect(engines[0])
    for table in TABLES:
        migrated = {
            column["name"]: column["nullable"] for column in inspector.get_columns(table.name)
        }
        assert migrated == {column.name: column.nullable for column in table.columns}, table.name
        indexed = {tuple(index["column_names"]) for index in inspector.get_indexes(table.name)}
        assert indexed == {tuple(c.name for c in index.columns) for index in table.indexes}
    assert set(metadata.tables) >= {table.name for table in TABLES}
