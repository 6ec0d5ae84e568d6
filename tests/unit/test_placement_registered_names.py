"""Placement asks recruitment for a student's registered name when it checks the student's
insurance policy, keeps it sealed as it came, and asks for its key to open it; through the
handler table on an in-memory SQLite database, with recruitment answering in this process."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
import sqlalchemy as sa
from nameko.exceptions import RpcTimeout
from sqlalchemy.orm import Session
from structlog.testing import capture_logs

from services.placement.adapters.registered_names import name_of
from services.placement.adapters.tables import registered_names
from shared.contracts.placement import commands
from shared.contracts.placement.errors import InsuredPersonError
from shared.privacy.classes import field_class
from shared.privacy.key_rows import KnownKey, subject_keys
from shared.privacy.keystore import KeyStore
from shared.privacy.master_key import MasterKey
from shared.privacy.sealing import seal_value
from shared.rpc import ServiceUnavailable
from tests.placement_factories import (
    PlacementDesk,
    host_unit_actor,
    in_memory_engine,
    make_insurance,
    new_id,
)

NAME = "李明"
KEY_ID = "0123456789abcdef0123456789abcdef"
REGISTRATION = "0192f0c4-7d1e-7a55-9a0c-1234567890ab"


class Recruitment:
    """Recruitment as placement's key store reaches it: ``registered_name`` answered with
    ``answer`` (raised if an exception), the name key handed over on request."""

    def __init__(self, student_id: str, answer: Any) -> None:
        self.student_id = student_id
        self.data_key = os.urandom(32)
        self.answer = answer
        self.asked: list[tuple[str, str, Mapping[str, Any]]] = []

    def sealed_name(self, name: str = NAME) -> str:
        return seal_value(name, self.data_key, KEY_ID, REGISTRATION, "name")

    def ask_signed(self, owner: str, method: str, body: Mapping[str, Any]) -> Any:
        self.asked.append((owner, method, body))
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer

    def fetch(self, owner: str, key_ids: list[str]) -> dict[str, KnownKey]:
        assert owner == "recruitment"
        return {
            key_id: KnownKey(self.student_id, self.data_key, field_class("name"))
            for key_id in key_ids
            if key_id == KEY_ID
        }


@pytest.fixture
def desk() -> Iterator[PlacementDesk]:
    engine = in_memory_engine()
    with engine.begin() as connection:
        subject_keys.create(connection)
    yield PlacementDesk(engine)
    engine.dispose()


def placed(desk: PlacementDesk, answer: Any) -> tuple[str, str, Recruitment]:
    """(placement id, host unit id, recruitment) of a student admitted without a name noted."""
    student = new_id()
    recruitment = Recruitment(student, answer)
    if answer == "sealed":
        recruitment.answer = {"name": recruitment.sealed_name(), "sealed_in": REGISTRATION}
    desk.keys = KeyStore("placement", MasterKey.generate(), recruitment)
    admission = commands.AdmitCandidate(student_id=student, campaign_id=desk.campaign_id)
    desk.run(admission, "event:recruitment")
    host = desk.host_unit()
    placement = desk.place_directly(student, desk.position(host))["placement_id"]
    return placement, host, recruitment


def kept_names(desk: PlacementDesk) -> list[tuple[str, str | None]]:
    with desk.engine.connect() as connection:
        rows = connection.execute(sa.select(registered_names.c.name, registered_names.c.sealed_in))
        return [(row.name, row.sealed_in) for row in rows]


def test_a_policy_is_checked_against_the_name_asked_of_recruitment_and_kept_sealed(desk):
    placement, host, recruitment = placed(desk, "sealed")
    as_host = host_unit_actor(host)
    stranger = make_insurance(placement, insured_person="王芳")
    with pytest.raises(InsuredPersonError) as refused:
        desk.run(stranger, as_host)
    assert refused.value.details["reason"] == "not_the_placed_student"
    assert desk.run(make_insurance(placement, insured_person=" 李 明 "), as_host)["gates"][
        "insurance"
    ]
    # asked for each check (the refused one kept nothing); kept with the recorded policy:
    # the sealed value, not the name, read from here by the next check
    asked = ("recruitment", "registered_name", {"student_id": recruitment.student_id})
    assert recruitment.asked == [asked, asked]
    [(kept, sealed_in)] = kept_names(desk)
    assert (kept.startswith("enc:v1:"), NAME in kept, sealed_in) == (True, False, REGISTRATION)
    with desk.engine.begin() as connection, Session(bind=connection) as session:
        assert name_of(session, desk.keys, recruitment.student_id) == NAME
    assert len(recruitment.asked) == 2


def test_a_name_recruitment_stored_in_plain_text_is_checked_as_it_is(desk):
    placement, host, _ = placed(desk, {"name": NAME, "sealed_in": None})
    assert desk.run(make_insurance(placement), host_unit_actor(host))["gates"]["insurance"]
    assert kept_names(desk) == [(NAME, None)]


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ({"unknown": True}, "registered_name_not_known_yet"),  # a student it never registered
        ({"erased": True}, "not_the_placed_student"),  # the name reads [erased]: nobody's
    ],
)
def test_no_name_to_check_against_refuses_the_policy_and_keeps_nothing(desk, answer, reason):
    placement, host, _ = placed(desk, answer)
    with pytest.raises(InsuredPersonError) as refused:
        desk.run(make_insurance(placement), host_unit_actor(host))
    assert refused.value.details["reason"] == reason
    assert kept_names(desk) == []


@pytest.mark.parametrize(
    "answer",
    [
        RpcTimeout(),  # recruitment away
        {"name": 7, "sealed_in": None},  # malformed answers
        {"name": NAME, "sealed_in": 3},
        ["not", "an", "object", NAME],
        {"refused": "the argument is a student id (a UUID)"},
    ],
)
def test_no_usable_answer_is_a_service_unavailable_with_nothing_recorded(desk, answer):
    placement, host, _ = placed(desk, answer)
    with capture_logs() as logs, pytest.raises(ServiceUnavailable):
        desk.run(make_insurance(placement), host_unit_actor(host))
    assert NAME not in repr(logs)
    assert kept_names(desk) == []
    assert desk.events("InsurancePurchased") == []
