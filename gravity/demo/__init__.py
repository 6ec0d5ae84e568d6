"""``gravity demo``: a realistic season through the public API, modelled on summer 2023.

In the reference summer 74 students reached placement agreements; here 90 register, 74 are
approved, 10 rejected with reasons, 6 withdraw, and 23 join the Spark Alliance. Then 20 host
units post 40 positions (86 seats), the 74 approved students rank up to five each, the units
rank their applicants, a matching round is proposed and published, both sides confirm, any
student the round left over is placed directly, and all 74 placements get their insurance,
training and two signed documents and start. Then the summer's volunteering: 8 summer
classrooms in four subjects, civilised-city work, a river clean-up and 11 safety talks, with
70 of the approved students signing up, their hours logged and decided, and the people
reached reported (``gravity.demo.activities``). All data is invented (names, phones, ID numbers
with valid check digits). Each actor uses its own token: operator, host unit, student.
"""

from __future__ import annotations

import random
import sys
from datetime import UTC, datetime, timedelta

import requests
from tqdm import tqdm

from gravity.demo.client import DemoClient, DemoError
from gravity.demo.data import REJECTIONS, registrations
from gravity.demo.honours import run_honours
from gravity.demo.ids import demo_campaign_id, demo_record_id
from gravity.demo.season import Season
from gravity.demo.volunteering import VolunteeringSeason, headline
from shared.config import Settings

__all__ = ["demo_campaign_id", "load_demo", "registrations"]


def load_demo(settings: Settings, base_url: str | None = None) -> int:
    from gateway.core.tokens import issue_token

    base_url = base_url or f"http://{settings.gateway_host}:{settings.gateway_port}"
    client = DemoClient(base_url, issue_token(settings, "operator", "demo-operator"))
    now = datetime.now(UTC)
    campaign_id = demo_campaign_id(now.year)
    stop = _create_campaign(client, base_url, campaign_id, now)
    if stop is not None:
        return stop
    client.post(f"/campaigns/{campaign_id}/open")
    people = {
        demo_record_id(campaign_id, "student", index): person
        for index, person in enumerate(registrations(90))
    }
    for student_id, person in tqdm(people.items(), desc="registering", unit="student"):
        body = person | {"student_id": student_id}
        client.post(f"/campaigns/{campaign_id}/registrations", body)
    students = list(people)
    rng = random.Random(7)
    for index, student_id in enumerate(tqdm(students, desc="screening", unit="student")):
        if index < 74:
            client.post(
                f"/students/{student_id}/screening",
                {"decision": "approved", "reason": "meets the programme criteria"},
            )
        elif index < 84:
            client.post(
                f"/students/{student_id}/screening",
                {"decision": "rejected", "reason": rng.choice(REJECTIONS)},
            )
        else:
            client.post(f"/students/{student_id}/withdrawal", {"reason": "family plans"})
    for student_id in students[:23]:
        client.post(f"/students/{student_id}/alliance")
    print(
        f"campaign {campaign_id}: 90 registered, 74 approved, 10 rejected, 6 withdrawn, "
        "23 in the Spark Alliance"
    )
    season = Season(client, settings, campaign_id, {sid: people[sid] for sid in students[:74]})
    try:
        season.run()
    except DemoError as error:
        if error.status != 503:
            raise
        print("gravity demo: the placement service is not running; two-way selection skipped")
    volunteering = VolunteeringSeason(
        client, season.token, campaign_id, students[:74], season.units
    )
    try:
        print(headline(volunteering.run()))
    except DemoError as error:
        if error.status != 503:
            raise
        print("gravity demo: the volunteering service is not running; volunteering skipped")
    run_honours(client, season, campaign_id)
    print(
        f"reports: {base_url}/api/v1/campaigns/{campaign_id}/report, .../placements/report and "
        ".../volunteering/report "
        "(operator token: gravity token --role operator --subject me)"
    )
    return 0


def _create_campaign(
    client: DemoClient, base_url: str, campaign_id: str, now: datetime
) -> int | None:
    """Create the demo's campaign; an exit code when the demo is not to go on (no gateway,
    or this year's demo season exists already)."""
    try:
        client.post(
            "/campaigns",
            {
                "campaign_id": campaign_id,
                "name": f"引力计划 {now.year} 暑期社会实践 (demo, after the 2023 reference summer)",
                "year": now.year,
                "season": "summer",
                "registration_opens_at": (now - timedelta(days=1)).isoformat(),
                "registration_closes_at": (now + timedelta(days=60)).isoformat(),
                "scope": "home-district university students",
                "practice_content": "government host units; summer classrooms; river clean-ups",
            },
        )
    except requests.ConnectionError:
        print(
            f"gravity demo: no gateway at {base_url}; start the suite with `gravity up`",
            file=sys.stderr,
        )
        return 2
    except DemoError as error:
        if error.status != 409:
            raise
        print(
            f"gravity demo: the {now.year} demo season is loaded already (campaign "
            f"{campaign_id}); nothing was changed. For a fresh one, run the suite on an empty "
            "data directory.",
            file=sys.stderr,
        )
        return 0
    return None
