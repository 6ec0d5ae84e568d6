"""Erasure beside placement, through the real gateway: refused with 409 while the student's
placement is agreed; for a student without one, placement forgets the registered name, the
gateway shows ``[erased]``, and the host unit's own personal data (sealed with placement's key
for the unit) is untouched."""

from __future__ import annotations

import sqlalchemy as sa

from gateway.core.replay import replay_read_models
from gateway.sections import SECTIONS
from shared.eventstore.database import create_database_engine
from shared.privacy.sealing import ERASED
from tests.integration import test_gateway_placement
from tests.integration.test_gateway_api import wait_for
from tests.integration.test_gateway_placement import CONTACT, PlacementStack, enrol, post_positions

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

    assert ids["s2"] in wait_for(lambda: registered_names(stack), lambda names: ids["s2"] in names)
    stack.ok("POST", f"/students/{ids['s2']}/erasure", json={"reason": "request"})
    wait_for(lambda: registered_names(stack), lambda names: ids["s2"] not in names)
    profile = wait_for(
        lambda: stack.ok("GET", f"/students/{ids['s2']}"), lambda p: p["name"] == ERASED
    )
    assert profile["phone"] == ERASED
    assert stack.ok("GET", f"/students/{ids['s1']}")["name"] != ERASED
    unit = stack.ok("GET", f"/host-units/{ids['unit_a']}")
    assert unit["contact_person"] == CONTACT
    rebuilt = replay_read_models(stack.settings, SECTIONS, progress=False)
    assert (rebuilt.equal, rebuilt.differences) == (True, [])
