"""Volunteering factories with overrides, and a desk that runs volunteering commands as
someone.

Defaults follow the 2023 reference summer: a paper-cutting classroom on the morning of
15 July (two hours, ten seats), the desk's clock at 1 July, before anything starts.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from services.volunteering.adapters.indexes import KEEPERS
from services.volunteering.adapters.tables import metadata as volunteering_tables
from services.volunteering.handlers import HANDLERS
from shared.contracts.records import Command
from shared.contracts.volunteering import commands
from shared.domain import CommandContext
from shared.events.envelope import Envelope
from shared.eventstore.database import create_database_engine
from shared.eventstore.store import row_to_envelope
from shared.eventstore.tables import events, inbox, outbox
from shared.eventstore.uow import UnitOfWork
from shared.kit.handlers import InboxClaim

OPERATOR = "operator:ops-1"
RECRUITMENT = "event:recruitment"
STARTS_AT = datetime(2023, 7, 15, 9, 0, tzinfo=UTC)
BEFORE_START = datetime(2023, 7, 1, 9, 0, tzinfo=UTC)
DURING = STARTS_AT + timedelta(hours=1)
AFTERWARDS = datetime(2023, 7, 20, 9, 0, tzinfo=UTC)


def new_id() -> str:
    return str(uuid.uuid4())


def host_unit_actor(host_unit_id: str) -> str:
    return f"host_unit:{host_unit_id}"


def student_actor(student_id: str) -> str:
    return f"student:{student_id}"


def make_activity_plan(campaign_id: str, **overrides: Any) -> commands.ScheduleActivity:
    """Two hours from ``starts_at`` unless ``ends_at`` says otherwise."""
    starts_at = overrides.get("starts_at", STARTS_AT)
    values: dict[str, Any] = {
        "activity_id": new_id(),
        "campaign_id": campaign_id,
        "host_unit_id": "",
        "title": "Paper-cutting for beginners",
        "kind": "classroom",
        "subject": "paper_cutting",
        "topic": "",
        "place": "Xiangyang Street community centre",
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=2),
        "capacity": 10,
        "coordinator": "王芳",
    }
    return commands.ScheduleActivity(**values | overrides)


def make_recruitment_event(
    event_type: str, student_id: str, campaign_id: str, **payload: str
) -> Envelope:
    """A recruitment event about one student (StudentScreened, AllianceJoined,
    StudentWithdrew), as recruitment's relay would publish it."""
    reason = {"reason": ""} if event_type in ("StudentScreened", "StudentWithdrew") else {}
    return Envelope(
        event_type=event_type,
        schema_version=1,
        stream_id=f"student-{student_id}",
        stream_version=2,
        producer="recruitment",
        actor=OPERATOR,
        correlation_id=f"corr-{student_id}",
        payload={"student_id": student_id, "campaign_id": campaign_id, **reason, **payload},
    )


def in_memory_engine() -> Engine:
    """Volunteering's tables in an in-memory SQLite database: its own indexes, no server."""
    engine = create_database_engine("sqlite://")
    with engine.begin() as connection:
        for table in (events, outbox, inbox):
            table.create(connection)
        volunteering_tables.create_all(connection)
    return engine


class VolunteeringDesk:
    """Runs volunteering commands as the service's RPC edge does (through the command's
    contract, then the handler table), as an operator unless told otherwise. Refusals
    propagate as the domain errors they are. ``now`` is the handlers' clock."""

    def __init__(self, engine: Engine, now: datetime = BEFORE_START) -> None:
        self.engine = engine
        self.now = now
        self.campaign_id = new_id()

    def unit_of_work(self, context: CommandContext) -> UnitOfWork:
        return UnitOfWork(
            sessionmaker(self.engine),
            "volunteering",
            context,
            keepers=KEEPERS,
            clock=lambda: self.now,
        )

    def run(self, command: Command, actor: str = OPERATOR, claim: InboxClaim | None = None) -> Any:
        parsed = type(command).parse(command.arguments())
        return HANDLERS.run(parsed, self.unit_of_work, CommandContext(actor, "corr-test"), claim)

    def events(self, event_type: str | None = None) -> list[Any]:
        query = sa.select(events).order_by(events.c.seq)
        if event_type is not None:
            query = query.where(events.c.event_type == event_type)
        with self.engine.connect() as connection:
            return [row_to_envelope(row) for row in connection.execute(query)]

    def payloads(self, event_type: str) -> list[dict[str, Any]]:
        return [envelope.payload for envelope in self.events(event_type)]

    # -- a summer's volunteering, step by step -------------------------------------------
    def schedule(self, actor: str = OPERATOR, **overrides: Any) -> dict[str, Any]:
        campaign_id = overrides.pop("campaign_id", self.campaign_id)
        return dict(self.run(make_activity_plan(campaign_id, **overrides), actor))

    def activity(self, **overrides: Any) -> str:
        return str(self.schedule(**overrides)["activity_id"])

    def volunteer(
        self, student_id: str | None = None, basis: str = "screening", campaign_id: str = ""
    ) -> str:
        """A student recruitment approved in the desk's campaign (or ``basis="alliance"``)."""
        student_id = student_id or new_id()
        qualification = commands.QualifyVolunteer(
            student_id=student_id, campaign_id=campaign_id or self.campaign_id, basis=basis
        )
        self.run(qualification, RECRUITMENT)
        return student_id

    def release(self, student_id: str, reason: str = "a summer job elsewhere") -> None:
        release = commands.ReleaseVolunteer(
            student_id=student_id, campaign_id=self.campaign_id, reason=reason
        )
        self.run(release, RECRUITMENT)

    def sign_up(self, activity_id: str, student_id: str, actor: str = "") -> dict[str, Any]:
        """Sign up as the student themself unless another actor is named."""
        command = commands.SignUp(activity_id=activity_id, student_id=student_id)
        return dict(self.run(command, actor or student_actor(student_id)))

    def withdraw(self, activity_id: str, student_id: str, actor: str = "") -> dict[str, Any]:
        command = commands.WithdrawSignUp(
            activity_id=activity_id, student_id=student_id, reason="exams"
        )
        return dict(self.run(command, actor or student_actor(student_id)))

    def no_show(self, activity_id: str, student_id: str, actor: str = OPERATOR) -> dict[str, Any]:
        command = commands.RecordNoShow(activity_id=activity_id, student_id=student_id)
        return dict(self.run(command, actor))

    def signed_up_volunteer(self, activity_id: str) -> str:
        student_id = self.volunteer()
        self.sign_up(activity_id, student_id)
        return student_id

    def log_hours(
        self, activity_id: str, student_id: str, hours: float = 2, actor: str = ""
    ) -> dict[str, Any]:
        """Log as the student themself unless another actor is named."""
        command = commands.LogHours(
            hours_id=new_id(),
            activity_id=activity_id,
            student_id=student_id,
            hours=hours,
            note="cut paper with twelve children",
        )
        return dict(self.run(command, actor or student_actor(student_id)))

    def decide(
        self, hours_id: str, decision: str = "approved", reason: str = "", actor: str = OPERATOR
    ) -> dict[str, Any]:
        command = commands.DecideHours(hours_id=hours_id, decision=decision, reason=reason)
        return dict(self.run(command, actor))

    def correct(
        self, hours_id: str, hours: float, reason: str = "arrived late", actor: str = OPERATOR
    ) -> dict[str, Any]:
        command = commands.CorrectHours(hours_id=hours_id, hours=hours, reason=reason)
        return dict(self.run(command, actor))

    def approved_hours(self, activity_id: str, student_id: str, hours: float = 2) -> str:
        hours_id = str(self.log_hours(activity_id, student_id, hours)["hours_id"])
        self.decide(hours_id)
        return hours_id
