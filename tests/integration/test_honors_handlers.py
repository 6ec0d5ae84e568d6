"""Honours' handlers on the real event store, its migrations and its indexes, SQLite and
PostgreSQL: grants and appointments at once take gapless numbers and keep the quota exact."""

from __future__ import annotations

import eventlet
import pytest
import sqlalchemy as sa

from services.honors.adapters.tables import certificate_index, letter_index
from shared.domain import DomainError
from shared.eventstore.database import create_database_engine
from shared.eventstore.tables import events, outbox
from shared.migrations import upgrade_to_head
from tests.honors_factories import HonorsDesk, new_id

CONCURRENT = 20


@pytest.fixture
def desk(database_url):
    upgrade_to_head(database_url, "services.honors.migrations")
    engine = create_database_engine(database_url, green=True)
    yield HonorsDesk(engine)
    engine.dispose()


def rows(desk: HonorsDesk, table: sa.Table) -> list[tuple[object, ...]]:
    with desk.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.select(table))]


def at_once(calls) -> list[str]:
    """Run the calls concurrently; each one's outcome: "done" or its refusal's code."""

    def attempt(call) -> str:
        try:
            call()
        except DomainError as refused:
            return refused.code
        return "done"

    pool = eventlet.GreenPool(CONCURRENT)
    return list(pool.imap(attempt, calls))


def test_an_award_from_nomination_to_revocation_waits_in_the_outbox(desk):
    serial = desk.award()["serial"]
    desk.revoke(serial)
    with desk.engine.connect() as connection:
        pending = connection.execute(
            sa.select(events.c.event_type)
            .join(outbox, outbox.c.seq == events.c.seq)
            .order_by(events.c.seq)
        ).scalars()
        assert list(pending) == [
            "PracticeNoted",
            "PracticeCompleted",
            "PracticeEvaluated",
            "AwardNominated",
            "AwardGranted",
            "CertificateIssued",
            "CertificateRevoked",
        ]
    [row] = rows(desk, certificate_index)
    assert (row[0], row[-1]) == (serial, True)


def test_twenty_grants_at_once_take_serials_one_to_twenty_without_a_gap(desk):
    desk.define_title("ADV", quota=CONCURRENT)
    awards = [desk.nominate(desk.practice())["award_id"] for _ in range(CONCURRENT)]
    outcomes = at_once([lambda a=award: desk.grant(a) for award in awards])
    assert outcomes == ["done"] * CONCURRENT
    numbers = sorted(event["number"] for event in desk.payloads("CertificateIssued"))
    assert numbers == list(range(1, CONCURRENT + 1))
    serials = sorted(row[0] for row in rows(desk, certificate_index))
    assert serials == [f"ADV-2023-{n:04d}" for n in range(1, CONCURRENT + 1)]


def test_twenty_grants_at_once_for_ten_places_give_ten_certificates_and_ten_quota_refusals(desk):
    awards = [desk.nominate(desk.practice())["award_id"] for _ in range(CONCURRENT)]
    outcomes = at_once([lambda a=award: desk.grant(a) for award in awards])
    assert sorted(set(outcomes)) == ["QUOTA_EXCEEDED", "done"]
    assert (outcomes.count("done"), outcomes.count("QUOTA_EXCEEDED")) == (10, 10)
    numbers = sorted(event["number"] for event in desk.payloads("CertificateIssued"))
    assert numbers == list(range(1, 11))


def test_appointments_at_once_take_gapless_letters_and_one_per_student_and_committee(desk):
    twice = new_id()
    students = [twice, twice, *(new_id() for _ in range(CONCURRENT - 2))]
    outcomes = at_once([lambda s=student: desk.appoint(s) for student in students])
    assert sorted(outcomes).count("APPOINTMENT_CONFLICT") == 1
    assert outcomes.count("done") == CONCURRENT - 1
    numbers = sorted(row[5] for row in rows(desk, letter_index))
    assert numbers == list(range(1, CONCURRENT))
