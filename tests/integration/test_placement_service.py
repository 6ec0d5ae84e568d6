"""The placement service over real RabbitMQ: recruitment's events, redelivered and reordered,
and its RPC surface with the callers' object-level rights."""

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

from services.placement.service import PlacementService
from services.recruitment.service import RecruitmentService
from shared.config import Settings, load_settings
from shared.events.envelope import Envelope
from shared.eventstore.database import create_database_engine
from shared.eventstore.tables import events
from shared.migrations import upgrade_to_head
from shared.process import nameko_config
from shared.rpc import CommandRejected
from tests.factories import make_recruitment_event, make_resident_id
from tests.support.broker import default_keys_dir, publish_events

OPERATOR = {"actor": "operator:ops-1", "correlation_id": "corr-placement"}


def as_actor(role: str, subject: str) -> dict[str, str]:
    return {"actor": f"{role}:{subject}", "correlation_id": "corr-placement"}


@pytest.fixture
def settings(tmp_path: Path, amqp_uri: str) -> Settings:
    settings = load_settings(
        environ={},
        overrides={
            "amqp_uri": amqp_uri,
            "data_dir": str(tmp_path / "var"),
            # where tests.support.broker signs as the producers do
            "keys_dir": str(default_keys_dir()),
        },
    )
    upgrade_to_head(settings.database_url("placement"), "services.placement.migrations")
    return settings


@pytest.fixture
def placement(settings, container_factory, rabbit_config) -> Iterator[Any]:
    """The running placement service, reached over RPC."""
    container_factory(PlacementService, nameko_config(settings, "placement")).start()
    with ClusterRpcProxy(rabbit_config) as cluster:
        yield cluster.placement


def recorded(settings: Settings, event_type: str) -> list[dict[str, Any]]:
    engine = create_database_engine(settings.database_url("placement"), reader=True)
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


def wait_for(condition: Callable[[], Any], timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)
    return result


def publish(amqp_uri: str, *envelopes: Envelope) -> None:
    publish_events(amqp_uri, envelopes)


def post_position(placement: Any, campaign_id: str, capacity: int = 1) -> tuple[str, str]:
    """(host unit id, position id) of a newly registered unit and its position."""
    host_unit = placement.register_host_unit(
        OPERATOR,
        {
            "name": "Xiangyang Street Office",
            "kind": "street office",
            "township": "Xiangyang",
            "contact_person": "王芳",
            "contact_phone": "13700137000",
        },
    )
    position = placement.post_position(
        as_actor("host_unit", host_unit["host_unit_id"]),
        {
            "host_unit_id": host_unit["host_unit_id"],
            "campaign_id": campaign_id,
            "title": "Summer classroom assistant",
            "duties": "Paper-cutting and calligraphy classes",
            "capacity": capacity,
            "starts_on": "2023-07-10",
            "ends_on": "2023-08-10",
            "place": "Community centre",
            "requirements": "",
        },
    )
    return host_unit["host_unit_id"], position["position_id"]


def place(placement: Any, student_id: str, position_id: str) -> dict[str, Any]:
    return placement.place_directly(
        OPERATOR, {"student_id": student_id, "position_id": position_id, "reason": "late"}
    )


def handled(logs: list[dict[str, Any]]) -> int:
    return [line["event"] for line in logs].count("command.handled")


def already_consumed(logs: list[dict[str, Any]]) -> int:
    """Deliveries the kit's inbox recognised as seen before (and did nothing about)."""
    return [line["event"] for line in logs].count("event.already_consumed")


def admit(settings: Settings, amqp_uri: str, campaign_id: str, *student_ids: str) -> None:
    """Approve the students in recruitment's name, all at once, as a burst of events."""
    already = len(recorded(settings, "CandidateAdmitted"))
    for student_id in student_ids:
        publish(
            amqp_uri,
            make_recruitment_event("StudentScreened", student_id, campaign_id, decision="approved"),
        )
    wait_for(lambda: len(recorded(settings, "CandidateAdmitted")) >= already + len(student_ids))


def refusal(call: Callable[..., Any], *args: Any) -> str:
    with pytest.raises(CommandRejected) as refused:
        call(*args)
    return str(refused.value.code)


def test_students_approved_by_the_real_recruitment_service_become_eligible(
    settings, placement, container_factory, rabbit_config
):
    upgrade_to_head(settings.database_url("recruitment"), "services.recruitment.migrations")
    container_factory(RecruitmentService, nameko_config(settings, "recruitment")).start()
    now = datetime.now(UTC)
    with ClusterRpcProxy(rabbit_config) as cluster:
        recruitment = cluster.recruitment
        campaign = recruitment.create_campaign(
            OPERATOR,
            {
                "name": "Gravity Plan 2023",
                "year": 2023,
                "season": "summer",
                "registration_opens_at": (now - timedelta(days=1)).isoformat(),
                "registration_closes_at": (now + timedelta(days=1)).isoformat(),
                "scope": "home-district students",
                "practice_content": "host units",
            },
        )
        campaign_id = campaign["campaign_id"]
        recruitment.open_campaign(OPERATOR, {"campaign_id": campaign_id})
        students = []
        for seed, decision in ((1, "approved"), (2, "rejected")):
            student = recruitment.register_student(
                OPERATOR,
                {
                    "campaign_id": campaign_id,
                    "name": "李明",
                    "phone": "13800138000",
                    "id_number": make_resident_id(seed),
                    "university": "Zhengzhou University",
                    "major": "Law",
                    "grade": "junior",
                    "hometown": "Xiangyang",
                    "channel": "organisation",
                },
            )
            screening = {"student_id": student["student_id"], "decision": decision, "reason": "ok"}
            recruitment.screen_student(OPERATOR, screening)
            students.append(student["student_id"])
    approved, rejected = students
    wait_for(lambda: recorded(settings, "CandidateAdmitted"))
    _host, position = post_position(placement, campaign_id)
    assert refusal(place, placement, rejected, position) == "CANDIDATE_NOT_ELIGIBLE"
    assert place(placement, approved, position)["status"] == "agreed"
    assert recorded(settings, "CandidateAdmitted") == [
        {"student_id": approved, "campaign_id": campaign_id}
    ]


def test_a_redelivered_approval_takes_effect_once(settings, placement, amqp_uri):
    approval = make_recruitment_event(
        "StudentScreened", str(uuid.uuid4()), str(uuid.uuid4()), decision="approved"
    )
    with capture_logs() as logs:
        for delivery in range(1, 4):
            publish(amqp_uri, approval)
            wait_for(lambda n=delivery: handled(logs) + already_consumed(logs) == n)
    assert len(recorded(settings, "CandidateAdmitted")) == 1
    assert (handled(logs), already_consumed(logs)) == (1, 2)


def test_a_withdrawal_arriving_before_the_approval_wins(settings, placement, amqp_uri):
    student, campaign = str(uuid.uuid4()), str(uuid.uuid4())
    publish(amqp_uri, make_recruitment_event("StudentWithdrew", student, campaign, reason="exams"))
    wait_for(lambda: recorded(settings, "CandidateWithdrew"))
    with capture_logs() as logs:
        publish(
            amqp_uri,
            make_recruitment_event("StudentScreened", student, campaign, decision="approved"),
        )
        wait_for(lambda: any(line["event"] == "candidate.admission_ignored" for line in logs))
    assert recorded(settings, "CandidateAdmitted") == []
    _host, position = post_position(placement, campaign)
    assert refusal(place, placement, student, position) == "CANDIDATE_NOT_ELIGIBLE"


def test_a_withdrawal_ends_an_agreed_placement_and_frees_its_seat(settings, placement, amqp_uri):
    campaign = str(uuid.uuid4())
    leaving, waiting = str(uuid.uuid4()), str(uuid.uuid4())
    admit(settings, amqp_uri, campaign, leaving, waiting)
    _host, position = post_position(placement, campaign)
    agreed = place(placement, leaving, position)
    assert refusal(place, placement, waiting, position) == "SEAT_UNAVAILABLE"
    publish(amqp_uri, make_recruitment_event("StudentWithdrew", leaving, campaign, reason="ill"))
    ended = wait_for(lambda: recorded(settings, "PlacementEnded"))
    assert ended[0]["placement_id"] == agreed["placement_id"]
    assert place(placement, waiting, position)["status"] == "agreed"


def test_the_rpc_surface_answers_views_and_hides_other_callers_records(placement):
    campaign = str(uuid.uuid4())
    host, position = post_position(placement, campaign, capacity=2)
    intruder = as_actor("host_unit", str(uuid.uuid4()))
    closing = {"position_id": position, "reason": "filled"}
    assert refusal(placement.close_position, intruder, closing) == "NOT_FOUND"
    closed = placement.close_position(as_actor("host_unit", host), closing)
    assert (closed["position_id"], closed["status"], closed["starts_on"]) == (
        position,
        "closed",
        "2023-07-10",
    )
    opening = {
        "campaign_id": campaign,
        "opens_at": "2023-06-01T00:00:00Z",
        "closes_at": "2023-06-15T00:00:00Z",
    }
    assert placement.open_selection(OPERATOR, opening) == {
        "campaign_id": campaign,
        "opens_at": "2023-06-01T00:00:00.000000Z",
        "closes_at": "2023-06-15T00:00:00.000000Z",
        "max_choices": 5,
    }
    student = as_actor("student", str(uuid.uuid4()))
    assert refusal(placement.open_selection, student, {"campaign_id": campaign}) == (
        "VALIDATION_FAILED"
    )
    proposal = {"campaign_id": campaign}
    assert refusal(placement.propose_matching, student, proposal) == "NOT_FOUND"
    confirmation = {"placement_id": str(uuid.uuid4())}
    assert refusal(placement.confirm_offer, student, confirmation) == "NOT_FOUND"


def test_a_direct_call_with_a_bad_argument_is_refused_with_a_map_of_its_fields(placement):
    with pytest.raises(CommandRejected) as refused:
        placement.post_position(
            OPERATOR,
            {
                "host_unit_id": "not-a-uuid",
                "campaign_id": str(uuid.uuid4()),
                "title": "Summer classroom assistant",
                "duties": "Calligraphy classes",
                "capacity": "2",
                "starts_on": "2023-07-10",
                "ends_on": "2023-08-10",
                "place": "Community centre",
                "salary": 100,
            },
        )
    assert (refused.value.code, refused.value.kind) == ("VALIDATION_FAILED", "invalid")
    assert set(refused.value.details["fields"]) == {"host_unit_id", "capacity", "salary"}
    # Admissions come from recruitment's events only: no RPC method takes them.
    with pytest.raises(MethodNotFound):
        placement.admit_candidate(OPERATOR, {"student_id": str(uuid.uuid4())})


def test_a_direct_placement_keeps_its_reason(settings, placement, amqp_uri):
    campaign, student = str(uuid.uuid4()), str(uuid.uuid4())
    admit(settings, amqp_uri, campaign, student)
    _host, position = post_position(placement, campaign)
    placed = place(placement, student, position)
    assert (placed["direct"], placed["direct_reason"]) == (True, "late")
    assert recorded(settings, "PlacementAgreed")[0]["reason"] == "late"
