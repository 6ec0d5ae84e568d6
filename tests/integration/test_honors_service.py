"""The honours service over real RabbitMQ, on SQLite and on PostgreSQL: its RPC surface,
placement's and recruitment's events qualifying students (redelivered too), and grants at
once keeping serials gapless and the quota exact."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from nameko.exceptions import MethodNotFound
from nameko.standalone.rpc import ClusterRpcProxy
from structlog.testing import capture_logs

from services.honors.service import HonorsService
from shared.config import Settings, load_settings
from shared.eventstore.database import create_database_engine
from shared.eventstore.tables import events
from shared.migrations import upgrade_to_head
from shared.process import nameko_config
from shared.rpc import CommandRejected
from tests.honors_factories import TRANSCRIPT_HASH, make_programme_event, placement_agreed
from tests.support.broker import default_keys_dir, publish_events

OPERATOR = {"actor": "operator:ops-1", "correlation_id": "corr-honors"}


def as_student(student_id: str) -> dict[str, str]:
    return {"actor": f"student:{student_id}", "correlation_id": "corr-honors"}


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def settings(tmp_path: Path, amqp_uri: str, database_url: str) -> Settings:
    settings = load_settings(
        environ={},
        overrides={
            "amqp_uri": amqp_uri,
            "data_dir": str(tmp_path / "var"),
            # where tests.support.broker signs as the producers do
            "keys_dir": str(default_keys_dir()),
            "databases": {"honors": database_url},
        },
    )
    upgrade_to_head(settings.database_url("honors"), "services.honors.migrations")
    return settings


@pytest.fixture
def honors(settings, container_factory, rabbit_config) -> Iterator[Any]:
    """The running honours service, reached over RPC."""
    container_factory(HonorsService, nameko_config(settings, "honors")).start()
    with ClusterRpcProxy(rabbit_config) as cluster:
        yield cluster.honors


def recorded(settings: Settings, event_type: str) -> list[dict[str, Any]]:
    engine = create_database_engine(settings.database_url("honors"), reader=True)
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


def qualify(settings: Settings, amqp_uri: str, campaign_id: str, *students: str) -> None:
    """Each student's practice agreed, completed and evaluated at 90, in placement's name."""
    already = len(recorded(settings, "PracticeEvaluated"))
    envelopes = []
    for student in students:
        placement = new_id()
        envelopes += [
            placement_agreed(placement, student, campaign_id),
            make_programme_event(
                "PlacementCompleted",
                "placement",
                placement_id=placement,
                days_served=30,
                hours_served=160,
            ),
            make_programme_event(
                "PlacementEvaluated", "placement", placement_id=placement, score=90, comment=""
            ),
        ]
    publish_events(amqp_uri, envelopes)
    wait_for(lambda: len(recorded(settings, "PracticeEvaluated")) >= already + len(students))
    wait_for(lambda: len(recorded(settings, "PracticeNoted")) >= already + len(students))
    wait_for(lambda: len(recorded(settings, "PracticeCompleted")) >= already + len(students))


def nominate(honors: Any, student: str, campaign: str) -> str:
    arguments = {
        "student_id": student,
        "campaign_id": campaign,
        "citation": "Ran the summer classroom",
        "holder_name": "张三",
    }
    return str(honors.nominate_for_award(OPERATOR, arguments)["award_id"])


def refusal(call: Callable[..., Any], *args: Any) -> CommandRejected:
    with pytest.raises(CommandRejected) as refused:
        call(*args)
    return refused.value


def test_a_call_with_bad_arguments_is_refused_with_a_map_of_its_fields(honors):
    refused = refusal(
        honors.nominate_for_award,
        OPERATOR,
        {
            "student_id": "not-a-uuid",
            "campaign_id": new_id(),
            "title_code": "advanced individual",
            "citation": "",
            "holder_name": "张三",
            "serial": "ADV-2023-0001",
        },
    )
    assert (refused.code, refused.kind) == ("VALIDATION_FAILED", "invalid")
    assert set(refused.details["fields"]) == {"student_id", "title_code", "citation", "serial"}
    consent = {"student_id": new_id(), "purpose": "showcase", "given": "yes"}
    assert refusal(honors.record_consent, OPERATOR, consent).code == "VALIDATION_FAILED"
    bad_hash = {
        "student_id": new_id(),
        "campaign_id": new_id(),
        "university": "Zhengzhou University",
        "transcript_hash": "md5:abc",
    }
    assert refusal(honors.send_recommendation, OPERATOR, bad_hash).code == "VALIDATION_FAILED"
    # Eligibility comes from placement's and recruitment's events only: no RPC method takes it.
    with pytest.raises(MethodNotFound):
        honors.note_practice(OPERATOR, {"placement_id": new_id()})


def test_a_domain_refusal_crosses_rpc_with_its_code_and_typed_details(honors):
    student, campaign = new_id(), new_id()
    refused = refusal(nominate, honors, student, campaign)
    assert (refused.code, refused.details["reasons"]) == (
        "NOT_ELIGIBLE",
        ["no_completed_practice"],
    )
    recommendation = {
        "student_id": student,
        "campaign_id": campaign,
        "university": "Zhengzhou University",
        "transcript_hash": TRANSCRIPT_HASH,
    }
    refused = refusal(honors.send_recommendation, OPERATOR, recommendation)
    assert (refused.code, refused.kind) == ("CONSENT_REQUIRED", "conflict")
    given = {"student_id": student, "purpose": "university_report", "given": True}
    assert honors.record_consent(as_student(student), given)["given"] is True
    assert "recommendation_id" in honors.send_recommendation(OPERATOR, recommendation)
    other = refusal(honors.record_consent, as_student(new_id()), given)
    assert (other.code, other.details) == ("NOT_FOUND", {"student_id": student})


def test_placements_events_qualify_and_a_screening_rejection_disqualifies(
    settings, honors, amqp_uri
):
    campaign, qualified, rejected = new_id(), new_id(), new_id()
    qualify(settings, amqp_uri, campaign, qualified, rejected)
    with capture_logs() as logs:
        publish_events(
            amqp_uri,
            [
                make_programme_event(
                    "StudentScreened",
                    "recruitment",
                    student_id=qualified,
                    campaign_id=campaign,
                    decision="approved",
                    reason="",
                )
            ],
        )
        wait_for(lambda: any(line["event"] == "event.skipped" for line in logs))
    publish_events(
        amqp_uri,
        [
            make_programme_event(
                "StudentScreened",
                "recruitment",
                student_id=rejected,
                campaign_id=campaign,
                decision="rejected",
                reason="incomplete documents",
            )
        ],
    )
    wait_for(lambda: recorded(settings, "ScreeningDeclined"))
    award = nominate(honors, qualified, campaign)
    granted = honors.grant_award(OPERATOR, {"award_id": award})
    assert granted["serial"].split("-")[::2] == ["ADV", "0001"]
    assert refusal(nominate, honors, rejected, campaign).details["reasons"] == [
        "screening_declined"
    ]


def test_a_redelivered_placement_event_changes_nothing(settings, honors, amqp_uri):
    completed = make_programme_event(
        "PlacementCompleted", "placement", placement_id=new_id(), days_served=30, hours_served=160
    )
    with capture_logs() as logs:
        for delivery in range(1, 4):
            publish_events(amqp_uri, [completed])
            wait_for(
                lambda n=delivery: (
                    [line["event"] for line in logs].count("command.handled")
                    + [line["event"] for line in logs].count("event.already_consumed")
                    == n
                )
            )
    assert len(recorded(settings, "PracticeCompleted")) == 1
    logged = [line["event"] for line in logs]
    assert (logged.count("command.handled"), logged.count("event.already_consumed")) == (1, 2)


def test_twenty_grants_at_once_for_ten_places_give_serials_one_to_ten_and_ten_refusals(
    settings, honors, amqp_uri
):
    campaign = new_id()
    students = [new_id() for _ in range(20)]
    qualify(settings, amqp_uri, campaign, *students)
    awards = [nominate(honors, student, campaign) for student in students]
    replies = [honors.grant_award.call_async(OPERATOR, {"award_id": a}) for a in awards]
    outcomes = []
    for reply in replies:
        try:
            outcomes.append(str(reply.result()["serial"]))
        except CommandRejected as refused:
            outcomes.append(str(refused.code))
    serials = sorted(outcome for outcome in outcomes if outcome != "QUOTA_EXCEEDED")
    assert outcomes.count("QUOTA_EXCEEDED") == 10
    year = serials[0].split("-")[1]
    assert serials == [f"ADV-{year}-{n:04d}" for n in range(1, 11)]
    assert len(recorded(settings, "CertificateIssued")) == 10
