"""The honours half of the demo: the reference summer ends with 10 advanced individuals
(先进个人) and their certificates, 17 part-time deputy secretaries (兼职副书记) with letters,
33 practice diaries in the showcase (each with its student's consent), a second-classroom
transcript for every placed student, and recommendations to the universities of those who
consented (推优), all through the public API.

Every practice is completed (a day served) and evaluated by its host unit first, since a
title needs a completed practice evaluated at 80 or more. The ten best evaluated are named
advanced individuals; the next seventeen are appointed, one to each township or street
committee in turn. Honours learns of the evaluations from placement's events, so the first
nominations wait until it has (reads and eligibility are eventually consistent).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tqdm import tqdm

from gravity.demo.client import DemoClient, DemoError
from gravity.demo.data import HOST_UNITS

Token = Callable[[str, str], str]
AWARDS, APPOINTMENTS, FEATURED, DIARIES, RECOMMENDED = 10, 17, 33, 40, 24
# The township and street Youth League committees of the host units' places.
COMMITTEES = tuple(
    {
        "Beiguan Town": "北关镇团委",
        "Chengguan Town": "城关镇团委",
        "Dongfeng Street": "东风街道团工委",
        "Hexi Township": "河西乡团委",
        "Liulin Town": "柳林镇团委",
        "Nanhu Street": "南湖街道团工委",
        "Xiangyang Street": "向阳街道团工委",
    }[township]
    for township in sorted({township for _, _, township in HOST_UNITS})
)
DIARY_LINES = (
    "Today I sorted the archive of residents' letters and learnt how a street office works.",
    "We walked the river with the river chief and counted the bags of litter we picked up.",
    "I taught twelve children paper-cutting; the smallest one cut a perfect butterfly.",
    "The policy survey took us to forty households; most asked about the new bus line.",
)


class HonoursSeason:
    """Completes and evaluates the practices, then awards, appoints, features, recommends."""

    def __init__(
        self,
        client: DemoClient,
        token: Token,
        campaign_id: str,
        people: dict[str, dict[str, Any]],
        units: dict[str, str],
    ) -> None:
        self.client, self.token, self.campaign_id = client, token, campaign_id
        self.people = people  # student id -> registration, of the approved students
        self.units = units  # host unit name -> id
        self.rng = random.Random(1011)
        self.report_path = f"/campaigns/{campaign_id}/honours/report"

    def run(self) -> dict[str, Any]:
        scores = self.complete_and_evaluate()
        ranked = sorted(scores, key=lambda student: (-scores[student], student))
        serials = [self.award(student) for student in tqdm(ranked[:AWARDS], desc="awards")]
        letters = [
            self.appoint(student, COMMITTEES[index % len(COMMITTEES)])
            for index, student in enumerate(tqdm(ranked[AWARDS : AWARDS + APPOINTMENTS], "letters"))
        ]
        shuffled = sorted(scores)
        self.rng.shuffle(shuffled)
        featured = self.diaries(shuffled[:DIARIES])
        recommended = self.recommend(shuffled[-RECOMMENDED:])
        transcripts = sum(
            bool(self.client.get(f"/students/{student}/transcript")["reference"])
            for student in tqdm(scores, desc="transcripts")
        )
        report = dict(
            self.client.wait_for(
                self.report_path,
                lambda r: (
                    r["diaries"]["featured"] == featured
                    and r["recommendations"]["sent"] == recommended
                ),
                "every honour to show in the report",
            )
        )
        report["transcripts"] = transcripts
        report["serials"] = (serials[0], serials[-1], letters[0], letters[-1])
        return report

    def complete_and_evaluate(self) -> dict[str, int]:
        """Each host unit completes its started placements (a day served) and scores them."""
        scores: dict[str, int] = {}
        for unit in tqdm(self.units.values(), desc="evaluations", unit="host unit"):
            token = self.token("host_unit", unit)
            found = self.client.get(f"/host-units/{unit}/placements", token)["placements"]
            for placement in found:
                if placement["status"] != "started":
                    continue
                path = f"/placements/{placement['placement_id']}"
                served = {"days_served": 1, "hours_served": self.rng.randint(6, 8)}
                self.client.post(f"{path}/completion", served, token)
                score = self.rng.randint(70, 98)
                evaluation = {"score": score, "comment": "punctual, thorough, liked by residents"}
                self.client.post(f"{path}/evaluation", evaluation, token)
                scores[placement["student_id"]] = score
        return scores

    def award(self, student: str) -> str:
        """Nominate (retried while honours has not yet heard of the evaluation) and grant."""
        body = {
            "student_id": student,
            "campaign_id": self.campaign_id,
            "citation": "在引力计划暑期社会实践中表现突出并服务群众认真负责",
        }
        deadline = time.monotonic() + 120
        while True:
            try:
                nominated = self.client.post("/awards", body)
                break
            except DemoError as error:
                if error.status != 409 or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        return str(self.client.post(f"/awards/{nominated['award_id']}/grant")["serial"])

    def appoint(self, student: str, committee: str) -> str:
        today = datetime.now(UTC).date()
        body = {
            "student_id": student,
            "campaign_id": self.campaign_id,
            "committee": committee,
            "term_starts_on": today.isoformat(),
            "term_ends_on": (today + timedelta(days=364)).isoformat(),
        }
        return str(self.client.post("/appointments", body)["serial"])

    def diaries(self, writers: list[str]) -> int:
        """Each writer submits a diary; the first 33 consent to the showcase and are featured."""
        for index, student in enumerate(tqdm(writers, desc="diaries")):
            token = self.token("student", student)
            name = self.people[student]["name"]
            diary = {
                "campaign_id": self.campaign_id,
                "title": f"实践日志 第{index % 6 + 1}周",
                "text": "\n".join(self.rng.sample(DIARY_LINES, 2)),
                "display_name": f"{name[0]}同学",
            }
            written = self.client.post(f"/students/{student}/diaries", diary, token)
            if index < FEATURED:
                self.client.put(f"/students/{student}/consents/showcase", {"given": True}, token)
                self.client.post(f"/diaries/{written['diary_id']}/feature")
        return min(FEATURED, len(writers))

    def recommend(self, students: list[str]) -> int:
        """Those who consent to a university report are recommended with their transcript."""
        for student in tqdm(students, desc="recommendations"):
            token = self.token("student", student)
            self.client.put(
                f"/students/{student}/consents/university_report", {"given": True}, token
            )
            self.client.post(f"/students/{student}/recommendations")
        return len(students)


def honours_headline(report: dict[str, Any]) -> str:
    advanced = report["awards_by_title"].get("ADV", {}).get("granted", 0)
    first, last, first_letter, last_letter = report["serials"]
    return (
        f"honours: {advanced} advanced individuals with certificates ({first} to {last}), "
        f"{report['appointments']['made']} deputy secretaries with letters ({first_letter} to "
        f"{last_letter}), {report['diaries']['featured']} featured diaries, "
        f"{report['recommendations']['sent']} recommendations sent; transcripts for "
        f"{report['transcripts']} placed students"
    )


def run_honours(client: DemoClient, season: Any, campaign_id: str) -> None:
    """The demo's hook: the honours half after placement (``season``) and volunteering."""
    honours = HonoursSeason(client, season.token, campaign_id, season.approved, season.units)
    try:
        print(honours_headline(honours.run()))
    except DemoError as error:
        if error.status != 503:
            raise
        print("gravity demo: the honours service is not running; honours skipped")
