"""Broken object-level authorisation, tried on every route: each route of
``gateway.sections.ROUTES`` is called by every role but the operator's (student A, host unit
A, an auditor) on B's objects (``bola_world``), and answers 403 or 404; afterwards the event
log holds no new event and the gateway's read models are unchanged.

The matrix is derived from ROUTES, so a new route is tried as soon as it exists; a route that a
role may call without naming anyone's object must be listed below with the reason, and a
route with a path parameter of a new kind must say whose object that parameter names.
One suite start for the whole module: the world is built once and the matrix walked once.
Past 200 lines: the allow-lists, and a valid body for every command a party may send, are
declarations kept beside the matrix that reads them.
"""

from __future__ import annotations

import io
import time
import uuid
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from gateway.core.replay import snapshot
from gateway.core.route import Route
from gateway.sections import ROUTES, SECTIONS
from shared.eventstore.database import create_database_engine
from tests.integration.bola_world import (
    ACCESS_RECORDS,
    B_PERSONAL,
    World,
    insurance,
    settings,
    training,
    world,
)
from tests.integration.test_gateway_api import make_registration
from tests.integration.test_gateway_placement import (
    GATES,
    SHA,
    TODAY,
    make_host_unit,
    make_position,
)

__all__ = ["settings", "world"]  # the world's fixtures, used here as they are
ATTACKERS = ("student", "host_unit", "auditor")  # an operator owns everything

# Routes without a token, public by design: signing in and its refresh, accepting an invitation
# (its token is the secret), registering oneself, the public verification of a document and
# its keys, and the process's own probes, description and metrics.
PUBLIC_BY_DESIGN = {
    "sign_in",
    "refresh_session",
    "accept_invitation",
    "register_with_account",
    "document_keys",
    "verify_serial",
    "healthz",
    "readyz",
    "openapi",
    "metrics",
}
# A role admitted to a route that names no one's object: what it answers is shared by design
# or scoped to the caller by the route itself. GET routes among them are still called, with
# B's ids as filters where the route takes them, and must answer without any of B's private
# ids or personal data; the others (acting on the caller's own account) are not called.
SHARED_BY_DESIGN: dict[str, tuple[frozenset[str], str]] = {
    "list_campaigns": (frozenset(ATTACKERS), "campaigns are the programme's public seasons"),
    "get_campaign": (frozenset(ATTACKERS), "a season's dates and scope"),
    "list_host_units": (frozenset(ATTACKERS), "units without their contact, to all"),
    "get_host_unit": (frozenset(ATTACKERS), "a unit without its contact, to all"),
    "list_positions": (frozenset(ATTACKERS), "open positions are posted for every student"),
    "list_activities": (frozenset(ATTACKERS), "activities are browsed; coordinator hidden"),
    "get_activity": (frozenset(ATTACKERS), "an activity; its coordinator and sign-ups hidden"),
    "showcase": (frozenset(ATTACKERS), "featured diaries, shown by the students' consent"),
    "list_documents": (frozenset(ATTACKERS), "the published notice and commitment texts"),
    "list_campaign_placements": (frozenset({"host_unit"}), "scoped to the unit's own"),
    "list_hours": (frozenset({"student", "host_unit"}), "scoped to the caller's own"),
    "list_awards": (frozenset({"student", "host_unit"}), "scoped to the caller's own"),
    "list_appointments": (frozenset({"student"}), "scoped to the caller's own"),
    "sign_out": (frozenset(ATTACKERS), "ends the caller's own session"),
    "change_password": (frozenset(ATTACKERS), "changes the caller's own password"),
    # Auditors read every campaign's figures and the log; counts and hashes, no personal data.
    "campaign_report": (frozenset({"auditor"}), "counts only"),
    "placements_report": (frozenset({"auditor"}), "counts only"),
    "volunteering_report": (frozenset({"auditor"}), "counts only"),
    "honours_report": (frozenset({"auditor"}), "counts only"),
    "campaign_dashboard": (frozenset({"auditor"}), "counts only"),
    "programme_history": (frozenset({"auditor"}), "counts only"),
    "audit_events": (frozenset({"auditor"}), "the log, personal fields sealed"),
    "audit_head": (frozenset({"auditor"}), "the log's head"),
    "audit_checkpoints": (frozenset({"auditor"}), "signed checkpoints"),
    "audit_inclusion_proof": (frozenset({"auditor"}), "hashes only"),
    "audit_consistency_proof": (frozenset({"auditor"}), "hashes only"),
}
# A season's exports: auditors read every file without its personal columns, a host unit the
# placements at its own positions; each read leaves its access record in the log.
SHARED_BY_DESIGN |= {
    route.name: (route.roles - {"operator"}, "a season's file, scoped and without personal data")
    for route in ROUTES
    if route.tag == "exports"
}
# Whose object each kind of path parameter names (all of them B's); ``campaign_id`` names the
# season every party shares and ``purpose`` a kind of consent, neither anyone's object.
SHARED_PARAMETERS = {"campaign_id", "purpose"}
OWNED_BODY_FIELDS = {"student_id", "host_unit_id"}  # a body naming whom a command is for
B_IDS = ("b_student", "b_placement", "b_hours", "b_award", "b_account", "b_recommendation")


def path_values(world: World, route: Route) -> dict[str, str]:
    """B's object for each of the route's path parameters."""
    ids = world.ids
    values = {
        "campaign_id": ids["campaign"],
        "student_id": ids["b_student"],
        "host_unit_id": ids["b_unit"],
        "position_id": ids["b_position"],
        "placement_id": ids["b_placement"],
        "activity_id": ids["b_activity"],
        "hours_id": ids["b_hours"],
        "award_id": ids["b_award"],
        "recommendation_id": ids["b_recommendation"],
        "diary_id": ids["b_diary"],
        "account_id": ids["b_account"],
        "round_id": str(uuid.uuid4()),  # operators only: refused on the role before any lookup
        "purpose": "university_report",
        "serial": ids["b_letter"] if "/appointments/" in route.path else ids["b_certificate"],
    }
    unknown = set(route.path_parameters) - set(values)
    assert not unknown, f"{route.name}: say whose object {sorted(unknown)} names in path_values"
    return {name: values[name] for name in route.path_parameters}


def bodies(world: World) -> dict[str, Any]:
    """A valid body for each command a party may send, naming B wherever it names anyone (a
    body the contract refuses would answer 422 before any owner is checked)."""
    ids, soon = world.ids, datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    later = (soon + timedelta(hours=2)).isoformat()
    return {
        "register_student": make_registration(7) | {"student_id": ids["b_student"]},
        "withdraw_student": {"reason": "moving away"},
        "join_alliance": {},
        "leave_alliance": {},
        "register_host_unit": make_host_unit() | {"host_unit_id": ids["b_unit"]},
        "post_position": make_position(ids["campaign"]),
        "close_position": {"reason": "filled"},
        "withdraw_position": {"reason": "cancelled"},
        "rank_applicants": {"student_ids": [ids["b_student"]]},
        "submit_ranking": {"position_ids": [ids["b_position"]]},
        "confirm_offer": {},
        "decline_offer": {"reason": "exams"},
        "record_insurance": insurance("b"),
        "record_training": training(),
        "sign_document": {"document_kind": GATES[2], "version": "2024.1", "content_hash": SHA},
        "start_placement": {"started_on": TODAY.isoformat()},
        "complete_placement": {"days_served": 1, "hours_served": 7},
        "evaluate_placement": {"score": 10, "comment": "poor"},
        "submit_feedback": {"rating": 1, "suggestions": "none"},
        "schedule_activity": {
            "campaign_id": ids["campaign"],
            "host_unit_id": ids["b_unit"],
            "title": "Forged",
            "kind": "river_cleanup",
            "place": "Qingshui river bank",
            "starts_at": soon.isoformat(),
            "ends_at": later,
            "capacity": 5,
            "coordinator": "周敏",
        },
        "reschedule_activity": {"starts_at": soon.isoformat(), "ends_at": later, "reason": "x"},
        "cancel_activity": {"reason": "rain"},
        "complete_activity": {},
        "report_beneficiaries": {"children": 1, "residents": 1, "sessions": 1},
        "sign_up": {"student_id": ids["b_student"]},
        "withdraw_sign_up": {},
        "record_no_show": {},
        "log_hours": {"student_id": ids["b_student"], "hours": 1},
        "decide_hours": {"decision": "declined", "reason": "forged"},
        "correct_hours": {"hours": 0.5, "reason": "forged"},
        "record_consent": {"given": False},
        "submit_diary": {
            "campaign_id": ids["campaign"],
            "title": "Forged",
            "text": "Forged",
            "display_name": "Forged",
        },
    }


def query_values(world: World, route: Route) -> dict[str, str]:
    """B's ids for the route's query filters that name someone (and the season)."""
    if route.query is None:
        return {}
    ids = world.ids
    offered = {
        "student_id": ids["b_student"],
        "host_unit_id": ids["b_unit"],
        "activity_id": ids["b_activity"],
        "campaign_id": ids["campaign"],
    }
    return {name: value for name, value in offered.items() if name in route.query().fields}


def private_to_b(world: World, role: str) -> list[str]:
    """What the role may never be answered: the personal data of B's student, contact and
    coordinator, and to A's parties also the ids of B's own records (an auditor reads ids in
    the log by design)."""
    personal = list(B_PERSONAL)
    return personal if role == "auditor" else [*(world.ids[key] for key in B_IDS), *personal]


def owned_objects(route: Route) -> set[str]:
    body = set(route.body().fields) if route.body is not None else set()
    return (set(route.path_parameters) - SHARED_PARAMETERS) | (body & OWNED_BODY_FIELDS)


def try_route(
    world: World, route: Route, role: str, body: Any, side: str = "a"
) -> requests.Response:
    """The route on B's objects, called by ``side``'s party of ``role`` (A's: an attack; B's
    own: the control)."""
    own = {"student": "student", "host_unit": "unit"}
    subject = world.ids[f"{side}_{own[role]}"] if role in own else f"{role}-1"
    path = route.path
    for name, value in path_values(world, route).items():
        path = path.replace("{" + name + "}", value)
    kwargs: dict[str, Any] = {"params": query_values(world, route)}
    if route.command is not None:
        kwargs["json"] = body
    return world.call(route.method, path, (role, subject), **kwargs)


def readable(answer: requests.Response) -> str:
    """An answer's text; an XLSX (a zip of XML parts) unpacked, so that its cells are read."""
    if not answer.content.startswith(b"PK"):
        return answer.text
    with zipfile.ZipFile(io.BytesIO(answer.content)) as packed:
        return "".join(packed.read(name).decode("utf-8", "replace") for name in packed.namelist())


def read_models(world: World) -> Any:
    engine = create_database_engine(world.settings.database_url("gateway"), reader=True)
    try:
        return snapshot(engine, [table for section in SECTIONS for table in section.tables])[1]
    finally:
        engine.dispose()


def writes(world: World) -> dict[str, int]:
    return {kind: n for kind, n in world.logged().items() if kind not in ACCESS_RECORDS}


def settled(world: World) -> tuple[dict[str, int], Any]:
    """The log's counts and the read models, once neither changed for a second."""
    deadline, previous = time.monotonic() + 30, None
    while time.monotonic() < deadline:
        now = (writes(world), read_models(world))
        if now == previous:
            return now
        previous = now
        time.sleep(1)
    raise AssertionError("the log or the read models kept changing")


def test_every_route_refuses_every_role_on_someone_elses_object_and_writes_nothing(
    world: World,
) -> None:
    log_before, models_before = settled(world)
    body_of = bodies(world)
    leaks: list[str] = []
    owners: list[tuple[Route, str]] = []
    tried = 0

    def expect(route: Route, role: str, check: Callable[[requests.Response], bool]) -> None:
        nonlocal tried
        tried += 1
        answer = try_route(world, route, role, body_of.get(route.name, {}))
        if not check(answer):
            leaks.append(
                f"{route.method} {route.path} as {role}: {answer.status_code} {answer.text[:300]}"
            )

    def shares_nothing_private(role: str) -> Callable[[requests.Response], bool]:
        private = private_to_b(world, role)

        def check(answer: requests.Response) -> bool:
            # A refusal of the filters (a proof's range) is fine; what is answered is checked.
            return answer.status_code < 500 and not [m for m in private if m in readable(answer)]

        return check

    for route in ROUTES:
        if not route.roles:
            assert route.name in PUBLIC_BY_DESIGN, f"{route.name} needs no token: say why"
            continue
        objects = owned_objects(route)
        shared_roles, _reason = SHARED_BY_DESIGN.get(route.name, (frozenset(), ""))
        for role in ATTACKERS:
            if role not in route.roles:
                expect(route, role, lambda answer: answer.status_code == 403)
            elif role in shared_roles:
                if route.method == "GET":
                    expect(route, role, shares_nothing_private(role))
            elif objects:
                assert route.command is None or route.name in body_of, f"{route.name}: a body"
                expect(route, role, lambda answer: answer.status_code in {403, 404})
                if route.method == "GET" and role != "auditor":
                    owners.append((route, role))
            else:
                raise AssertionError(
                    f"{route.name} admits {role} and names no one's object: list it in "
                    "SHARED_BY_DESIGN with the reason, or give it an object"
                )

    named = {route.name for route in ROUTES}
    assert (PUBLIC_BY_DESIGN | set(SHARED_BY_DESIGN)) <= named, "an allow-list names no route"
    assert not leaks, "\n".join(leaks)
    assert tried > 100
    # The control: B's own party reads each of those objects, so A's refusals above were
    # refusals of someone else's object, not of a missing one.
    for route, role in owners:
        answer = try_route(world, route, role, None, side="b")
        assert answer.status_code == 200, (route.name, role, answer.text[:300])
    assert len(owners) > 10
    assert settled(world) == (log_before, models_before)
