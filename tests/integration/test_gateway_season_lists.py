"""The season's lists through the real gateway (``bola_world``: two of everything): a
campaign's positions, activities, hours, awards, appointments and accounts, cursor-paged,
filtered and scoped by role, with the fields they answered before they were paged; walks
through activities and positions while more are written show each one once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.integration.bola_world import B_NAME, World, settings, world
from tests.integration.test_gateway_placement import make_position

__all__ = ["settings", "world"]  # the world's fixtures, used here as they are
OPERATOR = ("operator", "operator-1")


def walk(world: World, path: str, as_: tuple[str, str] = OPERATOR, **params: Any) -> list[Any]:
    """Every item of a list, walked one page of ``limit`` (default 1) at a time."""
    items, cursor = [], None
    while True:
        query = {"limit": 1} | params | ({"cursor": cursor} if cursor else {})
        page = world.ok("GET", path, as_, params=query)
        assert len(page["items"]) <= query["limit"]
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def ids(items: list[Any], key: str) -> list[str]:
    return [item[key] for item in items]


def refused(world: World, path: str, as_: tuple[str, str]) -> int:
    return world.call("GET", "/api/v1" + path, as_).status_code


def test_the_seasons_lists_page_filter_and_show_each_role_only_its_own(world: World) -> None:
    known, campaign = world.ids, world.ids["campaign"]
    student_a, unit_a, student_b = world.student("a"), world.unit("a"), world.student("b")
    auditor = ("auditor", "auditor-1")

    positions = f"/campaigns/{campaign}/positions"
    listed = ids(walk(world, positions, student_a), "position_id")
    assert listed == [known["a_position"], known["b_position"]]  # oldest posting first
    newest = walk(world, positions, sort="-posted_at")
    assert ids(newest, "position_id") == listed[::-1]
    page = world.ok("GET", positions, params={"host_unit_id": known["b_unit"]})
    assert ids(page["items"], "position_id") == [known["b_position"]]
    assert page["positions"] == page["items"]
    assert (page["campaign_id"], page["status"]) == (campaign, "open")
    assert page["selection_window"]["campaign_id"] == campaign

    activities = walk(world, "/activities", student_a, campaign_id=campaign, sort="scheduled_at")
    assert ids(activities, "activity_id") == [known["a_activity"], known["b_activity"]]
    soonest = ids(walk(world, "/activities", student_a, campaign_id=campaign), "activity_id")
    assert sorted(soonest) == sorted(ids(activities, "activity_id"))  # both start together
    assert "coordinator" not in str(activities)
    mine = world.ok("GET", "/activities", unit_a, params={"host_unit_id": known["a_unit"]})
    assert ids(mine["items"], "activity_id") == [known["a_activity"]]
    assert mine["activities"] == mine["items"]
    assert (mine["total"], mine["limit"], mine["items"][0]["coordinator"]) == (1, 50, "周敏")
    by_start = world.ok("GET", "/activities", params={"limit": 1})["next_cursor"]
    mixed = world.call(
        "GET", "/api/v1/activities", params={"cursor": by_start, "sort": "-scheduled_at"}
    )
    assert (mixed.status_code, mixed.json()["error"]) == (422, "VALIDATION_FAILED")

    assert set(ids(walk(world, "/hours"), "hours_id")) == {known["a_hours"], known["b_hours"]}
    for who in (student_a, unit_a):
        assert ids(walk(world, "/hours", who), "hours_id") == [known["a_hours"]], who
        assert walk(world, "/hours", who, student_id=known["b_student"]) == [], who
    b_hours = walk(world, "/hours", activity_id=known["b_activity"], status="pending")
    assert (ids(b_hours, "student_id"), b_hours[0]["hours"]) == ([known["b_student"]], 2.0)
    assert refused(world, "/hours", auditor) == 403

    awards = walk(world, "/awards", campaign_id=campaign)
    assert ids(awards, "award_id") == [known["a_award"], known["b_award"]]
    assert B_NAME in str(awards)
    seen_by_unit = world.ok("GET", "/awards", unit_a)
    assert ids(seen_by_unit["items"], "award_id") == [known["a_award"]]
    assert seen_by_unit["awards"] == seen_by_unit["items"]
    assert "holder_name" not in seen_by_unit["items"][0]
    assert ids(walk(world, "/awards", student_a), "award_id") == [known["a_award"]]

    letters = walk(world, "/appointments", student_b)
    assert (ids(letters, "serial"), letters[0]["holder_name"]) == ([known["b_letter"]], B_NAME)
    assert ids(walk(world, "/appointments", status="active"), "serial") == [known["b_letter"]]
    assert walk(world, "/appointments", student_a) == []
    assert walk(world, "/appointments", student_a, student_id=known["b_student"]) == []
    assert refused(world, "/appointments", unit_a) == 403

    accounts = walk(world, "/accounts", role="student")  # accounts are the gateway's own
    assert [(row["account_id"], row["subject_id"]) for row in accounts] == [
        (known["b_account"], known["b_student"])
    ]
    assert not {"password_hash", "failed_sign_ins", "locked_until"} & set(accounts[0])
    assert walk(world, "/accounts", status="disabled") == []
    for who in (student_b, unit_a, auditor):
        assert refused(world, "/accounts", who) == 403


def test_walks_through_activities_and_positions_while_more_arrive_show_each_one_once(
    world: World,
) -> None:
    campaign, unit_a = world.ids["campaign"], world.unit("a")
    starts_at = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    for number in range(6):
        world.ok("POST", "/activities", json=an_activity(campaign, starts_at, number))
    positions = f"/campaigns/{campaign}/positions"
    before = {
        "activities": set(ids(walk(world, "/activities", limit=200), "activity_id")),
        positions: set(ids(walk(world, positions, limit=200), "position_id")),
    }
    done, added, failures = threading.Event(), [0], []

    def keep_writing() -> None:
        number = 100
        while not done.is_set() and number < 140:
            try:
                # Activities starting before, among and after those already listed.
                world.ok("POST", "/activities", json=an_activity(campaign, starts_at, number % 9))
                post = f"/host-units/{world.ids['a_unit']}/positions"
                world.ok("POST", post, unit_a, json=make_position(campaign, title=f"P{number}"))
            except AssertionError as error:  # pragma: no cover - reported below
                failures.append(error)
            added[0] += 1
            number += 1

    writer = threading.Thread(target=keep_writing, daemon=True)
    writer.start()
    try:
        for path, key, sort in (
            ("/activities", "activity_id", "scheduled_at"),
            ("/activities", "activity_id", "-scheduled_at"),
            (positions, "position_id", "posted_at"),
            (positions, "position_id", "-posted_at"),
        ):
            seen = ids(walk(world, path, sort=sort, limit=2), key)
            assert len(seen) == len(set(seen)), f"{path} {sort}: an item shown twice"
            assert before["activities" if path == "/activities" else path] <= set(seen), (
                f"{path} {sort}: an item missing"
            )
    finally:
        done.set()
        writer.join(60)
    assert not failures
    assert added[0], "nothing arrived during the walks"


def an_activity(campaign: str, starts_at: datetime, number: int) -> dict[str, Any]:
    begins = starts_at + timedelta(hours=number)
    return {
        "campaign_id": campaign,
        "title": f"Talk {number}",
        "kind": "civilised_city",
        "place": "Xiangyang Street",
        "starts_at": begins.isoformat(),
        "ends_at": (begins + timedelta(hours=1)).isoformat(),
        "capacity": 5,
        "coordinator": "周敏",
    }
