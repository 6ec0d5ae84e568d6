"""The volunteering half of the demo: the reference summer's classrooms, civilised-city work,
river clean-up and safety talks, through the public API.

Each activity is scheduled to start a few seconds after it is scheduled (the demo runs its
summer today, while you watch): volunteers sign up before it starts; once it has started its
coordinator (the committee, or the host unit running it) completes it, reports the people
it reached, and decides the hours its volunteers log. Each volunteer takes one activity, so
that no one's activities overlap.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tqdm import tqdm

from gravity.demo.activities import CORRECTED_AT, DECLINED, DECLINED_AT, NO_SHOW_AT, PLANS, Plan
from gravity.demo.client import DemoClient, DemoError
from gravity.demo.data import GIVEN, SURNAMES

LEAD = timedelta(seconds=8)  # from scheduling to the start: time enough for the sign-ups
Token = Callable[[str, str], str]


class VolunteeringSeason:
    """Schedules, signs up, runs and reports the summer's volunteering."""

    def __init__(
        self,
        client: DemoClient,
        token: Token,
        campaign_id: str,
        volunteers: list[str],
        units: dict[str, str],
    ) -> None:
        self.client, self.token, self.campaign_id = client, token, campaign_id
        self.volunteers = list(volunteers)  # each takes one activity
        self.units = units  # host unit name -> id (empty when placement did not run)
        self.rng = random.Random(2023)
        self.report_path = f"/campaigns/{campaign_id}/volunteering/report"

    def run(self) -> dict[str, Any]:
        held = [self.schedule_and_sign_up(plan) for plan in tqdm(PLANS, desc="activities")]
        last_start = max(activity["starts_at"] for activity, _plan, _seated in held)
        time.sleep(max(0.0, (last_start - datetime.now(UTC)).total_seconds()) + 0.5)
        logged = sum(self.take_place(*activity) for activity in tqdm(held, desc="hours"))
        return dict(
            self.client.wait_for(
                self.report_path,
                lambda r: _decided(r["totals"]["hours_entries"]) == logged,
                "every hours decision to show in the report",
            )
        )

    def coordinator_token(self, plan: Plan) -> str | None:
        """The host unit running the activity acts with its own token; else an operator."""
        unit = self.units.get(plan.unit or "")
        return None if unit is None else self.token("host_unit", unit)

    def schedule_and_sign_up(self, plan: Plan) -> tuple[dict[str, Any], Plan, list[str]]:
        starts_at = datetime.now(UTC) + LEAD
        body = {
            "campaign_id": self.campaign_id,
            "title": plan.title,
            "kind": plan.kind,
            "subject": plan.detail if plan.kind == "classroom" else "",
            "topic": plan.detail if plan.kind == "safety_talk" else "",
            "place": plan.place,
            "starts_at": starts_at.isoformat(),
            "ends_at": (starts_at + timedelta(hours=plan.hours)).isoformat(),
            "capacity": plan.volunteers + 2,
            "coordinator": self.rng.choice(SURNAMES) + self.rng.choice(GIVEN),
        }
        activity = self.client.post("/activities", body, self.coordinator_token(plan))
        seated = [self.volunteers.pop() for _ in range(plan.volunteers)]
        for index, student_id in enumerate(seated):
            # Most sign up themselves in the student app; some at the committee's desk.
            token = None if index % 4 == 3 else self.token("student", student_id)
            self.sign_up(activity["activity_id"], student_id, token)
        return activity | {"starts_at": starts_at}, plan, seated

    def sign_up(self, activity_id: str, student_id: str, token: str | None) -> None:
        """Volunteering learns of approvals from recruitment's events: a student approved a
        moment ago may not be known there yet, so a refusal for that is tried again."""
        deadline = time.monotonic() + 30
        while True:
            try:
                body = {"student_id": student_id}
                self.client.post(f"/activities/{activity_id}/signups", body, token)
                return
            except DemoError as error:
                if "NOT_A_VOLUNTEER" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def take_place(self, activity: dict[str, Any], plan: Plan, seated: list[str]) -> int:
        """Complete, report the people reached, log and decide hours; returns how many hours
        entries were logged (one volunteer of the first civilised-city work did not come)."""
        path = f"/activities/{activity['activity_id']}"
        coordinator = self.coordinator_token(plan)
        attended = list(seated)
        if plan == NO_SHOW_AT:
            self.client.post(f"{path}/signups/{attended.pop()}/no-show", {}, coordinator)
        self.client.post(f"{path}/completion", {}, coordinator)
        counts = {"children": plan.children, "residents": plan.residents, "sessions": plan.sessions}
        self.client.post(f"{path}/beneficiaries", counts, coordinator)
        for index, student_id in enumerate(attended):
            body = {"student_id": student_id, "hours": plan.hours, "note": plan.title}
            entry = self.client.post(f"{path}/hours", body, self.token("student", student_id))
            decision = self.decision(plan, index)
            self.client.post(f"/hours/{entry['hours_id']}/decision", decision, coordinator)
            if plan == CORRECTED_AT and index == 0:
                correction = {"hours": plan.hours - 0.5, "reason": "arrived half an hour late"}
                self.client.post(f"/hours/{entry['hours_id']}/correction", correction, coordinator)
        return len(attended)

    @staticmethod
    def decision(plan: Plan, index: int) -> dict[str, str]:
        """Most hours are approved; the last volunteer's of three activities are declined."""
        if plan in DECLINED_AT and index == plan.volunteers - 1:
            return {"decision": "declined", "reason": DECLINED}
        return {"decision": "approved"}


def _decided(entries: dict[str, int]) -> int:
    return entries["approved"] + entries["declined"] if entries["corrected"] else -1


def headline(report: dict[str, Any]) -> str:
    """The report's figures as the seed tells the reference summer."""
    totals, kinds = report["totals"], report["by_kind"]
    classrooms, talks = kinds.get("classroom", {}), kinds.get("safety_talk", {})
    outdoors = sum(
        kinds.get(kind, {}).get("volunteers", 0) for kind in ("civilised_city", "river_cleanup")
    )
    entries = totals["hours_entries"]
    return (
        f"volunteering: {totals['activities']} activities, {totals['volunteers']} volunteers, "
        f"{totals['approved_hours']:g} approved hours; summer classrooms in "
        f"{len(report['by_subject'])} subjects for {classrooms.get('children', 0)} children; "
        f"{outdoors} volunteers in civilised-city work and the river clean-up; "
        f"{talks.get('activities', 0)} safety talks reaching {talks.get('residents', 0)} "
        f"residents; hours entries {entries['approved']} approved ({entries['corrected']} "
        f"corrected), {entries['declined']} declined"
    )
