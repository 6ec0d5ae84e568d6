"""A cached stream's read of newer events is skipped only when no one can have appended to it
since this connection read it whole (SQLite's data version, and this process's own appends):
a change from another connection or another cache is still seen."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from services.recruitment.handlers import HANDLERS
from shared.contracts.recruitment.commands import CloseCampaign, OpenCampaign
from shared.contracts.recruitment.errors import RegistrationClosedError
from shared.domain import CommandContext
from shared.eventstore.database import create_database_engine
from shared.eventstore.stream_cache import StreamCache
from shared.eventstore.uow import UnitOfWork
from shared.migrations import upgrade_to_head
from tests.factories import make_application, make_campaign_plan, make_resident_id
from tests.factories import recruitment_keepers as keepers_with_key
from tests.integration.test_taken_ids import IN_WINDOW

KEEPERS = keepers_with_key()


class Process:
    """What one service process has: an engine (its connections) and a stream cache."""

    def __init__(self, url: str) -> None:
        self.engine = create_database_engine(url)
        self.cache = StreamCache()
        self.reads: list[str] = []

        @sa.event.listens_for(self.engine, "before_cursor_execute")
        def _count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if statement.lstrip().upper().startswith("SELECT") and "FROM events" in statement:
                self.reads.append(statement)

    def run(self, command: Any, cache: StreamCache | None = None) -> Any:
        def unit_of_work(context: CommandContext) -> UnitOfWork:
            return UnitOfWork(
                sessionmaker(self.engine),
                "recruitment",
                context,
                keepers=KEEPERS,
                clock=lambda: IN_WINDOW,
                stream_cache=cache or self.cache,
            )

        return HANDLERS.run(command, unit_of_work, CommandContext("operator:op-1", "c"))


@pytest.fixture
def url(sqlite_url):
    upgrade_to_head(sqlite_url, "services.recruitment.migrations")
    return sqlite_url


def opened_campaign(process: Process) -> str:
    plan = make_campaign_plan()
    process.run(plan)
    process.run(OpenCampaign(campaign_id=plan.campaign_id))
    return plan.campaign_id


def test_a_registration_after_the_first_does_not_read_its_cached_campaign_again(url):
    here = Process(url)
    campaign_id = opened_campaign(here)
    here.run(make_application(campaign_id=campaign_id, id_number=make_resident_id(1)))
    here.reads.clear()
    here.run(make_application(campaign_id=campaign_id, id_number=make_resident_id(2)))
    assert here.reads == []


def test_a_close_committed_by_another_process_is_seen_by_the_next_registration(url):
    here, elsewhere = Process(url), Process(url)
    campaign_id = opened_campaign(here)
    here.run(make_application(campaign_id=campaign_id, id_number=make_resident_id(3)))
    elsewhere.run(CloseCampaign(campaign_id=campaign_id))
    with pytest.raises(RegistrationClosedError):
        here.run(make_application(campaign_id=campaign_id, id_number=make_resident_id(4)))


def test_a_close_through_another_cache_on_the_same_connection_is_seen(url):
    here = Process(url)
    campaign_id = opened_campaign(here)
    here.run(make_application(campaign_id=campaign_id, id_number=make_resident_id(5)))
    here.run(CloseCampaign(campaign_id=campaign_id), cache=StreamCache())
    with pytest.raises(RegistrationClosedError):
        here.run(make_application(campaign_id=campaign_id, id_number=make_resident_id(6)))


def test_a_registration_after_an_unrelated_write_elsewhere_reads_its_campaign_again(url):
    here, elsewhere = Process(url), Process(url)
    campaign_id = opened_campaign(here)
    here.run(make_application(campaign_id=campaign_id, id_number=make_resident_id(7)))
    opened_campaign(elsewhere)
    here.reads.clear()
    here.run(make_application(campaign_id=campaign_id, id_number=make_resident_id(8)))
    assert any("stream_version >" in statement for statement in here.reads)
