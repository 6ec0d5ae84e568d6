"""The event store and unit of work on real SQLite and PostgreSQL."""

import threading
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from services.recruitment.handlers import HANDLERS
from shared.contracts.recruitment import commands
from shared.contracts.recruitment.errors import DuplicateRegistrationError
from shared.domain import AlreadyExistsError, CommandContext, ConcurrencyConflictError
from shared.eventstore.store import EventStore
from shared.eventstore.tables import events, inbox, outbox
from shared.eventstore.uow import UnitOfWork
from shared.kit.handlers import InboxClaim
from tests.factories import (
    make_alliance_joined,
    make_application,
    make_resident_id,
    recruitment_keepers,
)
from tests.support.database import count_rows

CONTEXT = CommandContext(actor="operator:test", correlation_id="corr-test")


def make_uow(engine, clock=None, stream_cache=None):
    kwargs = {"clock": clock} if clock else {}
    return UnitOfWork(
        sessionmaker(engine),
        "recruitment",
        CONTEXT,
        keepers=recruitment_keepers(),
        stream_cache=stream_cache,
        **kwargs,
    )


def test_appends_and_loads_a_stream_in_order(recruitment_engine):
    with sessionmaker(recruitment_engine)() as session:
        store = EventStore(session)
        store.append("student-s", 0, [make_alliance_joined(1), make_alliance_joined(2)])
        session.commit()
        assert [e.stream_version for e in store.load("student-s")] == [1, 2]
    assert count_rows(recruitment_engine, outbox) == 2


def test_a_stale_expected_version_raises_and_writes_nothing(recruitment_engine):
    with sessionmaker(recruitment_engine)() as session:
        store = EventStore(session)
        store.append("student-s", 0, [make_alliance_joined(1)])
        session.commit()
        with pytest.raises(ConcurrencyConflictError) as conflict:
            store.append("student-s", 0, [make_alliance_joined(1)])
        session.rollback()
    assert conflict.value.expected == 0
    assert count_rows(recruitment_engine, events) == 1
    assert count_rows(recruitment_engine, outbox) == 1


def test_concurrent_writers_to_one_stream_never_both_win(recruitment_engine):
    outcomes = []
    barrier = threading.Barrier(2)

    def write():
        with sessionmaker(recruitment_engine)() as session:
            store = EventStore(session)
            barrier.wait()
            try:
                store.append("student-race", 0, [make_alliance_joined(1, "race")])
                session.commit()
                outcomes.append("won")
            except (ConcurrencyConflictError, sa.exc.OperationalError):
                session.rollback()
                outcomes.append("conflict")

    threads = [threading.Thread(target=write) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "won"]
    assert count_rows(recruitment_engine, events) == 1


def run(engine, command, **kwargs):
    return HANDLERS.run(command, lambda context: make_uow(engine, **kwargs), CONTEXT)


def new_campaign(campaign_id=None):
    from datetime import UTC, datetime

    return commands.CreateCampaign(
        campaign_id=campaign_id or str(uuid.uuid4()),
        name="Gravity 2023",
        year=2023,
        season="summer",
        registration_opens_at=datetime(2023, 1, 1, tzinfo=UTC),
        registration_closes_at=datetime(2099, 1, 1, tzinfo=UTC),
        scope="district",
        practice_content="practice",
    )


def open_campaign(engine):
    created = run(engine, new_campaign())
    run(engine, commands.OpenCampaign(campaign_id=created["campaign_id"]))
    return created["campaign_id"]


def registration(campaign_id, id_number):
    """As a caller sends it: parsed by its contract (which canonicalises the ID number)."""
    arguments = make_application(campaign_id=campaign_id).arguments()
    return commands.RegisterStudent.parse(arguments | {"id_number": id_number})


def test_the_same_id_number_cannot_register_twice_in_one_campaign(recruitment_engine):
    campaign_id = open_campaign(recruitment_engine)
    first = make_resident_id(7)
    while not first.endswith("X"):  # the second one is sent with a lower-case x
        first = make_resident_id(int(uuid.uuid4()) % 10_000)
    run(recruitment_engine, registration(campaign_id, first))
    with pytest.raises(DuplicateRegistrationError):
        run(recruitment_engine, registration(campaign_id, first.lower()))
    assert count_rows(recruitment_engine, events) == 3


def test_a_student_id_registered_already_is_told_the_id_is_taken(recruitment_engine):
    campaign_id = open_campaign(recruitment_engine)
    first = registration(campaign_id, make_resident_id(11))
    run(recruitment_engine, first)
    again = registration(campaign_id, make_resident_id(12)).with_values(student_id=first.student_id)
    with pytest.raises(AlreadyExistsError) as refused:
        run(recruitment_engine, again)
    assert refused.value.details == {"field": "student_id"}
    assert count_rows(recruitment_engine, events) == 3


def test_a_redelivered_event_claimed_in_the_inbox_changes_nothing(recruitment_engine):
    campaign_id = open_campaign(recruitment_engine)
    student = registration(campaign_id, make_resident_id(13))
    run(recruitment_engine, student)
    claim = InboxClaim("tally.on_screened", str(uuid.uuid4()))
    screen = commands.ScreenStudent(student_id=student.student_id, decision="approved", reason="ok")
    make = lambda context: make_uow(recruitment_engine)  # noqa: E731
    assert HANDLERS.run(screen, make, CONTEXT, claim) is not None
    assert HANDLERS.run(screen, make, CONTEXT, claim) is None
    assert count_rows(recruitment_engine, inbox) == 1
    assert count_rows(recruitment_engine, events) == 4


def test_the_same_id_number_may_register_in_another_campaign(recruitment_engine):
    run(recruitment_engine, registration(open_campaign(recruitment_engine), make_resident_id(8)))
    run(recruitment_engine, registration(open_campaign(recruitment_engine), make_resident_id(8)))
    assert count_rows(recruitment_engine, events) == 6


def test_the_registration_index_holds_no_id_numbers_in_clear(recruitment_engine):
    id_number = make_resident_id(9)
    run(recruitment_engine, registration(open_campaign(recruitment_engine), id_number))
    with recruitment_engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT * FROM registrations")).all()
    assert id_number not in repr(rows)


def test_commands_commit_events_and_outbox_marks_together(recruitment_engine):
    campaign_id = open_campaign(recruitment_engine)
    with recruitment_engine.connect() as connection:
        pending = (
            connection.execute(
                sa.select(events.c.event_type)
                .join(outbox, outbox.c.seq == events.c.seq)
                .order_by(events.c.seq)
            )
            .scalars()
            .all()
        )
        stream = connection.execute(sa.select(events.c.stream_id).distinct()).scalars().all()
    assert pending == ["CampaignCreated", "CampaignOpened"]
    assert stream == [f"campaign-{campaign_id}"]


def test_a_cached_campaign_still_sees_events_another_process_appended(recruitment_engine):
    from shared.contracts.recruitment.errors import RegistrationClosedError
    from shared.eventstore.stream_cache import StreamCache

    cache_here, cache_elsewhere = StreamCache(), StreamCache()

    def run_with(cache, command):
        return run(recruitment_engine, command, stream_cache=cache)

    campaign_id = str(uuid.uuid4())
    run_with(cache_here, new_campaign(campaign_id))
    run_with(cache_here, commands.OpenCampaign(campaign_id=campaign_id))
    run_with(cache_here, registration(campaign_id, make_resident_id(21)))
    assert len(cache_here.prefix(f"campaign-{campaign_id}")) == 2

    run_with(cache_elsewhere, commands.CloseCampaign(campaign_id=campaign_id))
    with pytest.raises(RegistrationClosedError):
        run_with(cache_here, registration(campaign_id, make_resident_id(22)))


def test_a_campaign_cannot_close_between_a_registration_s_check_and_its_commit(recruitment_engine):
    from datetime import UTC, datetime

    campaign_id = open_campaign(recruitment_engine)
    checked, may_commit = threading.Event(), threading.Event()

    def clock_that_pauses_after_the_check():
        # The registration asks the clock right after it has read the campaign.
        checked.set()
        assert may_commit.wait(10)
        return datetime.now(UTC)

    registering = threading.Thread(
        target=run,
        args=(recruitment_engine, registration(campaign_id, make_resident_id(31))),
        kwargs={"clock": clock_that_pauses_after_the_check},
    )
    close = commands.CloseCampaign(campaign_id=campaign_id)
    closing = threading.Thread(target=run, args=(recruitment_engine, close))
    registering.start()
    assert checked.wait(10)
    closing.start()
    closing.join(0.5)
    close_waited = closing.is_alive()
    may_commit.set()
    registering.join(10)
    closing.join(10)

    with recruitment_engine.connect() as connection:
        order = (
            connection.execute(
                sa.select(events.c.event_type)
                .where(events.c.event_type.in_(["StudentRegistered", "CampaignClosed"]))
                .order_by(events.c.seq)
            )
            .scalars()
            .all()
        )
    assert close_waited
    assert order == ["StudentRegistered", "CampaignClosed"]
