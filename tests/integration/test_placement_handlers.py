"""Placement's handlers on the real event store and its migrations, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from structlog.testing import capture_logs

from services.placement.adapters import indexes
from services.placement.adapters.tables import placement_index
from services.placement.domain.position import Position
from shared.contracts.placement import placements
from shared.contracts.placement.errors import SeatUnavailableError
from shared.eventstore.database import create_database_engine
from shared.eventstore.tables import events, outbox
from shared.migrations import upgrade_to_head
from tests.placement_factories import (
    PlacementDesk,
    host_unit_actor,
    make_completion,
    make_evaluation,
    make_feedback,
    student_actor,
)


@pytest.fixture
def desk(database_url):
    upgrade_to_head(database_url, "services.placement.migrations")
    engine = create_database_engine(database_url, green=True)
    yield PlacementDesk(engine)
    engine.dispose()


def test_a_season_runs_from_posting_to_feedback_and_every_event_waits_in_the_outbox(desk):
    host = desk.host_unit()
    position = desk.position(host, capacity=2)
    ana, bo = desk.admit(), desk.admit()
    desk.open_selection()
    desk.rank(ana, position)
    desk.rank(bo, position)
    desk.rank_applicants(host, position, bo, ana)
    offers = desk.match()
    desk.agree(offers[ana], ana, host)
    desk.make_ready(offers[ana], ana, host)
    as_host, placement = host_unit_actor(host), offers[ana]
    start = placements.StartPlacement(placement_id=placement, started_on=date(2023, 7, 10))
    desk.now = datetime(2023, 8, 11, 9, 0, tzinfo=UTC)  # the summer has passed
    desk.run(start, as_host)
    desk.run(make_completion(placement), as_host)
    desk.run(make_evaluation(placement), as_host)
    view = desk.run(make_feedback(placement), student_actor(ana))
    assert view["status"] == "completed"
    with desk.engine.connect() as connection:
        pending = connection.execute(
            sa.select(events.c.event_type)
            .join(outbox, outbox.c.seq == events.c.seq)
            .where(events.c.stream_id == f"placement-{offers[ana]}")
            .order_by(events.c.seq)
        ).scalars()
        assert list(pending) == [
            "PlacementOffered",
            "OfferConfirmed",
            "OfferConfirmed",
            "PlacementAgreed",
            "InsurancePurchased",
            "TrainingCompleted",
            "DocumentSigned",
            "DocumentSigned",
            "PlacementStarted",
            "PlacementCompleted",
            "PlacementEvaluated",
            "FeedbackSubmitted",
        ]


def stale_once(real, stale_answer):
    """``real``, except that its first answer is the one it gave before a rival committed."""
    calls = []

    def answer(*args):
        calls.append(args)
        return stale_answer if len(calls) == 1 else real(*args)

    return answer


def test_a_seat_taken_on_stale_state_is_refused_by_the_database_and_decided_again(
    desk, monkeypatch
):
    position = desk.position(desk.host_unit())
    first, second = desk.admit(), desk.admit()
    desk.place_directly(first, position)
    # As if the second command had read the free seats before the first one committed.
    monkeypatch.setattr(Position, "first_free_seat", stale_once(Position.first_free_seat, 1))
    with capture_logs() as logs, pytest.raises(SeatUnavailableError) as refused:
        desk.place_directly(second, position)
    assert refused.value.code == "SEAT_UNAVAILABLE"
    assert [line["event"] for line in logs if line["event"].startswith("command.")] == [
        "command.conflict",
        "command.rejected",
    ]
    assert len(desk.events("PlacementAgreed")) == 1


def test_a_student_placed_twice_on_stale_state_is_refused_by_the_database(desk, monkeypatch):
    host = desk.host_unit()
    here, there = desk.position(host), desk.position(host)
    student = desk.admit()
    desk.place_directly(student, here)
    monkeypatch.setattr(indexes, "placement_held_by", stale_once(indexes.placement_held_by, None))
    with pytest.raises(SeatUnavailableError) as refused:
        desk.place_directly(student, there)
    assert refused.value.details["student_id"] == student
    with desk.engine.connect() as connection:
        holders = connection.execute(
            sa.select(placement_index.c.position_id).where(placement_index.c.holder == student)
        ).scalars()
        assert list(holders) == [here]


def test_a_withdrawal_frees_the_seat_for_the_next_student_on_a_real_store(desk):
    position = desk.position(desk.host_unit())
    leaving, next_in_line = desk.admit(), desk.admit()
    placement = desk.place_directly(leaving, position)["placement_id"]
    desk.withdraw(leaving)
    assert [e.payload["placement_id"] for e in desk.events("PlacementEnded")] == [placement]
    assert desk.place_directly(next_in_line, position)["status"] == "agreed"
