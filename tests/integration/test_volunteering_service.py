"""The volunteering service over real RabbitMQ, on SQLite and on PostgreSQL: its RPC surface,
recruitment's events (redelivered too), and seats under fifty concurrent sign-ups."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from nameko.exceptions import MethodNotFound
from nameko.standalone.rpc import ClusterRpcProxy
from structlog.testing import capture_logs

from services.volunteering.service import VolunteeringService
from shared.config import Settings, load_settings
from shared.events.envelope import Envelope
from shared.eventstore.database import create_database_engine
from shared.eventstore.tables import events
from shared.migrations import upgrade_to_head
from shared.process import nameko_config
from shared.rpc import CommandRejected
from tests.support.broker import default_keys_dir, publish_events
from tests.volunteering_factories import make_recruitment_event

OPERATOR = {"actor": "operator:ops-1", "correlation_id": "corr-volunteering"}


def as_student(student_id: str) -> dict[str, str]:
    return {"actor": f"student:{student_id}", "correlation_id": "corr-volunteering"}


@pytest.fixture
def settings(tmp_path: Path, amqp_uri: str, database_url: str) -> Settings:
    settings = load_settings(
        environ={},
        overrides={
            "amqp_uri": amqp_uri,
            "data_dir": str(tmp_path / "var"),
            # where tests.support.broker signs as the producers do
            "keys_dir": str(default_keys_dir()),
            "databases": {"volunteering": database_url},
        },
    )
    upgrade_to_head(settings.database_url("volunteering"), "services.volunteering.migrations")
    return settings


@pytest.fixture
def volunteering(settings, container_factory, rabbit_config) -> Iterator[Any]:
    """The running volunteering service, reached over RPC."""
    container_factory(VolunteeringService, nameko_config(settings, "volunteering")).start()
    with ClusterRpcProxy(rabbit_config) as cluster:
        yield cluster.volunteering


def recorded(settings: Settings, event_type: str) -> list[dict[str, Any]]:
    engine = create_database_engine(settings.database_url("volunteering"), reader=True)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.select(events.c.payload)
                .where(events.c.event_type == event_type)
                .order_by(events.c.seq)
            ).scalars()
            return [json.loads(payload) for payload in rows]
    finally:
        engine.dispose()


def wait_for(condition: Callable[[], Any], timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)
    return result


def publish(amqp_uri: str, *envelopes: Envelope) -> None:
    publish_events(amqp_uri, envelopes)


def approve(settings: Settings, amqp_uri: str, campaign_id: str, *student_ids: str) -> None:
    """Approve the students in recruitment's name, as a burst of events, and wait for them."""
    already = len(recorded(settings, "VolunteerQualified"))
    approvals = [
        make_recruitment_event("StudentScreened", student_id, campaign_id, decision="approved")
        for student_id in student_ids
    ]
    publish(amqp_uri, *approvals)
    wait_for(lambda: len(recorded(settings, "VolunteerQualified")) >= already + len(student_ids))


def schedule(volunteering: Any, campaign_id: str, days_ahead: int = 3, **overrides: Any) -> str:
    """A committee-run classroom some days from now (the service's clock is the real one)."""
    starts_at = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days_ahead)
    plan = {
        "campaign_id": campaign_id,
        "title": "Calligraphy for beginners",
        "kind": "classroom",
        "subject": "calligraphy",
        "place": "Xiangyang Street community centre",
        "starts_at": starts_at.isoformat(),
        "ends_at": (starts_at + timedelta(hours=2)).isoformat(),
        "capacity": 10,
        "coordinator": "王芳",
    }
    return str(volunteering.schedule_activity(OPERATOR, plan | overrides)["activity_id"])


def sign_up(volunteering: Any, activity_id: str, student_id: str) -> dict[str, Any]:
    arguments = {"activity_id": activity_id, "student_id": student_id}
    return dict(volunteering.sign_up(as_student(student_id), arguments))


def refusal(call: Callable[..., Any], *args: Any) -> str:
    with pytest.raises(CommandRejected) as refused:
        call(*args)
    return str(refused.value.code)


def handled(logs: list[dict[str, Any]]) -> int:
    return [line["event"] for line in logs].count("command.handled")


def already_consumed(logs: list[dict[str, Any]]) -> int:
    return [line["event"] for line in logs].count("event.already_consumed")


def outcomes_of(replies: list[Any]) -> list[str]:
    """Each call's sign-up status, or the code it was refused with."""
    outcomes = []
    for reply in replies:
        try:
            outcomes.append(str(reply.result()["status"]))
        except CommandRejected as refused:
            outcomes.append(str(refused.code))
    return outcomes


def new_id() -> str:
    return str(uuid.uuid4())


def test_a_call_with_bad_arguments_is_refused_with_a_map_of_its_fields(volunteering):
    with pytest.raises(CommandRejected) as refused:
        volunteering.schedule_activity(
            OPERATOR,
            {
                "campaign_id": "not-a-uuid",
                "title": "Drowning prevention at the reservoir",
                "kind": "safety_talk",
                "topic": "drowning_prevention",
                "place": "Reservoir village hall",
                "starts_at": "2023-07-20T09:00:00Z",
                "ends_at": "2023-07-20 11:00",
                "capacity": "30",
                "coordinator": "王芳",
                "children_names": ["小明"],
            },
        )
    assert (refused.value.code, refused.value.kind) == ("VALIDATION_FAILED", "invalid")
    assert set(refused.value.details["fields"]) == {
        "campaign_id",
        "ends_at",
        "capacity",
        "children_names",
    }
    hours = {"activity_id": new_id(), "student_id": new_id(), "hours": 1.25}
    assert refusal(volunteering.log_hours, OPERATOR, hours) == "VALIDATION_FAILED"
    # Volunteers come from recruitment's events only: no RPC method takes them.
    with pytest.raises(MethodNotFound):
        volunteering.qualify_volunteer(OPERATOR, {"student_id": new_id()})


def test_a_domain_refusal_crosses_rpc_with_its_code(volunteering):
    campaign = new_id()
    activity = schedule(volunteering, campaign)
    assert refusal(sign_up, volunteering, activity, new_id()) == "NOT_A_VOLUNTEER"
    with pytest.raises(CommandRejected) as refused:
        schedule(volunteering, campaign, ends_at="2020-01-01T00:00:00Z")
    assert (refused.value.code, refused.value.details) == ("INVALID_ACTIVITY", {"field": "ends_at"})


def test_recruitment_approvals_and_the_alliance_qualify_volunteers(
    settings, volunteering, amqp_uri
):
    campaign = new_id()
    activity = schedule(volunteering, campaign)
    approved, rejected, member = new_id(), new_id(), new_id()
    with capture_logs() as logs:
        publish(
            amqp_uri,
            make_recruitment_event("StudentScreened", rejected, campaign, decision="rejected"),
        )
        wait_for(lambda: any(line["event"] == "event.skipped" for line in logs))
    approve(settings, amqp_uri, campaign, approved)
    publish(amqp_uri, make_recruitment_event("AllianceJoined", member, new_id()))
    wait_for(lambda: len(recorded(settings, "VolunteerQualified")) == 2)
    assert sign_up(volunteering, activity, approved)["status"] == "signed_up"
    assert sign_up(volunteering, activity, member)["status"] == "signed_up"
    assert refusal(sign_up, volunteering, activity, rejected) == "NOT_A_VOLUNTEER"


def test_a_withdrawal_releases_the_students_sign_ups_to_come(settings, volunteering, amqp_uri):
    campaign, student = new_id(), new_id()
    approve(settings, amqp_uri, campaign, student)
    first, second = schedule(volunteering, campaign, 3), schedule(volunteering, campaign, 4)
    sign_up(volunteering, first, student)
    sign_up(volunteering, second, student)
    publish(amqp_uri, make_recruitment_event("StudentWithdrew", student, campaign, reason="exams"))
    wait_for(lambda: len(recorded(settings, "VolunteerWithdrew")) == 2)
    withdrawals = recorded(settings, "VolunteerWithdrew")
    assert sorted(w["activity_id"] for w in withdrawals) == sorted([first, second])
    assert {w["reason"] for w in withdrawals} == {"the student withdrew from the campaign: exams"}
    assert refusal(sign_up, volunteering, first, student) == "NOT_A_VOLUNTEER"


def test_a_redelivered_recruitment_event_changes_nothing(settings, volunteering, amqp_uri):
    approval = make_recruitment_event("StudentScreened", new_id(), new_id(), decision="approved")
    with capture_logs() as logs:
        for delivery in range(1, 4):
            publish(amqp_uri, approval)
            wait_for(lambda n=delivery: handled(logs) + already_consumed(logs) == n)
    assert len(recorded(settings, "VolunteerQualified")) == 1
    assert (handled(logs), already_consumed(logs)) == (1, 2)


def test_fifty_concurrent_sign_ups_for_ten_seats_give_ten_seats_and_forty_clear_refusals(
    settings, volunteering, amqp_uri
):
    campaign = new_id()
    students = [new_id() for _ in range(50)]
    approve(settings, amqp_uri, campaign, *students)
    activity = schedule(volunteering, campaign, capacity=10)
    with capture_logs() as logs:
        replies = [
            volunteering.sign_up.call_async(
                as_student(student), {"activity_id": activity, "student_id": student}
            )
            for student in students
        ]
        outcomes = outcomes_of(replies)
    # The activity's stream is held exclusively: sign-ups queue, none is retried on a conflict.
    logged = [line["event"] for line in logs]
    assert (logged.count("command.rejected"), logged.count("command.conflict")) == (40, 0)
    assert sorted(set(outcomes)) == ["ACTIVITY_FULL", "signed_up"]
    assert (outcomes.count("signed_up"), outcomes.count("ACTIVITY_FULL")) == (10, 40)
    signed_up = recorded(settings, "VolunteerSignedUp")
    assert len(signed_up) == 10
    assert len({event["student_id"] for event in signed_up}) == 10


def test_one_students_concurrent_sign_ups_for_overlapping_activities_take_one_seat(
    settings, volunteering, amqp_uri
):
    campaign, student = new_id(), new_id()
    approve(settings, amqp_uri, campaign, student)
    activities = [schedule(volunteering, campaign, 3) for _ in range(5)]
    replies = [
        volunteering.sign_up.call_async(
            as_student(student), {"activity_id": activity, "student_id": student}
        )
        for activity in activities
    ]
    outcomes = outcomes_of(replies)
    assert sorted(outcomes) == ["SIGN_UP_CONFLICT"] * 4 + ["signed_up"]
    assert len(recorded(settings, "VolunteerSignedUp")) == 1
