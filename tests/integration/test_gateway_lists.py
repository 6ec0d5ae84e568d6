"""Lists and CORS through the real gateway over RabbitMQ, on SQLite and PostgreSQL read
models: students, host units, a campaign's placements and matching rounds, cursor-paged,
filtered and scoped by role; pages walked while registrations keep arriving; preflights from
an allowed and another origin."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import requests

from gateway.core.tokens import issue_token
from tests.integration.test_gateway_api import make_campaign, make_registration, wait_for
from tests.integration.test_gateway_placement import (
    CONTACT,
    PlacementStack,
    a_selection,
    settings,
    stack,
    wait_for_round,
)

__all__ = ["settings", "stack"]  # the placement tests' fixtures, used here as they are
FRONT_END = "http://localhost:5173"
UNIVERSITIES = ("Zhengzhou University", "Henan University", "Anyang Normal University")


def walk(stack: PlacementStack, path: str, who: str = "operator", **params: Any) -> list[Any]:
    """Every page of a list, in order; each page's items."""
    pages, cursor = [], None
    while True:
        query = params | ({"cursor": cursor} if cursor else {})
        page = stack.ok("GET", path, who, params=query)
        assert set(page) == {"items", "next_cursor"}
        pages.append(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return pages


def ids_of(pages: list[Any], key: str) -> list[str]:
    return [item[key] for page in pages for item in page]


def register(stack: PlacementStack, campaign_id: str, seed: int, **overrides: Any) -> str:
    body = make_registration(seed, **overrides)
    answer = stack.ok("POST", f"/campaigns/{campaign_id}/registrations", status=201, json=body)
    return str(answer["student_id"])


def open_campaign(stack: PlacementStack) -> str:
    campaign_id = str(
        stack.ok("POST", "/campaigns", status=201, json=make_campaign())["campaign_id"]
    )
    stack.ok("POST", f"/campaigns/{campaign_id}/open")
    return campaign_id


def listed_count(stack: PlacementStack, campaign_id: str) -> int:
    return sum(len(page) for page in walk(stack, "/students", campaign_id=campaign_id, limit=200))


def test_operators_page_and_filter_students_and_nobody_else_lists_them(
    stack: PlacementStack,
) -> None:
    campaign_id, other = open_campaign(stack), open_campaign(stack)
    registered = [
        register(
            stack,
            campaign_id,
            seed,
            name=("Zhang Wei" if seed == 3 else "孙悦"),
            university=UNIVERSITIES[seed % 3],
            hometown="Beiguan Town" if seed % 2 else "Xiangyang Street",
            channel="self" if seed == 5 else "organisation",
        )
        for seed in range(1, 8)
    ]
    register(stack, other, 99)
    stack.ok(
        "POST",
        f"/students/{registered[0]}/screening",
        json={"decision": "approved", "reason": "ok"},
    )
    wait_for(lambda: listed_count(stack, campaign_id), lambda count: count == 7)

    pages = walk(stack, "/students", campaign_id=campaign_id, limit=3)
    assert [len(page) for page in pages] == [3, 3, 1]
    assert ids_of(pages, "student_id") == registered  # registration order, each once
    first = pages[0][0]
    assert (first["name"], first["phone"], first["campaign_id"]) == (
        "孙悦",
        "13912345678",
        campaign_id,
    )
    assert "id_number" not in first

    by_university = ids_of(
        walk(stack, "/students", campaign_id=campaign_id, sort="university", limit=2), "university"
    )
    assert by_university == sorted(by_university)
    newest = ids_of(
        walk(stack, "/students", campaign_id=campaign_id, sort="-registered_at", limit=4),
        "student_id",
    )
    assert newest == registered[::-1]

    def only(**filters: str) -> set[str]:
        return set(
            ids_of(walk(stack, "/students", campaign_id=campaign_id, **filters), "student_id")
        )

    assert only(university=UNIVERSITIES[1]) == {registered[0], registered[3], registered[6]}
    assert only(hometown="Xiangyang Street") == set(registered[1::2])
    assert only(channel="self") == {registered[4]}
    wait_for(lambda: only(status="approved"), lambda found: found == {registered[0]})
    assert only(q="zhang") == only(q="WEI") == {registered[2]}
    assert len(ids_of(walk(stack, "/students", limit=200), "student_id")) == 8

    cursor = stack.ok("GET", "/students", params={"campaign_id": campaign_id, "limit": 1})[
        "next_cursor"
    ]
    other_sort = stack.call("GET", "/students", params={"cursor": cursor, "sort": "hometown"})
    assert (other_sort.status_code, other_sort.json()["error"]) == (422, "VALIDATION_FAILED")
    forged = stack.call("GET", "/students", params={"cursor": "bm90LWEtY3Vyc29y"})
    assert forged.status_code == 422
    stack.ids["unit_z"], stack.ids["s_z"] = str(uuid.uuid4()), registered[0]
    for who in ("unit_z", "s_z"):
        assert stack.call("GET", "/students", who).status_code == 403, who
    auditor = {"Authorization": f"Bearer {issue_token(stack.settings, 'auditor', 'a-1')}"}
    audited = requests.get(f"{stack.url}/api/v1/students", headers=auditor, timeout=10)
    assert audited.status_code == 403


def test_host_units_are_listed_to_every_role_with_the_contact_for_operators_only(
    stack: PlacementStack,
) -> None:
    for number, township in enumerate(("Xiangyang Street", "Beiguan Town", "Xiangyang Street")):
        unit = {
            "name": f"Unit {number} Bureau",
            "kind": "district bureau",
            "township": township,
            "contact_person": CONTACT,
            "contact_phone": "0371-62345678",
        }
        stack.ok("POST", "/host-units", status=201, json=unit)
    wait_for(lambda: stack.ok("GET", "/host-units")["items"], lambda items: len(items) == 3)

    pages = walk(stack, "/host-units", limit=2)
    assert [item["name"] for item in pages[0] + pages[1]] == [f"Unit {n} Bureau" for n in range(3)]
    assert pages[0][0]["contact_person"] == CONTACT
    stack.ids["unit_x"], stack.ids["s_x"] = str(uuid.uuid4()), str(uuid.uuid4())
    for who in ("unit_x", "s_x"):
        seen = walk(stack, "/host-units", who, limit=2)
        assert len(ids_of(seen, "host_unit_id")) == 3
        assert CONTACT not in str(seen)
    streets = walk(stack, "/host-units", township="Xiangyang Street", sort="-registered_at")
    assert [item["name"] for item in streets[0]] == ["Unit 2 Bureau", "Unit 0 Bureau"]
    assert [item["name"] for item in walk(stack, "/host-units", q="unit 1")[0]] == ["Unit 1 Bureau"]


def test_a_campaigns_placements_and_rounds_are_paged_and_a_host_unit_sees_only_its_own(
    stack: PlacementStack,
) -> None:
    offers = a_selection(stack)
    round_id = wait_for_round(stack, offers)
    ids, campaign = stack.ids, stack.ids["campaign"]
    path = f"/campaigns/{campaign}/placements"
    wait_for(lambda: stack.ok("GET", path)["items"], lambda items: len(items) == 3)

    everything = walk(stack, path, limit=1)
    assert [len(page) for page in everything] == [1, 1, 1]
    assert set(ids_of(everything, "placement_id")) == set(offers.values())
    oldest_first = ids_of(walk(stack, path, sort="created_at", limit=2), "placement_id")
    assert oldest_first == ids_of(everything, "placement_id")[::-1]

    own = ids_of(walk(stack, path, "unit_a", limit=1), "placement_id")
    assert sorted(own) == sorted([offers[ids["s2"]], offers[ids["s3"]]])
    assert walk(stack, path, "unit_a", host_unit_id=ids["unit_b"]) == [[]]
    assert ids_of(walk(stack, path, "unit_b"), "placement_id") == [offers[ids["s1"]]]
    assert stack.call("GET", path, "s1").status_code == 403

    at_pa = walk(stack, path, position_id=ids["pa"], status="offered")
    assert ids_of(at_pa, "student_id") == [ids["s2"]]
    assert walk(stack, path, status="agreed") == [[]]
    assert stack.call("GET", f"/campaigns/{uuid.uuid4()}/placements").status_code == 404

    rounds = walk(stack, f"/campaigns/{campaign}/matching-rounds", status="published")
    assert ids_of(rounds, "round_id") == [round_id]
    assert stack.call("GET", f"/campaigns/{campaign}/matching-rounds", "unit_a").status_code == 403


def test_a_walk_through_the_pages_while_students_register_shows_each_one_once(
    stack: PlacementStack,
) -> None:
    campaign_id = open_campaign(stack)
    before = {
        register(stack, campaign_id, seed, university=f"{'AMZ'[seed % 3]} University {seed}")
        for seed in range(1, 16)
    }
    wait_for(lambda: listed_count(stack, campaign_id), lambda count: count == 15)
    done, added, failures = threading.Event(), [], []

    def keep_registering() -> None:
        seed = 100
        while not done.is_set() and seed < 160:
            # Universities before, among and after the ones already listed.
            university = f"{'0AMZ~'[seed % 5]} University {seed}"
            try:
                added.append(register(stack, campaign_id, seed, university=university))
            except AssertionError as error:  # pragma: no cover - reported below
                failures.append(error)
            seed += 1

    writer = threading.Thread(target=keep_registering, daemon=True)
    writer.start()
    try:
        for sort in ("university", "-registered_at", "registered_at"):
            seen = ids_of(
                walk(stack, "/students", campaign_id=campaign_id, sort=sort, limit=2), "student_id"
            )
            assert len(seen) == len(set(seen)), f"{sort}: an item shown twice"
            assert before <= set(seen), f"{sort}: an item missing"
    finally:
        done.set()
        writer.join(30)
    assert not failures
    assert added, "no registration arrived during the walks"


def test_a_browser_on_an_allowed_origin_may_call_the_api_and_another_origin_may_not(
    stack: PlacementStack,
) -> None:
    def preflight(origin: str) -> requests.Response:
        return requests.options(
            f"{stack.url}/api/v1/students",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization",
            },
            timeout=10,
        )

    allowed = preflight(FRONT_END)
    assert allowed.status_code == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == FRONT_END
    assert allowed.headers["Access-Control-Allow-Methods"] == "GET"
    assert "Authorization" in allowed.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Max-Age" in allowed.headers
    other = preflight("https://elsewhere.example")
    assert not [name for name in other.headers if name.lower().startswith("access-control")]

    answer = stack.call("GET", "/host-units", headers={"Origin": FRONT_END})
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == FRONT_END
    assert "X-Correlation-Id" in answer.headers["Access-Control-Expose-Headers"]
    assert "Origin" in answer.headers["Vary"]
    elsewhere = stack.call("GET", "/host-units", headers={"Origin": "https://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in elsewhere.headers
