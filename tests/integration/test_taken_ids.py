"""A record created under an id that is taken: one clear conflict for every service, which
says what rule fired and nothing about whose the id is. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from services.recruitment.handlers import HANDLERS as RECRUITMENT
from shared.contracts.recruitment.commands import OpenCampaign
from shared.contracts.recruitment.errors import DuplicateRegistrationError
from shared.domain import AlreadyExistsError, CommandContext
from shared.eventstore.database import create_database_engine
from shared.eventstore.tables import events
from shared.eventstore.uow import UnitOfWork
from shared.migrations import upgrade_to_head
from tests.factories import (
    make_application,
    make_campaign_plan,
    make_resident_id,
    recruitment_keepers,
)
from tests.placement_factories import PlacementDesk, host_unit_actor, make_posting

IN_WINDOW = datetime(2023, 6, 1, tzinfo=UTC)


class RecruitmentDesk:
    def __init__(self, url: str) -> None:
        upgrade_to_head(url, "services.recruitment.migrations")
        self.engine = create_database_engine(url, green=True)

    def run(self, command: Any, actor: str = "operator:op-1") -> Any:
        def unit_of_work(context: CommandContext) -> UnitOfWork:
            return UnitOfWork(
                sessionmaker(self.engine),
                "recruitment",
                context,
                keepers=recruitment_keepers(),
                clock=lambda: IN_WINDOW,
            )

        parsed = type(command).parse(command.arguments())
        return RECRUITMENT.run(parsed, unit_of_work, CommandContext(actor, "corr-test"))

    def count(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(sa.select(sa.func.count()).select_from(events)).scalar())


@pytest.fixture
def recruitment(database_url):
    desk = RecruitmentDesk(database_url)
    yield desk
    desk.engine.dispose()


@pytest.fixture
def placement(database_url):
    upgrade_to_head(database_url, "services.placement.migrations")
    engine = create_database_engine(database_url, green=True)
    yield PlacementDesk(engine)
    engine.dispose()


def test_a_campaign_created_twice_under_one_id_is_already_exists_not_a_retry(recruitment):
    plan = make_campaign_plan()
    recruitment.run(plan)
    written = recruitment.count()
    with pytest.raises(AlreadyExistsError) as refused:
        recruitment.run(make_campaign_plan(campaign_id=plan.campaign_id, name="Another"))
    assert refused.value.code == "ALREADY_EXISTS"
    assert refused.value.details == {"field": "campaign_id"}
    assert recruitment.count() == written


def test_a_registered_student_id_registering_again_with_a_new_id_number_is_told_the_id_is_taken(
    recruitment,
):
    plan = make_campaign_plan()
    recruitment.run(plan)
    recruitment.run(OpenCampaign(campaign_id=plan.campaign_id))
    first = make_application(campaign_id=plan.campaign_id, id_number=make_resident_id(1))
    recruitment.run(first)
    again = make_application(
        campaign_id=plan.campaign_id, student_id=first.student_id, id_number=make_resident_id(2)
    )
    with pytest.raises(AlreadyExistsError) as refused:
        recruitment.run(again)
    assert refused.value.details == {"field": "student_id"}
    assert "ID number" not in refused.value.message


def test_a_second_student_with_a_registered_id_number_is_told_the_number_is_registered(
    recruitment,
):
    plan = make_campaign_plan()
    recruitment.run(plan)
    recruitment.run(OpenCampaign(campaign_id=plan.campaign_id))
    recruitment.run(make_application(campaign_id=plan.campaign_id, id_number=make_resident_id(3)))
    with pytest.raises(DuplicateRegistrationError):
        recruitment.run(
            make_application(campaign_id=plan.campaign_id, id_number=make_resident_id(3))
        )


def test_posting_under_another_units_position_id_answers_like_any_taken_id(placement):
    mine, theirs = placement.host_unit(), placement.host_unit()
    their_position = placement.position(theirs)
    posting = make_posting(mine, placement.campaign_id, position_id=their_position)
    with pytest.raises(AlreadyExistsError) as refused:
        placement.run(posting, host_unit_actor(mine))
    assert refused.value.details == {"field": "position_id"}
    assert theirs not in str(refused.value.message) + str(refused.value.details)
