"""Erasure beside placement, through the real gateway: refused with 409 while the student's
placement is agreed; for a student without one, placement forgets the registered name, the
gateway shows ``[erased]``, and the host unit's own personal data (sealed with placement's key
for the unit) is untouched. Placement keeps registered names sealed and asks recruitment for a
student's key only when it checks that student's insurance policy."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from gateway.core.replay import replay_read_models
from gateway.sections import SECTIONS
from shared.eventstore.database import create_database_engine
from shared.privacy.sealing import ERASED, is_sealed
from tests.integration import test_gateway_placement
from tests.integration.test_gateway_api import wait_for
from tests.integration.test_gateway_placement import (
    CONTACT,
    ENDS_ON,
    INSURED,
    TODAY,
    PlacementStack,
    enrol,
    post_positions,
)

settings = test_gateway_placement.settings  # the fixtures: SQLite, and the gateway on PostgreSQL
stack = test_gateway_placement.stack


def registered_names(stack: PlacementStack) -> set[str]:
    engine = create_database_engine(stack.settings.database_url("placement"), reader=True)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT student_id FROM registered_names"))
            return {row.student_id for row in rows}
    finally:
        engine.dispose()


def test_erasure_waits_for_a_running_placement_and_leaves_the_host_units_data(
    stack: PlacementStack,
) -> None:
    enrol(stack)
    post_positions(stack)
    ids = stack.ids
    placed = stack.ok(
        "POST",
        "/placements",
        status=201,
        json={"student_id": ids["s1"], "position_id": ids["pc"], "reason": "late registration"},
    )
    wait_for(
        lambda: stack.call("GET", f"/placements/{placed['placement_id']}"),
        lambda answer: answer.status_code == 200,
    )
    refused = stack.call("POST", f"/students/{ids['s1']}/erasure", json={"reason": "request"})
    assert (refused.status_code, refused.json()["error"]) == (409, "PLACEMENT_RUNNING")

    assert registered_names(stack) == set()  # no policy checked: no name asked for
    stack.ok("POST", f"/students/{ids['s2']}/erasure", json={"reason": "request"})
    profile = wait_for(
        lambda: stack.ok("GET", f"/students/{ids['s2']}"), lambda p: p["name"] == ERASED
    )
    assert profile["phone"] == ERASED
    assert stack.ok("GET", f"/students/{ids['s1']}")["name"] != ERASED
    unit = stack.ok("GET", f"/host-units/{ids['unit_a']}")
    assert unit["contact_person"] == CONTACT
    rebuilt = replay_read_models(stack.settings, SECTIONS, progress=False)
    assert (rebuilt.equal, rebuilt.differences) == (True, [])


def placement_rows(stack: PlacementStack, query: str) -> list[Any]:
    engine = create_database_engine(stack.settings.database_url("placement"), reader=True)
    try:
        with engine.connect() as connection:
            return list(connection.execute(sa.text(query)))
    finally:
        engine.dispose()


def test_placement_asks_for_a_name_and_its_key_only_to_check_a_policy_and_keeps_it_sealed(
    stack: PlacementStack,
) -> None:
    enrol(stack)
    post_positions(stack)
    ids = stack.ids
    kept = "SELECT student_id, name, sealed_in FROM registered_names"
    copied = "SELECT subject_id FROM subject_keys WHERE source = 'recruitment'"
    assert (placement_rows(stack, kept), placement_rows(stack, copied)) == ([], [])

    placed = stack.ok(
        "POST",
        "/placements",
        status=201,
        json={"student_id": ids["s1"], "position_id": ids["pc"], "reason": "late registration"},
    )
    path = f"/placements/{placed['placement_id']}/insurance"
    policy = {
        "insurer": "PICC District Branch",
        "policy_number": "PA-0002",
        "insured_person": INSURED,
        "covers_from": TODAY.isoformat(),
        "covers_until": ENDS_ON.isoformat(),
    }
    stranger = stack.call("POST", path, "unit_b", json=policy | {"insured_person": "王芳"})
    assert (stranger.status_code, stranger.json()["error"]) == (422, "INSURED_PERSON_MISMATCH")
    stack.ok("POST", path, "unit_b", json=policy)
    [name] = placement_rows(stack, kept)
    assert (name.student_id, is_sealed(name.name), bool(name.sealed_in)) == (ids["s1"], True, True)
    assert INSURED not in name.name
    assert [row.subject_id for row in placement_rows(stack, copied)] == [ids["s1"]]
