"""Honours factories with overrides, and a desk that runs honours commands as someone.

Defaults follow the 2023 reference summer: the desk's clock at 1 September 2023, after the
practice; a student qualifies for the advanced individual title by a completed practice
evaluated at 92.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from services.honors.adapters.indexes import KEEPERS
from services.honors.adapters.tables import metadata as honors_tables
from services.honors.handlers import HANDLERS
from shared.contracts.honors import commands
from shared.contracts.records import Command
from shared.domain import CommandContext
from shared.events.envelope import Envelope
from shared.eventstore.database import create_database_engine
from shared.eventstore.store import row_to_envelope
from shared.eventstore.tables import events, inbox, outbox
from shared.eventstore.uow import UnitOfWork
from shared.kit.handlers import InboxClaim

OPERATOR = "operator:ops-1"
PLACEMENT = "event:placement"
RECRUITMENT = "event:recruitment"
AUTUMN = datetime(2023, 9, 1, 9, 0, tzinfo=UTC)
COMMITTEE = "城关镇团委"
TRANSCRIPT_HASH = "sha256:" + "ab" * 32


def new_id() -> str:
    return str(uuid.uuid4())


def student_actor(student_id: str) -> str:
    return f"student:{student_id}"


def make_nomination(
    student_id: str, campaign_id: str, **overrides: Any
) -> commands.NominateForAward:
    values: dict[str, Any] = {
        "award_id": new_id(),
        "student_id": student_id,
        "campaign_id": campaign_id,
        "title_code": "ADV",
        "citation": "Taught paper-cutting to 48 children all summer",
        "holder_name": "张三",
    }
    return commands.NominateForAward(**values | overrides)


def make_appointment(
    student_id: str, campaign_id: str, **overrides: Any
) -> commands.AppointDeputySecretary:
    values: dict[str, Any] = {
        "appointment_id": new_id(),
        "student_id": student_id,
        "campaign_id": campaign_id,
        "committee": COMMITTEE,
        "term_starts_on": date(2023, 9, 1),
        "term_ends_on": date(2024, 8, 31),
        "holder_name": "李四",
    }
    return commands.AppointDeputySecretary(**values | overrides)


def make_programme_event(event_type: str, producer: str, **payload: Any) -> Envelope:
    """Another service's event (PlacementAgreed, PlacementCompleted, PlacementEvaluated,
    StudentScreened) as its relay would publish it."""
    stream = payload.get("placement_id") or payload.get("student_id")
    version = 2 if event_type == "PlacementAgreed" else 1
    return Envelope(
        event_type=event_type,
        schema_version=version,
        stream_id=f"{'placement' if producer == 'placement' else 'student'}-{stream}",
        stream_version=3,
        producer=producer,
        actor=OPERATOR,
        correlation_id=f"corr-{stream}",
        payload=payload,
    )


def placement_agreed(placement_id: str, student_id: str, campaign_id: str) -> Envelope:
    return make_programme_event(
        "PlacementAgreed",
        "placement",
        placement_id=placement_id,
        campaign_id=campaign_id,
        student_id=student_id,
        position_id=new_id(),
        host_unit_id=new_id(),
        direct=False,
        reason="",
    )


def in_memory_engine() -> Engine:
    """Honours' tables in an in-memory SQLite database: its own indexes, no server."""
    engine = create_database_engine("sqlite://")
    with engine.begin() as connection:
        for table in (events, outbox, inbox):
            table.create(connection)
        honors_tables.create_all(connection)
    return engine


class HonorsDesk:
    """Runs honours commands as the service's RPC edge does (through the command's contract,
    then the handler table), as an operator unless told otherwise. Refusals propagate as the
    domain errors they are. ``now`` is the handlers' clock."""

    def __init__(self, engine: Engine, now: datetime = AUTUMN) -> None:
        self.engine = engine
        self.now = now
        self.campaign_id = new_id()

    def unit_of_work(self, context: CommandContext) -> UnitOfWork:
        return UnitOfWork(
            sessionmaker(self.engine), "honors", context, keepers=KEEPERS, clock=lambda: self.now
        )

    def run(self, command: Command, actor: str = OPERATOR, claim: InboxClaim | None = None) -> Any:
        parsed = type(command).parse(command.arguments())
        return HANDLERS.run(parsed, self.unit_of_work, CommandContext(actor, "corr-test"), claim)

    def events(self, event_type: str | None = None) -> list[Envelope]:
        query = sa.select(events).order_by(events.c.seq)
        if event_type is not None:
            query = query.where(events.c.event_type == event_type)
        with self.engine.connect() as connection:
            return [row_to_envelope(row) for row in connection.execute(query)]

    def payloads(self, event_type: str) -> list[dict[str, Any]]:
        return [envelope.payload for envelope in self.events(event_type)]

    # -- what placement and recruitment tell honours ---------------------------------------
    def practice(
        self,
        student_id: str | None = None,
        score: int | None = 92,
        *,
        completed: bool = True,
        campaign_id: str = "",
    ) -> str:
        """A student whose practice in the desk's campaign was agreed, then (by default)
        completed and evaluated at ``score``."""
        student_id = student_id or new_id()
        placement_id = new_id()
        noted = commands.NotePractice(
            placement_id=placement_id,
            student_id=student_id,
            campaign_id=campaign_id or self.campaign_id,
        )
        self.run(noted, PLACEMENT)
        if completed:
            self.run(commands.NotePracticeCompleted(placement_id=placement_id), PLACEMENT)
        if score is not None:
            evaluated = commands.NotePracticeEvaluated(placement_id=placement_id, score=score)
            self.run(evaluated, PLACEMENT)
        return student_id

    def decline_screening(self, student_id: str) -> None:
        declined = commands.NoteScreeningDeclined(
            student_id=student_id, campaign_id=self.campaign_id
        )
        self.run(declined, RECRUITMENT)

    # -- awards -----------------------------------------------------------------------------
    def define_title(self, code: str = "ADV", quota: int = 10, minimum_score: int = 80) -> Any:
        title = commands.DefineTitle(
            title_code=code, name=f"title {code}", quota=quota, minimum_score=minimum_score
        )
        return self.run(title)

    def nominate(self, student_id: str, actor: str = OPERATOR, **overrides: Any) -> dict[str, Any]:
        return dict(self.run(make_nomination(student_id, self.campaign_id, **overrides), actor))

    def grant(self, award_id: str, actor: str = OPERATOR) -> dict[str, Any]:
        return dict(self.run(commands.GrantAward(award_id=award_id), actor))

    def award(self, student_id: str | None = None, **overrides: Any) -> dict[str, Any]:
        """An eligible student nominated and granted: the award's view, with its serial."""
        nominated = self.nominate(student_id or self.practice(), **overrides)
        return self.grant(str(nominated["award_id"]))

    def revoke(self, serial: str, reason: str = "plagiarised diary", actor: str = OPERATOR) -> Any:
        return self.run(commands.RevokeCertificate(serial=serial, reason=reason), actor)

    # -- appointments -----------------------------------------------------------------------
    def appoint(
        self, student_id: str | None = None, actor: str = OPERATOR, **overrides: Any
    ) -> dict[str, Any]:
        command = make_appointment(student_id or new_id(), self.campaign_id, **overrides)
        return dict(self.run(command, actor))

    def end_appointment(self, serial: str, reason: str = "", actor: str = OPERATOR) -> Any:
        return dict(self.run(commands.EndAppointment(serial=serial, reason=reason), actor))

    # -- consents, recommendations, diaries -------------------------------------------------
    def consent(
        self, student_id: str, purpose: str, given: bool = True, actor: str = ""
    ) -> dict[str, Any]:
        """As the student themself unless another actor is named."""
        command = commands.RecordConsent(student_id=student_id, purpose=purpose, given=given)
        return dict(self.run(command, actor or student_actor(student_id)))

    def recommend(self, student_id: str, actor: str = OPERATOR) -> dict[str, Any]:
        command = commands.SendRecommendation(
            recommendation_id=new_id(),
            student_id=student_id,
            campaign_id=self.campaign_id,
            university="Zhengzhou University",
            transcript_hash=TRANSCRIPT_HASH,
        )
        return dict(self.run(command, actor))

    def diary(self, student_id: str, actor: str = "", **overrides: Any) -> str:
        values: dict[str, Any] = {
            "diary_id": new_id(),
            "student_id": student_id,
            "campaign_id": self.campaign_id,
            "title": "Week one at the civil affairs bureau",
            "text": "We sorted the archive.\nThe children's classroom starts on Monday.",
            "display_name": "小张",
        }
        command = commands.SubmitDiary(**values | overrides)
        return str(self.run(command, actor or student_actor(student_id))["diary_id"])

    def feature(self, diary_id: str, actor: str = OPERATOR) -> dict[str, Any]:
        return dict(self.run(commands.FeatureDiary(diary_id=diary_id), actor))
