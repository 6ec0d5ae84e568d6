"""Group commit of consumed events: the commands of events that arrive together commit in one
transaction, each with its inbox claim, and an event consumed before (in an earlier
transaction or earlier in the same group) changes nothing. SQLite and PostgreSQL (a service
groups on SQLite only, ``CommandHandlers.for_database``; the mechanism holds on both).

Recruitment's table stands in for a consumer's (the grouping is the kit's, whatever the
command); placement's, volunteering's and honours' tables have it switched on."""

from __future__ import annotations

import uuid
from typing import Any

import eventlet
import pytest
import sqlalchemy as sa

from services.honors.handlers import HANDLERS as HONORS
from services.placement.handlers import HANDLERS as PLACEMENT
from services.recruitment.handlers import HANDLERS as RECRUITMENT
from services.volunteering.handlers import HANDLERS as VOLUNTEERING
from shared.contracts.recruitment.errors import CampaignNotFoundError
from shared.domain import CommandContext
from shared.eventstore.tables import events, inbox
from shared.kit.group_commit import GroupCommit, Job
from shared.kit.handlers import CommandHandlers, InboxClaim
from tests.factories import make_application, make_resident_id
from tests.integration.test_group_commit import Desk, open_campaign

HANDLERS = RECRUITMENT.with_grouped_events()
CONSUMER = "tally.on_student_screened"


@pytest.fixture
def desk(database_url):
    made = Desk(database_url)
    yield made
    made.engine.dispose()


def event_job(desk: Desk, command: Any, event_id: str) -> Job:
    context = CommandContext("event:recruitment", f"corr-{event_id}", causation_id=event_id)
    return Job(command, desk.unit_of_work, context, InboxClaim(CONSUMER, event_id))


def together(*jobs: Job) -> list[Job]:
    HANDLERS.run_together(list(jobs))
    return list(jobs)


def claimed(desk: Desk) -> list[str]:
    with desk.engine.connect() as connection:
        rows = connection.execute(sa.select(inbox.c.event_id).where(inbox.c.consumer == CONSUMER))
        return sorted(rows.scalars())


def commits_counted(engine: sa.Engine) -> list[int]:
    counted = [0]

    @sa.event.listens_for(engine, "commit")
    def count(_connection: Any) -> None:
        counted[0] += 1

    return counted


def registration(campaign_id: str, seed: int) -> Any:
    return make_application(campaign_id=campaign_id, id_number=make_resident_id(seed))


def test_events_of_a_group_commit_in_one_transaction_each_with_its_claim(desk):
    campaign_id = open_campaign(desk)
    before = desk.count(events)
    ids = [str(uuid.uuid4()) for _ in range(4)]
    commits = commits_counted(desk.engine)
    jobs = together(
        *(event_job(desk, registration(campaign_id, 300 + n), i) for n, i in enumerate(ids))
    )
    assert all(job.outcome()["status"] == "registered" for job in jobs)
    assert commits == [1]
    assert claimed(desk) == sorted(ids)
    assert desk.count(events) - before == 4


def test_an_event_twice_in_one_group_and_one_consumed_before_change_nothing_more(desk):
    campaign_id = open_campaign(desk)
    earlier, twice = str(uuid.uuid4()), str(uuid.uuid4())
    assert desk.count(inbox) == 0
    together(
        event_job(desk, registration(campaign_id, 310), earlier),
        event_job(desk, registration(campaign_id, 311), str(uuid.uuid4())),
    )
    before = desk.count(events)
    redelivered, first, again = together(
        event_job(desk, registration(campaign_id, 312), earlier),
        event_job(desk, registration(campaign_id, 313), twice),
        event_job(desk, registration(campaign_id, 313), twice),
    )
    assert redelivered.done
    assert redelivered.outcome() is None
    assert first.outcome()["status"] == "registered"
    assert again.done
    assert again.outcome() is None
    assert desk.count(events) - before == 1  # only the first delivery of ``twice``
    assert desk.count(inbox) == 3


def test_a_refused_event_in_a_group_leaves_no_claim_so_its_redelivery_runs_again(desk):
    campaign_id = open_campaign(desk)
    refused_id, kept_id = str(uuid.uuid4()), str(uuid.uuid4())
    lost = make_application(id_number=make_resident_id(320))  # a campaign nobody created
    refused, kept = together(
        event_job(desk, lost, refused_id),
        event_job(desk, registration(campaign_id, 321), kept_id),
    )
    with pytest.raises(CampaignNotFoundError):
        refused.outcome()
    assert kept.outcome()["status"] == "registered"
    assert claimed(desk) == [kept_id]


def test_an_event_decided_again_alone_after_a_conflict_keeps_its_claim(desk):
    campaign_id = open_campaign(desk)
    event_id = str(uuid.uuid4())
    application = registration(campaign_id, 330)
    # The same student id from the stand-in's own caller first: the event's command meets
    # the taken stream in the group, is decided again alone, and hears the id is taken.
    first = Job(application, desk.unit_of_work, CommandContext("operator:op-1", "c"))
    taken, clash = together(first, event_job(desk, application, event_id))
    assert taken.outcome()["status"] == "registered"
    assert clash.error is not None
    assert claimed(desk) == []  # refused alone: its transaction, claim and all, rolled back


def test_green_threads_consuming_together_share_transactions_and_each_event_counts_once(desk):
    campaign_id = open_campaign(desk)
    before = desk.count(events)
    commits = commits_counted(desk.engine)
    ids = [str(uuid.uuid4()) for _ in range(8)]

    def consume(n: int, event_id: str) -> Any:
        job = event_job(desk, registration(campaign_id, 340 + n), event_id)
        return HANDLERS.run(job.command, desk.unit_of_work, job.context, job.claim)

    pool = eventlet.GreenPool()
    answers = list(pool.starmap(consume, [*enumerate(ids), (0, ids[0])]))
    assert sum(answer is None for answer in answers) == 1  # the redelivered one
    assert desk.count(events) - before == 8
    assert claimed(desk) == sorted(ids)
    assert 1 <= commits[0] < 8


@pytest.mark.parametrize(
    ("table", "routes"),
    [
        (PLACEMENT, ["group", "alone"]),
        (VOLUNTEERING, ["group", "alone"]),
        (HONORS, ["group", "alone"]),
        (RECRUITMENT, ["alone", "group"]),  # recruitment groups its callers' commands
        (RECRUITMENT.for_database("postgresql"), ["alone", "alone"]),
        (PLACEMENT.for_database("sqlite"), ["group", "alone"]),
        (PLACEMENT.for_database("postgresql"), ["alone", "alone"]),  # its workers overlap
    ],
)
def test_the_services_group_consumed_events_and_run_rpc_commands_alone(monkeypatch, table, routes):
    went: list[str] = []
    monkeypatch.setattr(GroupCommit, "run", lambda _group, _job: went.append("group"))
    monkeypatch.setattr(CommandHandlers, "_run_alone", lambda _table, *_args: went.append("alone"))
    command = object()  # which way a command goes depends only on its claim
    context = CommandContext("event:recruitment", "c", causation_id="e-1")
    table.run(command, Desk.unit_of_work, context, InboxClaim(CONSUMER, "e-1"))
    table.run(command, Desk.unit_of_work, context)
    assert went == routes
