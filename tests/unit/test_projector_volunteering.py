"""Volunteering read models on temporary SQLite files: a summer's activities run through the
volunteering service's own handlers (in memory, on a clock the test moves), and the events
they committed go through the real event log and projector."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gateway.core.projection import projection_of
from gateway.core.projector import Projector
from gateway.core.replay import replay_read_models, snapshot
from gateway.core.subscription import CatchUpSubscription
from gateway.core.tables import metadata
from gateway.sections import SECTIONS
from gateway.volunteering.lists import VolunteeringLists
from gateway.volunteering.queries import VolunteeringReads
from gateway.volunteering.tables import TABLES, activities
from shared.config import Settings, load_settings
from shared.contracts.volunteering import commands
from shared.eventlog import EventLogAppender, EventLogReader
from shared.eventstore.database import create_database_engine
from shared.migrations import upgrade_to_head
from tests.volunteering_factories import (
    AFTERWARDS,
    STARTS_AT,
    VolunteeringDesk,
    host_unit_actor,
    in_memory_engine,
    new_id,
)

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


@pytest.fixture
def desk() -> VolunteeringDesk:
    return VolunteeringDesk(in_memory_engine())


@pytest.fixture
def projector(engines: tuple[Engine, Engine]) -> Projector:
    return Projector(engines[0], projection_of(SECTIONS))


@pytest.fixture
def subscription(engines: tuple[Engine, Engine], projector: Projector) -> CatchUpSubscription:
    return CatchUpSubscription(EventLogReader(engines[1]), projector, batch_size=4)


@pytest.fixture
def reads(engines: tuple[Engine, Engine]) -> VolunteeringReads:
    return VolunteeringReads(engines[0])


def reached(
    activity_id: str, children: int = 0, residents: int = 0, sessions: int = 1
) -> commands.ReportBeneficiaries:
    return commands.ReportBeneficiaries(
        activity_id=activity_id, children=children, residents=residents, sessions=sessions
    )


def log_everything(desk: VolunteeringDesk, engines: tuple[Engine, Engine]) -> None:
    """Append what the service committed to the event log (logged events are skipped)."""
    EventLogAppender(engines[1]).append_batch(desk.events())


@dataclass
class Summer:
    """Who and what a summer under test holds."""

    classroom: str
    talk: str
    cleanup: str
    elsewhere: str
    unit: str
    painter: str
    singer: str
    speaker: str
    quitter: str
    absent: str
    hours: dict[str, str]


def a_summer(desk: VolunteeringDesk) -> Summer:
    """A painting classroom (two volunteers, 40 children), a drowning-prevention talk run by
    a host unit (a volunteer, one who withdrew, a no-show; 120 residents), a river clean-up
    cancelled, and a classroom of another campaign. Hours: approved, declined, corrected,
    pending."""
    unit = new_id()
    classroom = desk.activity(subject="painting", capacity=2, title="Painting")
    talk = desk.schedule(
        host_unit_actor(unit),
        host_unit_id=unit,
        kind="safety_talk",
        subject="",
        topic="drowning_prevention",
        title="Safe swimming",
        starts_at=STARTS_AT + timedelta(hours=3),
        capacity=5,
    )["activity_id"]
    cleanup = desk.activity(
        kind="river_cleanup", subject="", starts_at=STARTS_AT + timedelta(hours=6)
    )
    elsewhere = desk.activity(campaign_id=new_id(), subject="music")
    painter, singer, speaker, quitter, absent = (desk.volunteer() for _ in range(5))
    desk.sign_up(classroom, painter)
    desk.sign_up(classroom, singer)
    for student_id in (speaker, quitter, absent):
        desk.sign_up(talk, student_id)
    desk.withdraw(talk, quitter)
    desk.sign_up(cleanup, painter)
    desk.run(commands.CancelActivity(activity_id=cleanup, reason="flood warning"))
    desk.now = AFTERWARDS
    unit_actor = host_unit_actor(unit)
    desk.no_show(talk, absent, unit_actor)
    for activity_id, actor in ((classroom, "operator:ops-1"), (talk, unit_actor)):
        desk.run(commands.CompleteActivity(activity_id=activity_id), actor)
    desk.run(reached(classroom, children=40, sessions=4))
    desk.run(reached(talk, residents=120, sessions=2), unit_actor)
    hours = {
        "approved": desk.log_hours(classroom, painter, 2)["hours_id"],
        "declined": desk.log_hours(classroom, singer, 2)["hours_id"],
        "corrected": desk.log_hours(talk, speaker, 2)["hours_id"],
    }
    desk.decide(hours["approved"])
    desk.decide(hours["declined"], "declined", "left after half an hour")
    desk.decide(hours["corrected"], actor=unit_actor)
    desk.correct(hours["corrected"], 1.5, actor=unit_actor)
    hours["pending"] = desk.log_hours(classroom, singer, 0.5)["hours_id"]
    return Summer(
        classroom, talk, cleanup, elsewhere, unit, painter, singer, speaker, quitter, absent, hours
    )


def found(value: dict[str, Any] | None) -> dict[str, Any]:
    assert value is not None
    return value


@pytest.fixture
def summer(
    desk: VolunteeringDesk, engines: tuple[Engine, Engine], subscription: CatchUpSubscription
) -> Summer:
    held = a_summer(desk)
    log_everything(desk, engines)
    subscription.catch_up()
    return held


def test_an_activity_shows_its_seats_beneficiaries_and_sign_ups(
    summer: Summer, reads: VolunteeringReads
) -> None:
    classroom = found(reads.activity(summer.classroom))
    assert (classroom["kind"], classroom["subject"], classroom["topic"]) == (
        "classroom",
        "painting",
        None,
    )
    assert (classroom["status"], classroom["host_unit_id"], classroom["coordinator"]) == (
        "completed",
        None,
        "王芳",
    )
    assert (classroom["seats_taken"], classroom["seats_left"]) == (2, 0)
    assert classroom["starts_at"] == "2023-07-15T09:00:00.000000Z"
    assert {
        name: classroom["beneficiaries"][name] for name in ("children", "residents", "sessions")
    } == {"children": 40, "residents": 0, "sessions": 4}
    talk = found(reads.activity(summer.talk))
    assert (talk["host_unit_id"], talk["topic"], talk["seats_taken"], talk["seats_left"]) == (
        summer.unit,
        "drowning_prevention",
        1,
        4,
    )
    statuses = {row["student_id"]: (row["status"], row["reason"]) for row in talk["sign_ups"]}
    assert statuses == {
        summer.speaker: ("signed_up", None),
        summer.quitter: ("withdrawn", "exams"),
        summer.absent: ("no_show", None),
    }
    assert reads.activity(new_id()) is None


def test_a_cancelled_activity_releases_its_seats_and_keeps_its_reason(
    summer: Summer, reads: VolunteeringReads
) -> None:
    cleanup = found(reads.activity(summer.cleanup))
    assert (cleanup["status"], cleanup["cancellation_reason"]) == ("cancelled", "flood warning")
    assert (cleanup["seats_taken"], cleanup["seats_left"], cleanup["beneficiaries"]) == (
        0,
        10,
        None,
    )
    assert [(row["student_id"], row["status"]) for row in cleanup["sign_ups"]] == [
        (summer.painter, "released")
    ]


def test_activities_are_listed_soonest_first_by_campaign_kind_and_status(
    summer: Summer, engines: tuple[Engine, Engine], desk: VolunteeringDesk
) -> None:
    lists = VolunteeringLists(engines[0])

    def listed(limit: int = 50, **equal: str) -> tuple[list[Any], str | None, int]:
        return lists.activities_page(limit=limit, sort="starts_at", **equal)

    mine, _, total = listed(campaign_id=desk.campaign_id)
    assert ([row["activity_id"] for row in mine], total) == (
        [summer.classroom, summer.talk, summer.cleanup],
        3,
    )
    talks, _, total = listed(kind="safety_talk")
    assert ([row["title"] for row in talks], total) == (["Safe swimming"], 1)
    first, cursor, total = listed(limit=1)
    assert cursor is not None
    second, _, _ = lists.activities_page(limit=1, sort="starts_at", cursor=cursor)
    assert (len(first), len(second), total) == (1, 1, 4)
    assert first[0]["activity_id"] != second[0]["activity_id"]
    cancelled, _, _ = listed(status="cancelled")
    assert [row["activity_id"] for row in cancelled] == [summer.cleanup]


def test_a_student_sees_its_activities_and_hours_by_status_with_only_approved_counting(
    summer: Summer, reads: VolunteeringReads
) -> None:
    singer = reads.student_volunteering(summer.singer)
    assert [
        (row["title"], row["sign_up_status"], row["activity_status"])
        for row in singer["activities"]
    ] == [("Painting", "signed_up", "completed")]
    assert [(entry["status"], entry["hours"]) for entry in singer["hours"]] == [
        ("declined", 2.0),
        ("pending", 0.5),
    ]
    assert singer["hours"][0]["decline_reason"] == "left after half an hour"
    assert singer["hours_by_status"] == {"pending": 0.5, "approved": 0.0, "declined": 2.0}
    assert singer["approved_hours"] == 0.0
    speaker = reads.student_volunteering(summer.speaker)
    (corrected,) = speaker["hours"]
    assert (corrected["hours"], corrected["previous_hours"], corrected["status"]) == (
        1.5,
        2.0,
        "approved",
    )
    assert corrected["correction_reason"] == "arrived late"
    assert speaker["approved_hours"] == 1.5
    painter = reads.student_volunteering(summer.painter)
    assert [(row["activity_id"], row["sign_up_status"]) for row in painter["activities"]] == [
        (summer.classroom, "signed_up"),
        (summer.cleanup, "released"),
    ]
    assert reads.student_volunteering(new_id())["activities"] == []


def test_the_report_counts_per_kind_subject_and_topic_without_cancelled_or_unapproved(
    summer: Summer, reads: VolunteeringReads, desk: VolunteeringDesk, projector: Projector
) -> None:
    report = reads.report(desk.campaign_id)
    painting = {
        "activities": 1,
        "completed": 1,
        "volunteers": 2,
        "approved_hours": 2.0,
        "children": 40,
        "residents": 0,
        "sessions": 4,
    }
    drowning = painting | {
        "volunteers": 1,
        "approved_hours": 1.5,
        "children": 0,
        "residents": 120,
        "sessions": 2,
    }
    assert report["by_subject"] == {"painting": painting}
    assert report["by_topic"] == {"drowning_prevention": drowning}
    assert report["by_kind"] == {"classroom": painting, "safety_talk": drowning}
    assert report["totals"] == {
        "activities": 2,
        "completed": 2,
        "cancelled": 1,
        "volunteers": 3,
        "approved_hours": 3.5,
        "children": 40,
        "residents": 120,
        "sessions": 6,
        "hours_entries": {"pending": 1, "approved": 2, "declined": 1, "corrected": 1},
    }
    assert report["as_of_position"] == projector.position()
    empty = reads.report(new_id())
    assert (empty["totals"]["activities"], empty["by_kind"]) == (0, {})


def test_a_student_who_withdrew_and_signed_up_again_holds_a_seat_once(
    desk: VolunteeringDesk,
    engines: tuple[Engine, Engine],
    subscription: CatchUpSubscription,
    reads: VolunteeringReads,
) -> None:
    activity_id, student_id = desk.activity(), desk.volunteer()
    desk.sign_up(activity_id, student_id)
    desk.withdraw(activity_id, student_id)
    desk.sign_up(activity_id, student_id)
    log_everything(desk, engines)
    subscription.catch_up()
    activity = found(reads.activity(activity_id))
    assert (activity["seats_taken"], [row["status"] for row in activity["sign_ups"]]) == (
        1,
        ["signed_up"],
    )


@pytest.mark.parametrize("older", [0, 5, 17, 30])
def test_reapplying_volunteering_events_from_an_older_checkpoint_gives_the_same_state(
    summer: Summer,
    subscription: CatchUpSubscription,
    projector: Projector,
    engines: tuple[Engine, Engine],
    older: int,
) -> None:
    before = snapshot(engines[0], EVERY_TABLE)
    assert before[1]["volunteer_hours"]
    projector.rewind(older)
    subscription.catch_up()
    assert snapshot(engines[0], EVERY_TABLE) == before


def test_a_rebuild_equals_the_live_volunteering_read_models_and_names_no_coordinator(
    settings: Settings, summer: Summer, engines: tuple[Engine, Engine]
) -> None:
    report = replay_read_models(settings, SECTIONS, progress=False)
    assert (report.equal, report.differences) == (True, [])
    with engines[0].begin() as connection:
        connection.execute(
            activities.update()
            .where(activities.c.activity_id == summer.classroom)
            .values(coordinator="李雷", children=41)
        )
    tampered = replay_read_models(settings, SECTIONS, progress=False)
    assert tampered.differences == [
        f"activities {summer.classroom}: children is 41 live, 40 replayed",
        f"activities {summer.classroom}: coordinator differs",
    ]
    assert not any("王芳" in line or "李雷" in line for line in tampered.differences)


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
