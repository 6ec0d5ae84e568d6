"""Placement factories with overrides, and a desk that runs placement commands as someone.

Defaults follow the 2023 reference summer: positions from 10 July to 10 August, a selection
window in June, insurance for the whole summer.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from services.placement import commands
from services.placement.adapters.tables import metadata as placement_tables
from services.placement.domain.events import PLACEMENT_EVENTS
from services.placement.domain.host_unit import HostUnitProfile
from services.placement.domain.position import PositionPlan
from services.placement.domain.readiness import (
    Completion,
    Evaluation,
    Feedback,
    InsurancePolicy,
    SignedDocument,
    TrainingRecord,
)
from services.placement.handlers import HANDLERS
from shared.domain import CommandContext
from shared.eventstore.database import create_database_engine
from shared.eventstore.store import row_to_envelope
from shared.eventstore.tables import events, inbox, outbox
from shared.eventstore.uow import UnitOfWork
from shared.runtime import dispatch

OPERATOR = "operator:ops-1"
IN_SELECTION = datetime(2023, 6, 5, 9, 0, tzinfo=UTC)


def new_id() -> str:
    return str(uuid.uuid4())


def host_unit_actor(host_unit_id: str) -> str:
    return f"host_unit:{host_unit_id}"


def student_actor(student_id: str) -> str:
    return f"student:{student_id}"


def make_host_unit_profile(**overrides: Any) -> HostUnitProfile:
    values: dict[str, Any] = {
        "name": "District Civil Affairs Bureau",
        "kind": "district government bureau",
        "township": "Chengguan Town",
        "contact_person": "王芳",
        "contact_phone": "13700137000",
    }
    values.update(overrides)
    return HostUnitProfile(**values)


def make_position_plan(**overrides: Any) -> PositionPlan:
    values: dict[str, Any] = {
        "title": "Community affairs assistant",
        "duties": "Help with residents' enquiries and the summer classroom",
        "capacity": 1,
        "starts_on": date(2023, 7, 10),
        "ends_on": date(2023, 8, 10),
        "place": "Xiangyang Street community centre",
        "requirements": "",
    }
    values.update(overrides)
    return PositionPlan(**values)


def make_insurance(**overrides: Any) -> InsurancePolicy:
    values: dict[str, Any] = {
        "insurer": "PICC Zhengzhou",
        "policy_number": "PA-2023-0001",
        "insured_person": "李明",
        "covers_from": date(2023, 7, 1),
        "covers_until": date(2023, 8, 31),
    }
    values.update(overrides)
    return InsurancePolicy(**values)


def make_training(**overrides: Any) -> TrainingRecord:
    values: dict[str, Any] = {"session": "Pre-job training, July", "attended_on": date(2023, 7, 8)}
    values.update(overrides)
    return TrainingRecord(**values)


def make_document(document_kind: str, **overrides: Any) -> SignedDocument:
    values: dict[str, Any] = {
        "document_kind": document_kind,
        "version": "2023.1",
        "content_hash": "sha256:" + "ab" * 32,
    }
    values.update(overrides)
    return SignedDocument(**values)


def make_completion(**overrides: Any) -> Completion:
    values: dict[str, Any] = {"days_served": 22, "hours_served": 176}
    values.update(overrides)
    return Completion(**values)


def make_evaluation(**overrides: Any) -> Evaluation:
    values: dict[str, Any] = {"score": 92, "comment": "Reliable and kind with residents"}
    values.update(overrides)
    return Evaluation(**values)


def make_feedback(**overrides: Any) -> Feedback:
    values: dict[str, Any] = {"rating": 5, "suggestions": "More time in the classroom"}
    values.update(overrides)
    return Feedback(**values)


def in_memory_engine() -> Engine:
    """Placement's tables in an in-memory SQLite database: the handlers' own indexes, no server."""
    engine = create_database_engine("sqlite://")
    with engine.begin() as connection:
        for table in (events, outbox, inbox):
            table.create(connection)
        placement_tables.create_all(connection)
    return engine


class PlacementDesk:
    """Runs placement commands through the handlers, as an operator unless told otherwise."""

    def __init__(self, engine: Engine, now: datetime = IN_SELECTION) -> None:
        self.engine = engine
        self.now = now
        self.campaign_id = new_id()

    def run(self, command: Any, actor: str = OPERATOR) -> dict[str, Any]:
        def unit_of_work(context: CommandContext) -> UnitOfWork:
            return UnitOfWork(
                sessionmaker(self.engine),
                "placement",
                PLACEMENT_EVENTS,
                context,
                clock=lambda: self.now,
            )

        return dispatch(HANDLERS, command, unit_of_work, CommandContext(actor, "corr-test"))

    def events(self, event_type: str | None = None) -> list[Any]:
        query = sa.select(events).order_by(events.c.seq)
        if event_type is not None:
            query = query.where(events.c.event_type == event_type)
        with self.engine.connect() as connection:
            return [row_to_envelope(row) for row in connection.execute(query)]

    # -- a season, step by step ----------------------------------------------------------
    def host_unit(self, **overrides: Any) -> str:
        host_unit_id = new_id()
        self.run(commands.RegisterHostUnit(host_unit_id, make_host_unit_profile(**overrides)))
        return host_unit_id

    def position(self, host_unit_id: str, **overrides: Any) -> str:
        position_id = new_id()
        plan = make_position_plan(**overrides)
        command = commands.PostPosition(position_id, host_unit_id, self.campaign_id, plan)
        self.run(command, host_unit_actor(host_unit_id))
        return position_id

    def admit(self, student_id: str | None = None) -> str:
        student_id = student_id or new_id()
        self.run(commands.AdmitCandidate(student_id, self.campaign_id, new_id()), "event:test")
        return student_id

    def withdraw(self, student_id: str, reason: str = "summer job elsewhere") -> None:
        command = commands.WithdrawCandidate(student_id, self.campaign_id, reason, new_id())
        self.run(command, "event:test")

    def open_selection(self, max_choices: int = 5) -> None:
        self.run(
            commands.OpenSelection(
                self.campaign_id,
                datetime(2023, 6, 1, tzinfo=UTC),
                datetime(2023, 6, 15, tzinfo=UTC),
                max_choices,
            )
        )

    def rank(self, student_id: str, *position_ids: str) -> dict[str, Any]:
        command = commands.SubmitRanking(self.campaign_id, student_id, position_ids)
        return self.run(command, student_actor(student_id))

    def rank_applicants(
        self,
        host_unit_id: str,
        position_id: str,
        *student_ids: str,
        unacceptable: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        command = commands.RankApplicants(position_id, student_ids, unacceptable)
        return self.run(command, host_unit_actor(host_unit_id))

    def propose(self) -> dict[str, Any]:
        return self.run(commands.ProposeMatching(new_id(), self.campaign_id))

    def publish(self, round_id: str) -> dict[str, Any]:
        return self.run(commands.PublishMatching(round_id))

    def match(self) -> dict[str, str]:
        """Propose and publish a round; student id -> placement id of each offer."""
        offers = self.publish(self.propose()["round_id"])["offers"]
        return {offer["student_id"]: offer["placement_id"] for offer in offers}

    def agree(self, placement_id: str, student_id: str, host_unit_id: str) -> dict[str, Any]:
        self.run(commands.ConfirmOffer(placement_id), student_actor(student_id))
        return self.run(commands.ConfirmOffer(placement_id), host_unit_actor(host_unit_id))

    def place_directly(self, student_id: str, position_id: str) -> dict[str, Any]:
        command = commands.PlaceDirectly(new_id(), student_id, position_id, "late approval")
        return self.run(command)

    def make_ready(self, placement_id: str, student_id: str, host_unit_id: str) -> None:
        host, student = host_unit_actor(host_unit_id), student_actor(student_id)
        self.run(commands.RecordInsurance(placement_id, make_insurance()), host)
        self.run(commands.RecordTraining(placement_id, make_training()), host)
        for kind in ("practice_notice", "confidentiality_commitment"):
            self.run(commands.SignDocument(placement_id, make_document(kind)), student)
