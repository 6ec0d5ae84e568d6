"""The read-model projector on temporary SQLite files: apply, skip, repeat, rebuild."""

from __future__ import annotations

import gc
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gateway.core.projection import projection_of
from gateway.core.projector import Projector
from gateway.core.replay import replay_read_models, snapshot
from gateway.core.subscription import CatchUpSubscription
from gateway.recruitment.queries import RecruitmentReads
from gateway.recruitment.tables import campaigns, students
from gateway.sections import SECTIONS
from shared.config import Settings, load_settings
from shared.eventlog import EventLogAppender, EventLogReader
from shared.events.envelope import Envelope
from shared.eventstore.database import create_database_engine
from shared.migrations import upgrade_to_head
from tests.factories import make_resident_id

T = TypeVar("T")
Engines = tuple[Engine, Engine]


TABLES = [table for section in SECTIONS for table in section.tables]


def found(value: T | None) -> T:
    assert value is not None
    return value


class Log:
    """Appends recruitment-shaped events to a real event log, numbering each stream."""

    def __init__(self, engine: Engine) -> None:
        self.appender = EventLogAppender(engine)
        self.versions: dict[str, int] = {}

    def append(self, event_type: str, stream_id: str, **payload: Any) -> int:
        version = self.versions[stream_id] = self.versions.get(stream_id, 0) + 1
        envelope = Envelope(
            event_type=event_type,
            schema_version=1,
            stream_id=stream_id,
            stream_version=version,
            producer="recruitment",
            actor="operator:op-1",
            correlation_id="corr-1",
            payload=payload,
        )
        return self.appender.append_batch([envelope])[0]

    def campaign(self, campaign_id: str | None = None, **overrides: Any) -> str:
        campaign_id = campaign_id or str(uuid.uuid4())
        payload = {
            "campaign_id": campaign_id,
            "name": "Gravity Plan 2023 summer practice",
            "year": 2023,
            "season": "summer",
            "registration_opens_at": "2023-05-01T00:00:00.000000Z",
            "registration_closes_at": "2023-06-30T00:00:00.000000Z",
            "scope": "home-district university students",
            "practice_content": "host units and summer classrooms",
        } | overrides
        self.append("CampaignCreated", f"campaign-{campaign_id}", **payload)
        return campaign_id

    def campaign_event(self, event_type: str, campaign_id: str) -> int:
        return self.append(event_type, f"campaign-{campaign_id}", campaign_id=campaign_id)

    def student(self, campaign_id: str, seed: int = 1, **overrides: Any) -> str:
        student_id = str(uuid.uuid4())
        payload = {
            "student_id": student_id,
            "campaign_id": campaign_id,
            "name": "李明",
            "phone": "13800138000",
            "id_number": make_resident_id(seed),
            "university": "Zhengzhou University",
            "major": "Public Administration",
            "grade": "junior",
            "hometown": "Xiangyang Street",
            "channel": "organisation",
        } | overrides
        self.append("StudentRegistered", f"student-{student_id}", **payload)
        return student_id

    def student_event(
        self, event_type: str, student_id: str, campaign_id: str, **payload: Any
    ) -> int:
        return self.append(
            event_type,
            f"student-{student_id}",
            student_id=student_id,
            campaign_id=campaign_id,
            **payload,
        )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = load_settings(environ={}, overrides={"data_dir": str(tmp_path)})
    upgrade_to_head(settings.database_url("gateway"), "gateway.migrations")
    upgrade_to_head(settings.database_url("eventlog"), "shared.eventlog.migrations")
    return settings


@pytest.fixture
def engines(settings: Settings) -> Iterator[Engines]:
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


@pytest.fixture
def queries(engines: Engines) -> RecruitmentReads:
    return RecruitmentReads(engines[0])


@pytest.fixture
def subscription(engines: Engines, projector: Projector) -> CatchUpSubscription:
    return CatchUpSubscription(EventLogReader(engines[1]), projector, batch_size=3)


def make_season(log: Log) -> tuple[str, str, str, str]:
    """A campaign with three students: approved, rejected, approved-then-withdrawn."""
    campaign_id = log.campaign()
    log.campaign_event("CampaignOpened", campaign_id)
    approved = log.student(campaign_id, 1)
    rejected = log.student(campaign_id, 2, university="Henan University", channel="self")
    withdrawn = log.student(campaign_id, 3, hometown="Beiguan Town")
    log.student_event("StudentScreened", approved, campaign_id, decision="approved", reason="ok")
    log.student_event("StudentScreened", rejected, campaign_id, decision="rejected", reason="no")
    log.student_event("StudentScreened", withdrawn, campaign_id, decision="approved", reason="ok")
    log.student_event("StudentWithdrew", withdrawn, campaign_id, reason="family plans")
    log.student_event("AllianceJoined", approved, campaign_id)
    return campaign_id, approved, rejected, withdrawn


def test_applies_campaigns_and_students_in_log_order(
    log: Log, subscription: CatchUpSubscription, queries: RecruitmentReads, engines: Engines
) -> None:
    campaign_id, approved, _rejected, withdrawn = make_season(log)
    assert subscription.catch_up() == 10
    assert queries.position() == EventLogReader(engines[1]).head() == 10
    assert found(queries.get_campaign(campaign_id))["status"] == "open"
    student = found(queries.get_student(approved))
    assert student["name"] == "李明"
    assert student["id_number"] == make_resident_id(1)
    assert (student["status"], student["screening_decision"], student["in_alliance"]) == (
        "approved",
        "approved",
        True,
    )
    assert student["campaign"]["campaign_id"] == campaign_id
    gone = found(queries.get_student(withdrawn))
    assert (gone["status"], gone["withdrawal_reason"]) == ("withdrawn", "family plans")


def test_a_campaign_closes_and_a_student_leaves_the_alliance(
    log: Log, subscription: CatchUpSubscription, queries: RecruitmentReads
) -> None:
    campaign_id, approved, *_ = make_season(log)
    log.campaign_event("CampaignClosed", campaign_id)
    log.student_event("AllianceLeft", approved, campaign_id)
    subscription.catch_up()
    assert found(queries.get_campaign(campaign_id))["status"] == "closed"
    assert found(queries.get_student(approved))["in_alliance"] is False


def test_skips_unknown_event_types_and_still_advances_the_checkpoint(
    log: Log, subscription: CatchUpSubscription, queries: RecruitmentReads
) -> None:
    log.append("PositionPosted", "position-1", position_id="p-1")
    campaign_id = log.campaign()
    log.append("PositionPosted", "position-1", position_id="p-1")
    assert subscription.catch_up() == 3
    assert queries.position() == 3
    assert queries.get_campaign(campaign_id) is not None


def test_skips_a_payload_that_breaks_its_contract_and_moves_on(
    log: Log, subscription: CatchUpSubscription, queries: RecruitmentReads
) -> None:
    campaign_id = log.campaign()
    log.append("CampaignOpened", f"campaign-{campaign_id}", campaign_id="not-a-uuid")
    subscription.catch_up()
    assert queries.position() == 2
    assert found(queries.get_campaign(campaign_id))["status"] == "draft"


def test_a_failing_batch_leaves_neither_rows_nor_checkpoint(
    log: Log, engines: Engines, queries: RecruitmentReads
) -> None:
    campaign_id = log.campaign()
    log.campaign_event("CampaignOpened", campaign_id)

    def fail(*_args: Any) -> None:
        raise RuntimeError("disk on fire")

    projector = Projector(engines[0], projection_of(SECTIONS) | {"CampaignOpened": fail})
    with pytest.raises(RuntimeError):
        projector.apply(EventLogReader(engines[1]).read_after(0))
    assert queries.position() == 0
    assert queries.get_campaign(campaign_id) is None


def test_entries_at_or_before_the_checkpoint_are_not_applied_again(
    log: Log, engines: Engines, projector: Projector
) -> None:
    campaign_id = log.campaign()
    log.campaign_event("CampaignOpened", campaign_id)
    batch = EventLogReader(engines[1]).read_after(0)
    assert projector.apply(batch) == 2
    assert projector.apply(batch[:1]) == 2
    assert found(RecruitmentReads(engines[0]).get_campaign(campaign_id))["status"] == "open"


@pytest.mark.parametrize("older", [0, 1, 4, 9])
def test_reapplying_from_an_older_checkpoint_gives_the_same_state(
    log: Log, subscription: CatchUpSubscription, projector: Projector, engines: Engines, older: int
) -> None:
    make_season(log)
    subscription.catch_up()
    before = snapshot(engines[0], TABLES)
    projector.rewind(older)
    subscription.catch_up()
    assert snapshot(engines[0], TABLES) == before


def test_the_report_counts_registrations_decisions_and_withdrawals(
    log: Log, subscription: CatchUpSubscription, queries: RecruitmentReads
) -> None:
    campaign_id, *_ = make_season(log)
    log.student(log.campaign(), 9)  # another campaign's student is not counted
    subscription.catch_up()
    report = found(queries.campaign_report(campaign_id))
    counts = {name: report[name] for name in ("registered", "approved", "rejected", "withdrawn")}
    assert counts == {"registered": 3, "approved": 2, "rejected": 1, "withdrawn": 1}
    assert report["by_university"] == {
        "Henan University": {"registered": 1, "approved": 0, "rejected": 1, "withdrawn": 0},
        "Zhengzhou University": {"registered": 2, "approved": 2, "rejected": 0, "withdrawn": 1},
    }
    assert report["by_channel"]["self"]["registered"] == 1
    assert report["by_hometown"]["Beiguan Town"]["withdrawn"] == 1
    assert report["as_of_position"] == queries.position()


def test_an_unknown_campaign_has_no_report_and_an_empty_one_counts_zero(
    log: Log, subscription: CatchUpSubscription, queries: RecruitmentReads
) -> None:
    empty = log.campaign()
    subscription.catch_up()
    assert queries.campaign_report(str(uuid.uuid4())) is None
    report = found(queries.campaign_report(empty))
    assert (report["registered"], report["by_university"]) == (0, {})


def test_campaigns_are_listed_with_filters_and_a_total(
    log: Log, subscription: CatchUpSubscription, queries: RecruitmentReads
) -> None:
    first = log.campaign(year=2023)
    log.campaign(year=2024)
    log.campaign_event("CampaignOpened", first)
    subscription.catch_up()
    rows, total = queries.list_campaigns(limit=1)
    assert (total, len(rows), rows[0]["year"]) == (2, 1, 2024)
    rows, total = queries.list_campaigns(status="open")
    assert (total, [row["campaign_id"] for row in rows]) == (1, [first])


def test_the_subscription_follows_the_log_until_stopped(
    log: Log, engines: Engines, projector: Projector, queries: RecruitmentReads
) -> None:
    subscription = CatchUpSubscription(EventLogReader(engines[1]), projector, poll_seconds=0.01)
    worker = threading.Thread(target=subscription.run)
    worker.start()
    try:
        campaign_id = log.campaign()
        deadline = time.monotonic() + 10
        while queries.get_campaign(campaign_id) is None:
            assert time.monotonic() < deadline, "the subscription never caught up"
            time.sleep(0.02)
    finally:
        subscription.stop()
        worker.join(5)
    assert not worker.is_alive()


def test_a_rebuild_from_the_log_equals_the_live_read_models(
    settings: Settings, log: Log, subscription: CatchUpSubscription
) -> None:
    make_season(log)
    subscription.catch_up()
    log.campaign()  # logged after the live checkpoint: the rebuild stops where live is
    report = replay_read_models(settings, SECTIONS, progress=False)
    assert (report.equal, report.events, report.differences) == (True, 10, [])


def test_a_replay_gives_the_garbage_collector_its_settings_back(
    settings: Settings, log: Log, subscription: CatchUpSubscription
) -> None:
    make_season(log)
    subscription.catch_up()
    threshold, frozen = gc.get_threshold(), gc.get_freeze_count()
    assert replay_read_models(settings, SECTIONS, progress=False).equal
    assert (gc.get_threshold(), gc.get_freeze_count()) == (threshold, frozen)


def test_a_rebuild_into_a_given_store_keeps_it(
    settings: Settings, log: Log, subscription: CatchUpSubscription, tmp_path: Path
) -> None:
    make_season(log)
    subscription.catch_up()
    target = f"sqlite:///{tmp_path / 'rebuilt.db'}"
    assert replay_read_models(settings, SECTIONS, target_url=target, progress=False).equal
    engine = create_database_engine(target)
    try:
        assert snapshot(engine, TABLES)[0] == 10
    finally:
        engine.dispose()
    with pytest.raises(ValueError, match="empty"):
        replay_read_models(settings, SECTIONS, target_url=target, progress=False)


def test_a_rebuild_reports_tampered_live_rows_without_personal_values(
    settings: Settings, log: Log, subscription: CatchUpSubscription, engines: Engines
) -> None:
    campaign_id, approved, *_ = make_season(log)
    subscription.catch_up()
    with engines[0].begin() as connection:
        connection.execute(
            students.update()
            .where(students.c.student_id == approved)
            .values(phone="13999999999", status="rejected")
        )
        connection.execute(campaigns.delete().where(campaigns.c.campaign_id == campaign_id))
    report = replay_read_models(settings, SECTIONS, progress=False)
    assert not report.equal
    assert f"students {approved}: phone differs" in report.differences
    assert f"students {approved}: status is 'rejected' live, 'approved' replayed" in (
        report.differences
    )
    assert f"campaigns {campaign_id}: missing from the live read models" in report.differences
    assert not any("1399999" in line or "13800138000" in line for line in report.differences)


def test_a_rebuild_notices_a_log_shorter_than_the_live_checkpoint(
    settings: Settings, log: Log, engines: Engines
) -> None:
    log.campaign()
    Projector(engines[0], projection_of(SECTIONS)).apply(EventLogReader(engines[1]).read_after(0))
    with engines[0].begin() as connection:
        connection.execute(sa.text("UPDATE checkpoint SET position = 5"))
    report = replay_read_models(settings, SECTIONS, progress=False)
    assert not report.equal
    assert report.differences[0].startswith("checkpoint: live read models at 5")
