"""Placement factories with overrides, and a desk that runs placement commands as someone.

Defaults follow the 2023 reference summer: positions from 10 July to 10 August, a selection
window in June, insurance for the whole summer.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from services.placement.adapters.indexes import KEEPERS
from services.placement.adapters.registered_names import note_name
from services.placement.adapters.tables import metadata as placement_tables
from services.placement.handlers import HANDLERS
from shared.contracts.placement import commands, documents, placements
from shared.contracts.records import Command
from shared.domain import CommandContext
from shared.eventstore.database import create_database_engine
from shared.eventstore.store import row_to_envelope
from shared.eventstore.tables import events, inbox, outbox
from shared.eventstore.uow import UnitOfWork
from shared.kit.handlers import InboxClaim
from shared.privacy.keystore import KeyStore

OPERATOR = "operator:ops-1"
IN_SELECTION = datetime(2023, 6, 5, 9, 0, tzinfo=UTC)
REGISTERED_NAME = "李明"  # the name every admitted student registered with, unless told otherwise


def new_id() -> str:
    return str(uuid.uuid4())


def host_unit_actor(host_unit_id: str) -> str:
    return f"host_unit:{host_unit_id}"


def student_actor(student_id: str) -> str:
    return f"student:{student_id}"


def make_host_unit_registration(**overrides: Any) -> commands.RegisterHostUnit:
    values: dict[str, Any] = {
        "host_unit_id": new_id(),
        "name": "District Civil Affairs Bureau",
        "kind": "district government bureau",
        "township": "Chengguan Town",
        "contact_person": "王芳",
        "contact_phone": "13700137000",
    }
    return commands.RegisterHostUnit(**values | overrides)


def make_posting(host_unit_id: str, campaign_id: str, **overrides: Any) -> commands.PostPosition:
    values: dict[str, Any] = {
        "position_id": new_id(),
        "host_unit_id": host_unit_id,
        "campaign_id": campaign_id,
        "title": "Community affairs assistant",
        "duties": "Help with residents' enquiries and the summer classroom",
        "capacity": 1,
        "starts_on": date(2023, 7, 10),
        "ends_on": date(2023, 8, 10),
        "place": "Xiangyang Street community centre",
        "requirements": "",
    }
    return commands.PostPosition(**values | overrides)


def make_insurance(placement_id: str, **overrides: Any) -> placements.RecordInsurance:
    values: dict[str, Any] = {
        "placement_id": placement_id,
        "insurer": "PICC Zhengzhou",
        "policy_number": "PA-2023-0001",
        "insured_person": REGISTERED_NAME,
        "covers_from": date(2023, 7, 1),
        "covers_until": date(2023, 8, 31),
    }
    return placements.RecordInsurance(**values | overrides)


def make_training(placement_id: str, **overrides: Any) -> placements.RecordTraining:
    values: dict[str, Any] = {
        "placement_id": placement_id,
        "session": "Pre-job training, July",
        "attended_on": date(2023, 7, 8),
    }
    return placements.RecordTraining(**values | overrides)


DOCUMENT_TEXTS = {
    "practice_notice": "实践活动告知书: what the summer practice asks of a student, 2023 edition.",
    "confidentiality_commitment": "保密承诺书: what a student keeps confidential, 2023 edition.",
}


def make_publication(document_kind: str, **overrides: Any) -> documents.PublishDocument:
    values: dict[str, Any] = {
        "document_kind": document_kind,
        "version": "2023.1",
        "text": DOCUMENT_TEXTS[document_kind],
    }
    return documents.PublishDocument(**values | overrides)


def make_document(
    placement_id: str, document_kind: str, **overrides: Any
) -> placements.SignDocument:
    """A signature of the published 2023.1 version (see ``make_publication``)."""
    text = DOCUMENT_TEXTS[document_kind].encode()
    values: dict[str, Any] = {
        "placement_id": placement_id,
        "document_kind": document_kind,
        "version": "2023.1",
        "content_hash": "sha256:" + hashlib.sha256(text).hexdigest(),
    }
    return placements.SignDocument(**values | overrides)


def make_completion(placement_id: str, **overrides: Any) -> placements.CompletePlacement:
    values: dict[str, Any] = {"placement_id": placement_id, "days_served": 22, "hours_served": 176}
    return placements.CompletePlacement(**values | overrides)


def make_evaluation(placement_id: str, **overrides: Any) -> placements.EvaluatePlacement:
    values: dict[str, Any] = {
        "placement_id": placement_id,
        "score": 92,
        "comment": "Reliable and kind with residents",
    }
    return placements.EvaluatePlacement(**values | overrides)


def make_feedback(placement_id: str, **overrides: Any) -> placements.SubmitFeedback:
    values: dict[str, Any] = {
        "placement_id": placement_id,
        "rating": 5,
        "suggestions": "More time in the classroom",
    }
    return placements.SubmitFeedback(**values | overrides)


def in_memory_engine() -> Engine:
    """Placement's tables in an in-memory SQLite database: the handlers' own indexes, no server."""
    engine = create_database_engine("sqlite://")
    with engine.begin() as connection:
        for table in (events, outbox, inbox):
            table.create(connection)
        placement_tables.create_all(connection)
    return engine


class PlacementDesk:
    """Runs placement commands as the service's RPC edge does (through the command's contract,
    then the handler table), as an operator unless told otherwise. Refusals propagate as the
    domain errors they are."""

    def __init__(self, engine: Engine, now: datetime = IN_SELECTION) -> None:
        self.engine = engine
        self.now = now
        self.documents_published = False
        self.campaign_id = new_id()
        self.keys: KeyStore | None = None  # placement's keys, and the owners it asks

    def unit_of_work(self, context: CommandContext) -> UnitOfWork:
        return UnitOfWork(
            sessionmaker(self.engine),
            "placement",
            context,
            keepers=KEEPERS,
            clock=lambda: self.now,
            keys=self.keys,
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

    # -- a season, step by step ----------------------------------------------------------
    def host_unit(self, **overrides: Any) -> str:
        return str(self.run(make_host_unit_registration(**overrides))["host_unit_id"])

    def position(self, host_unit_id: str, **overrides: Any) -> str:
        posting = make_posting(host_unit_id, self.campaign_id, **overrides)
        return str(self.run(posting, host_unit_actor(host_unit_id))["position_id"])

    def admit(self, student_id: str | None = None, name: str = REGISTERED_NAME) -> str:
        """A student recruitment registered (under ``name``) and approved, whose name
        placement holds as recruitment answered it (in plain text: the desk has no keys)."""
        student_id = student_id or new_id()
        with self.engine.begin() as connection:
            note_name(connection, student_id, name, None)
        admission = commands.AdmitCandidate(student_id=student_id, campaign_id=self.campaign_id)
        self.run(admission, "event:recruitment")
        return student_id

    def withdraw(self, student_id: str, reason: str = "summer job elsewhere") -> None:
        withdrawal = commands.WithdrawCandidate(
            student_id=student_id, campaign_id=self.campaign_id, reason=reason
        )
        self.run(withdrawal, "event:recruitment")

    def open_selection(self, max_choices: int = 5) -> None:
        window = commands.OpenSelection(
            campaign_id=self.campaign_id,
            opens_at=datetime(2023, 6, 1, tzinfo=UTC),
            closes_at=datetime(2023, 6, 15, tzinfo=UTC),
            max_choices=max_choices,
        )
        self.run(window)

    def rank(self, student_id: str, *position_ids: str) -> dict[str, Any]:
        ranking = commands.SubmitRanking(
            campaign_id=self.campaign_id, student_id=student_id, position_ids=position_ids
        )
        return dict(self.run(ranking, student_actor(student_id)))

    def rank_applicants(
        self,
        host_unit_id: str,
        position_id: str,
        *student_ids: str,
        unacceptable: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        ranking = commands.RankApplicants(
            position_id=position_id, student_ids=student_ids, unacceptable=unacceptable
        )
        return dict(self.run(ranking, host_unit_actor(host_unit_id)))

    def propose(self) -> dict[str, Any]:
        proposal = commands.ProposeMatching(round_id=new_id(), campaign_id=self.campaign_id)
        return dict(self.run(proposal))

    def publish(self, round_id: str) -> dict[str, Any]:
        return dict(self.run(commands.PublishMatching(round_id=round_id)))

    def match(self) -> dict[str, str]:
        """Propose and publish a round; student id -> placement id of each offer."""
        offers = self.publish(self.propose()["round_id"])["offers"]
        return {offer["student_id"]: offer["placement_id"] for offer in offers}

    def agree(self, placement_id: str, student_id: str, host_unit_id: str) -> dict[str, Any]:
        confirmation = placements.ConfirmOffer(placement_id=placement_id)
        self.run(confirmation, student_actor(student_id))
        return dict(self.run(confirmation, host_unit_actor(host_unit_id)))

    def place_directly(
        self, student_id: str, position_id: str, reason: str = "late approval"
    ) -> dict[str, Any]:
        placement = placements.PlaceDirectly(
            placement_id=new_id(), student_id=student_id, position_id=position_id, reason=reason
        )
        return dict(self.run(placement))

    def publish_documents(self) -> None:
        """The operator publishes both documents' 2023.1 versions (once per desk)."""
        if not self.documents_published:
            for kind in DOCUMENT_TEXTS:
                self.run(make_publication(kind))
            self.documents_published = True

    def make_ready(self, placement_id: str, student_id: str, host_unit_id: str) -> None:
        self.publish_documents()
        host, student = host_unit_actor(host_unit_id), student_actor(student_id)
        self.run(make_insurance(placement_id), host)
        self.run(make_training(placement_id), host)
        for kind in ("practice_notice", "confidentiality_commitment"):
            self.run(make_document(placement_id, kind), student)
