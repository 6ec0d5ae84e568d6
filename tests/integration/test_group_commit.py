"""Group commit: registrations that arrive together commit in one transaction, and each still
hears its own result or its own refusal. SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from services.recruitment.adapters.tables import registrations
from services.recruitment.domain.campaign import Campaign
from services.recruitment.handlers import HANDLERS as RECRUITMENT
from shared.contracts.recruitment.commands import CloseCampaign, OpenCampaign
from shared.contracts.recruitment.errors import (
    CampaignNotFoundError,
    DuplicateRegistrationError,
)
from shared.domain import AlreadyExistsError, CommandContext
from shared.eventstore.database import create_database_engine
from shared.eventstore.stream_cache import StreamCache
from shared.eventstore.tables import events, outbox
from shared.eventstore.uow import UnitOfWork
from shared.kit.group_commit import Job
from shared.migrations import upgrade_to_head
from tests.factories import make_application, make_campaign_plan, make_resident_id
from tests.factories import recruitment_keepers as keepers_with_key
from tests.integration.test_taken_ids import IN_WINDOW

KEEPERS = keepers_with_key()
HANDLERS = RECRUITMENT.with_group_commit()


class Desk:
    """Recruitment's handlers on one database, with one stream cache (as a service has)."""

    def __init__(self, url: str) -> None:
        upgrade_to_head(url, "services.recruitment.migrations")
        self.engine = create_database_engine(url, green=True)
        self.sessions = sessionmaker(self.engine)
        self.cache = StreamCache()
        self.relay_told = 0

    def unit_of_work(self, context: CommandContext) -> UnitOfWork:
        return UnitOfWork(
            self.sessions,
            "recruitment",
            context,
            keepers=KEEPERS,
            clock=lambda: IN_WINDOW,
            stream_cache=self.cache,
            on_commit=self.tell_relay,
        )

    def tell_relay(self) -> None:
        self.relay_told += 1

    def job(self, command: Any, actor: str = "operator:op-1") -> Job:
        return Job(command, self.unit_of_work, CommandContext(actor, f"corr-{id(command)}"))

    def run(self, command: Any) -> Any:
        return HANDLERS.run(command, self.unit_of_work, CommandContext("operator:op-1", "c"))

    def together(self, *jobs: Job) -> list[Job]:
        HANDLERS.run_together(list(jobs))
        return list(jobs)

    def count(self, table: sa.Table) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar())


@pytest.fixture
def desk(database_url):
    made = Desk(database_url)
    yield made
    made.engine.dispose()


def open_campaign(desk: Desk) -> str:
    plan = make_campaign_plan()
    desk.run(plan)
    desk.run(OpenCampaign(campaign_id=plan.campaign_id))
    return plan.campaign_id


def test_a_group_commits_every_registration_with_its_outbox_marks_and_index_rows(desk):
    campaign_id = open_campaign(desk)
    before, told = desk.count(events), desk.relay_told
    applications = [
        make_application(campaign_id=campaign_id, id_number=make_resident_id(seed))
        for seed in range(5)
    ]
    jobs = desk.together(*(desk.job(application) for application in applications))
    assert [job.outcome()["student_id"] for job in jobs] == [a.student_id for a in applications]
    assert desk.count(events) - before == 5
    assert desk.count(outbox) == desk.count(events)
    assert desk.count(registrations) == 5
    assert desk.relay_told == told + 1


def test_two_registrations_of_one_id_number_in_one_group_one_wins_one_hears_duplicate(desk):
    campaign_id = open_campaign(desk)
    first, second = (
        make_application(campaign_id=campaign_id, id_number=make_resident_id(7)) for _ in range(2)
    )
    winner, loser = desk.together(desk.job(first), desk.job(second))
    assert winner.outcome()["student_id"] == first.student_id
    with pytest.raises(DuplicateRegistrationError):
        loser.outcome()
    assert desk.count(registrations) == 1
    with desk.engine.connect() as connection:
        streams = connection.execute(
            sa.select(events.c.stream_id).where(events.c.event_type == "StudentRegistered")
        ).scalars()
        assert list(streams) == [f"student-{first.student_id}"]


def test_a_refused_command_in_a_group_neither_fails_nor_undoes_the_others(desk):
    campaign_id = open_campaign(desk)
    before = desk.count(events)
    ok_1 = make_application(campaign_id=campaign_id, id_number=make_resident_id(21))
    lost = make_application(id_number=make_resident_id(22))  # a campaign nobody created
    ok_2 = make_application(campaign_id=campaign_id, id_number=make_resident_id(23))
    first, refused, third = desk.together(desk.job(ok_1), desk.job(lost), desk.job(ok_2))
    assert first.outcome()["status"] == third.outcome()["status"] == "registered"
    with pytest.raises(CampaignNotFoundError):
        refused.outcome()
    assert desk.count(events) - before == 2
    assert desk.count(registrations) == 2


def test_a_registration_after_a_close_in_the_same_group_is_refused(desk):
    campaign_id = open_campaign(desk)
    early = make_application(campaign_id=campaign_id, id_number=make_resident_id(31))
    late = make_application(campaign_id=campaign_id, id_number=make_resident_id(32))
    closing = CloseCampaign(campaign_id=campaign_id)
    jobs = desk.together(desk.job(early), desk.job(closing), desk.job(late))
    assert [job.error is None for job in jobs] == [True, True, False]
    assert type(jobs[2].error).__name__ == "RegistrationClosedError"
    # The cache learnt nothing uncommitted, and nothing stale: a later registration is refused.
    with pytest.raises(type(jobs[2].error)):
        desk.run(make_application(campaign_id=campaign_id, id_number=make_resident_id(33)))


def test_one_create_twice_in_a_group_answers_its_first_result_and_another_caller_hears_taken(
    desk,
):
    campaign_id = open_campaign(desk)
    application = make_application(campaign_id=campaign_id, id_number=make_resident_id(41))
    first, again, stranger = desk.together(
        desk.job(application),
        desk.job(application),
        desk.job(application, actor="operator:op-2"),
    )
    assert again.outcome() == first.outcome()
    with pytest.raises(AlreadyExistsError):
        stranger.outcome()
    assert desk.count(registrations) == 1


def test_registrations_from_many_threads_each_commit_once(desk):
    campaign_id = open_campaign(desk)
    before = desk.count(events)
    answers: list[Any] = []

    def register(seed: int) -> None:
        application = make_application(campaign_id=campaign_id, id_number=make_resident_id(seed))
        answers.append(desk.run(application)["student_id"])

    threads = [threading.Thread(target=register, args=(100 + n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(answers)) == 12
    assert desk.count(events) - before == 12
    assert desk.count(registrations) == 12


def streams_cached_after_a_group_reading(desk: Desk, campaign_id: str, *, cleared: bool) -> int:
    context = CommandContext("operator:op-1", "c")
    with desk.unit_of_work(context) as group:
        member = desk.unit_of_work(context)
        member.join(group)
        member.require(Campaign, campaign_id)
        assert desk.cache.prefix(f"campaign-{campaign_id}") == ()  # not before the commit
        if cleared:
            desk.cache.clear()  # as an erasure in the same group does
        group.commit_group([member])
    return len(desk.cache.prefix(f"campaign-{campaign_id}"))


def test_a_stream_read_in_a_group_is_cached_after_its_commit_unless_the_cache_was_cleared(desk):
    campaign_id = open_campaign(desk)
    desk.cache.clear()
    assert streams_cached_after_a_group_reading(desk, campaign_id, cleared=False) == 2
    desk.cache.clear()
    assert streams_cached_after_a_group_reading(desk, campaign_id, cleared=True) == 0
