"""The retention schedule, judged from the log's non-personal facts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from gravity.retention import Facts, due_fields, retention_days, schedule
from gravity.retention_run import DailyRetention
from shared.config import ConfigError, load_settings
from shared.events.canonical import format_timestamp
from shared.events.envelope import Envelope

START = datetime(2023, 6, 1, tzinfo=UTC)
DAYS = {"resident_id_days_after_campaign_end": 180, "phone_days_after_alliance_left": 365}


def event(kind, at, **payload):
    return Envelope(
        event_type=kind,
        schema_version=1,
        stream_id=f"x-{uuid.uuid4()}",
        stream_version=1,
        producer="recruitment",
        actor="a",
        correlation_id="c",
        payload=payload,
        occurred_at=at,
    )


def season(*more, closes=START + timedelta(days=30), closed_at=None):
    facts, campaign = Facts(), str(uuid.uuid4())
    facts.take(
        event(
            "CampaignCreated",
            START,
            campaign_id=campaign,
            registration_closes_at=format_timestamp(closes),
        )
    )
    if closed_at is not None:
        facts.take(event("CampaignClosed", closed_at, campaign_id=campaign))
    students = {name: str(uuid.uuid4()) for name in ("a", "b")}
    for student in students.values():
        facts.take(event("StudentRegistered", START, student_id=student, campaign_id=campaign))
    for kind, name, at in more:
        facts.take(event(kind, at, student_id=students[name], campaign_id=campaign))
    return facts, students


def due(facts, days, now):
    """Each student's fields due at ``now``."""
    return {
        subject: sorted(item.field for item in items)
        for subject, items in due_fields(schedule(facts, days, now), now).items()
    }


def test_each_field_is_due_on_its_own_rule_counting_from_the_campaigns_end():
    closed = START + timedelta(days=10)
    facts, students = season(closed_at=closed)
    fields = schedule(facts, DAYS, closed)
    assert {(f.field, f.due_at) for f in fields if f.subject_id == students["a"]} == {
        ("id_number", closed + timedelta(days=180)),
        ("phone", closed + timedelta(days=365)),
    }
    assert due(facts, DAYS, closed + timedelta(days=179)) == {}
    ids_only = {key: ["id_number"] for key in students.values()}
    assert due(facts, DAYS, closed + timedelta(days=180)) == ids_only
    both = {key: ["id_number", "phone"] for key in students.values()}
    assert due(facts, DAYS, closed + timedelta(days=365)) == both


def test_an_unclosed_campaign_ends_when_its_registration_window_closed():
    facts, _students = season(closes=START + timedelta(days=30))
    while_open = START + timedelta(days=29)
    assert all(f.due_at is None for f in schedule(facts, DAYS, while_open))
    later = START + timedelta(days=30 + 365)
    assert len(due(facts, DAYS, later)) == 2


def test_an_alliance_member_keeps_their_data_until_they_leave():
    closed = START + timedelta(days=10)
    left = START + timedelta(days=500)
    facts, students = season(
        ("AllianceJoined", "a", START + timedelta(days=20)),
        ("AllianceJoined", "b", START + timedelta(days=20)),
        ("AllianceLeft", "b", left),
        closed_at=closed,
    )
    now = left + timedelta(days=365)
    assert due(facts, DAYS, now) == {
        students["a"]: ["id_number"],  # its own rule: the campaign's end
        students["b"]: ["id_number", "phone"],
    }
    [phone] = [
        f
        for f in schedule(facts, DAYS, now)
        if f.subject_id == students["a"] and f.field == "phone"
    ]
    assert phone.due_at is None


def test_an_erased_student_is_never_listed_again():
    facts, students = season(closed_at=START)
    facts.take(event("SubjectErased", START, subject_id=students["a"], campaign_id="c", reason="r"))
    now = START + timedelta(days=400)
    assert due(facts, DAYS, now) == {students["b"]: ["id_number", "phone"]}


def test_an_erased_id_number_is_not_listed_again_while_the_phone_waits_for_its_rule():
    facts, students = season(closed_at=START)
    erased = {"subject_id": students["a"], "campaign_id": "c", "reason": "r"}
    facts.take(event("SubjectErased", START, **erased, field_classes=["identity"]))
    assert due(facts, DAYS, START + timedelta(days=200)) == {students["b"]: ["id_number"]}
    later = START + timedelta(days=400)
    assert due(facts, DAYS, later)[students["a"]] == ["phone"]


def test_a_rule_set_to_zero_is_off_and_the_others_decide():
    facts, _students = season(closed_at=START)
    only_ids = retention_days(
        {"resident_id_days_after_campaign_end": "180", "phone_days_after_alliance_left": "0"}
    )
    now = START + timedelta(days=180)
    assert list(due(facts, only_ids, now).values()) == [["id_number"], ["id_number"]]


@pytest.mark.parametrize(
    "configured",
    [
        {"resident_id_days_after_campaign_end": "soon"},
        {"resident_id_days_after_campaign_end": -1},
        {"phone_days_after_alliance_left": 10**6},
        {"names_days": 3},
    ],
)
def test_a_malformed_schedule_is_refused_with_the_rule_named(configured):
    with pytest.raises(ConfigError, match="retention"):
        retention_days(configured)


@pytest.mark.parametrize(
    ("environment", "run_daily", "enabled"),
    [
        ("production", "", True),
        ("development", "", False),
        ("development", "true", True),
        ("production", "false", False),
    ],
)
def test_gravity_up_runs_retention_daily_in_production_unless_told_otherwise(
    environment, run_daily, enabled
):
    settings = load_settings(
        environ={"GRAVITY_ENV": environment, "GRAVITY_RETENTION_DAILY": run_daily}
    )
    daily = DailyRetention(settings, {}, first_delay=3600)
    assert daily.enabled is enabled
    daily.tick()  # not due for an hour: nothing starts
    assert daily.running is None
