"""``gravity privacy retention`` over the real log and services (SQLite and PostgreSQL read
models): the dry run lists who is due and why, with no personal value, and erases nothing;
the real run erases them through recruitment's erasure, once."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from gravity.retention_run import read_facts, run_retention
from shared.events.canonical import format_timestamp
from tests.factories import make_resident_id
from tests.integration.test_gateway_api import NAME, PHONE, wait_for
from tests.integration.test_gateway_lists import open_campaign, register
from tests.integration.test_gateway_placement import enrol, post_positions, settings, stack

__all__ = ["settings", "stack"]  # the placement tests' fixtures, used here as they are
RULES = {"resident_id_days_after_campaign_end": "180", "phone_days_after_alliance_left": "365"}


def days_on(count: int) -> str:
    return format_timestamp(datetime.now(UTC) + timedelta(days=count))


def test_the_dry_run_lists_who_is_due_and_the_run_erases_them_once(stack, capsys):
    campaign_id = open_campaign(stack)
    students = [register(stack, campaign_id, seed) for seed in (71, 72)]
    stack.ok("POST", f"/campaigns/{campaign_id}/close")
    settings = dataclasses.replace(stack.settings, retention=RULES)
    wait_for(lambda: read_facts(settings).closed_at, lambda closed: campaign_id in closed)

    assert run_retention(settings, dry_run=True, now_text=days_on(200)) == 0
    early = capsys.readouterr().out
    assert "1 field(s) of 1 student(s) would be erased" not in early
    assert "2 field(s) of 2 student(s) would be erased" in early  # the ID numbers' rule only
    assert "2 field(s) not yet due" in early

    assert run_retention(settings, dry_run=True, now_text=days_on(400)) == 0
    listed = capsys.readouterr().out
    for student in students:
        assert f"{student}  id_number  resident_id_days_after_campaign_end=180  due " in listed
        assert f"{student}  phone  phone_days_after_alliance_left=365  due " in listed
    assert "4 field(s) of 2 student(s) would be erased" in listed
    for value in (NAME, PHONE, make_resident_id(71), make_resident_id(72)):
        assert value not in listed
    assert not read_facts(settings).erased  # a dry run erases nothing

    assert run_retention(settings, dry_run=False, now_text=days_on(400)) == 0
    erased = capsys.readouterr().out
    assert sorted(
        line.split()[0] for line in erased.splitlines() if line.split()[-1] == "erased"
    ) == sorted(students)
    assert f"{students[0]}  id_number phone  erased" in erased  # both fields, one erasure
    wait_for(
        lambda: read_facts(settings).erased,
        lambda found: found == {s: {"identity", "contact"} for s in students},
    )

    assert run_retention(settings, dry_run=False, now_text=days_on(400)) == 0
    assert "0 field(s) of 0 student(s) to erase" in capsys.readouterr().out


def test_a_malformed_schedule_or_time_erases_nothing_and_says_why(stack, capsys):
    bad = dataclasses.replace(stack.settings, retention={"phone_days_after_alliance_left": "x"})
    assert run_retention(bad, dry_run=False) == 2
    assert "retention.phone_days_after_alliance_left" in capsys.readouterr().err
    assert run_retention(stack.settings, dry_run=True, now_text="next tuesday") == 2


def test_a_student_whose_placement_is_agreed_waits_as_the_erasure_route_makes_them(stack, capsys):
    enrol(stack)
    post_positions(stack)
    ids = stack.ids
    placed = {"student_id": ids["s1"], "position_id": ids["pc"], "reason": "placed directly"}
    assert stack.ok("POST", "/placements", status=201, json=placed)["status"] == "agreed"
    stack.ok("POST", f"/campaigns/{ids['campaign']}/close")
    settings = dataclasses.replace(stack.settings, retention=RULES)

    def due_now() -> str:
        run_retention(settings, dry_run=True, now_text=days_on(400))
        return str(capsys.readouterr().out)

    listed = wait_for(due_now, lambda out: "waits: a placement" in out and "2 student(s)" in out)
    assert "4 field(s) of 2 student(s)" in listed
    assert f"{ids['s1']}  waits: a placement of the student is agreed or started" in listed
    due_fields = [line.split()[0] for line in listed.splitlines() if "  due " in line]
    assert sorted(set(due_fields)) == sorted([ids["s2"], ids["s3"]])
