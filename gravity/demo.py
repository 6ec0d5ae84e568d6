"""``gravity demo``: a realistic season through the public API, modelled on summer 2023.

In the reference summer 74 students reached placement agreements; here 90 register, 74 are
approved, 10 rejected with reasons, 6 withdraw, and 23 join the Spark Alliance. Then 20 host
units post 40 positions (86 seats), the 74 approved students rank up to five each, the units
rank their applicants, a matching round is proposed and published, both sides confirm, any
student the round left over is placed directly, and all 74 placements get their insurance,
training and two signed documents and start. All data is invented (names, phones, ID numbers
with valid check digits). Each actor uses its own token: operator, host unit, student.
"""

from __future__ import annotations

import hashlib
import random
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from tqdm import tqdm

from services.recruitment.domain.resident_id import check_character
from shared.config import Settings

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["明", "芳", "磊", "静", "洋", "婷", "杰", "敏", "浩", "雪", "博", "琳", "鑫", "悦", "涛"]
UNIVERSITIES = [
    "Zhengzhou University",
    "Henan University",
    "Henan University of Technology",
    "Henan Normal University",
    "Wuhan University",
    "Xi'an Jiaotong University",
    "Henan Agricultural University",
    "North China University of Water Resources",
]
MAJORS = [
    "Public Administration",
    "Law",
    "Computer Science",
    "Civil Engineering",
    "Chinese Literature",
    "Accounting",
    "Environmental Science",
    "Education",
]
GRADES = ["sophomore", "junior", "senior", "postgraduate"]
HOMETOWNS = [
    "Xiangyang Street",
    "Beiguan Town",
    "Chengguan Town",
    "Dongfeng Street",
    "Hexi Township",
    "Nanhu Street",
    "Liulin Town",
]
HOST_UNITS = [
    ("District Civil Affairs Bureau", "district bureau", "Xiangyang Street"),
    ("District Water Resources Bureau", "district bureau", "Chengguan Town"),
    ("District Culture and Tourism Bureau", "district bureau", "Dongfeng Street"),
    ("District Education Bureau", "district bureau", "Nanhu Street"),
    ("District Health Commission", "district commission", "Xiangyang Street"),
    ("District Human Resources and Social Security Bureau", "district bureau", "Nanhu Street"),
    ("District Natural Resources Bureau", "district bureau", "Chengguan Town"),
    ("District Ecology and Environment Bureau", "district bureau", "Hexi Township"),
    ("District Agriculture and Rural Affairs Bureau", "district bureau", "Liulin Town"),
    ("District Market Supervision Bureau", "district bureau", "Dongfeng Street"),
    ("District Emergency Management Bureau", "district bureau", "Beiguan Town"),
    ("District Justice Bureau", "district bureau", "Xiangyang Street"),
    ("District Archives", "district institution", "Chengguan Town"),
    ("District Youth League Committee", "mass organisation", "Nanhu Street"),
    ("Beiguan Town Government", "township government", "Beiguan Town"),
    ("Chengguan Town Government", "township government", "Chengguan Town"),
    ("Liulin Town Government", "township government", "Liulin Town"),
    ("Hexi Township Government", "township government", "Hexi Township"),
    ("Xiangyang Street Office", "sub-district office", "Xiangyang Street"),
    ("Nanhu Street Office", "sub-district office", "Nanhu Street"),
]
POSITIONS = [
    ("Policy research assistant", "collect and summarise residents' opinions on new policies"),
    ("Community affairs assistant", "visit elderly residents living alone; keep visit records"),
    ("River chief office assistant", "join river patrols and the river clean-up volunteers"),
    ("Archive digitisation assistant", "scan and index archive files"),
    ("Summer classroom teaching assistant", "help run painting, paper-cutting and music classes"),
    ("Publicity and new media assistant", "write articles and make short videos on local work"),
    ("Service hall assistant", "guide residents through the service hall and its forms"),
    ("Drowning-prevention campaign assistant", "prepare and give safety talks in villages"),
]
SEATS = [2] * 34 + [3] * 6  # 40 positions, 86 seats for 74 students
DOCUMENTS = ("practice_notice", "confidentiality_commitment")
REJECTIONS = [
    "graduation year outside the programme",
    "hometown outside the district",
    "incomplete university recommendation",
]


def _resident_id(rng: random.Random) -> str:
    birth = datetime(2001, 1, 1, tzinfo=UTC) + timedelta(days=rng.randint(0, 1800))
    first = f"410102{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    return first + check_character(first)


def registrations(count: int, seed: int = 2023) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    for index in range(count):
        yield {
            "name": rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2)))),
            "phone": f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}",
            "id_number": _resident_id(rng),
            "university": rng.choice(UNIVERSITIES),
            "major": rng.choice(MAJORS),
            "grade": rng.choice(GRADES),
            "hometown": rng.choice(HOMETOWNS),
            "channel": "organisation" if index % 3 else "self",
        }


class DemoClient:
    """Talks to the public API; each call may act as another token's holder."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base = base_url.rstrip("/") + "/api/v1"
        self.http = requests.Session()
        self.token = token

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {token or self.token}"}
        if method == "POST":
            headers["Idempotency-Key"] = str(uuid.uuid4())
        response = self.http.request(
            method, self.base + path, json=body, headers=headers, timeout=30
        )
        if response.status_code >= 400:
            raise DemoError(method, path, response.status_code, response.text)
        return response.json()

    def post(self, path: str, body: Any = None, token: str | None = None) -> dict[str, Any]:
        result: dict[str, Any] = self.call("POST", path, body or {}, token)
        return result

    def put(self, path: str, body: Any, token: str | None = None) -> dict[str, Any]:
        result: dict[str, Any] = self.call("PUT", path, body, token)
        return result

    def get(self, path: str, token: str | None = None) -> dict[str, Any]:
        result: dict[str, Any] = self.call("GET", path, None, token)
        return result

    def wait_for(self, path: str, done: Callable[[dict[str, Any]], bool], what: str) -> Any:
        """Poll a read model until ``done``: reads are eventually consistent."""
        deadline = time.monotonic() + 120
        while not done(found := self.get(path)):
            if time.monotonic() > deadline:
                raise RuntimeError(f"gave up waiting for {what}")
            time.sleep(0.2)
        return found


class DemoError(RuntimeError):
    def __init__(self, method: str, path: str, status: int, text: str) -> None:
        super().__init__(f"{method} {path} -> {status} {text}")
        self.status = status


def load_demo(settings: Settings, base_url: str | None = None) -> int:
    from gateway.tokens import issue_token

    base_url = base_url or f"http://{settings.gateway_host}:{settings.gateway_port}"
    client = DemoClient(base_url, issue_token(settings, "operator", "demo-operator"))
    now = datetime.now(UTC)
    try:
        campaign = client.post(
            "/campaigns",
            {
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
    campaign_id = campaign["campaign_id"]
    client.post(f"/campaigns/{campaign_id}/open")
    people = {str(uuid.uuid4()): person for person in registrations(90)}
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
    print(
        f"reports: {base_url}/api/v1/campaigns/{campaign_id}/report and .../placements/report "
        "(operator token: gravity token --role operator --subject me)"
    )
    return 0


class Season:
    """The placement half of the demo: two-way selection through to 74 started placements."""

    def __init__(
        self, client: DemoClient, settings: Settings, campaign_id: str, approved: dict[str, Any]
    ) -> None:
        self.client, self.settings, self.campaign_id = client, settings, campaign_id
        self.approved = approved  # student id -> registration (for the insured person's name)
        self.rng = random.Random(2023)
        self.today = datetime.now(UTC).date()
        self.ends_on = self.today + timedelta(days=41)
        self.tokens: dict[str, str] = {}
        self.unit_of: dict[str, str] = {}  # position id -> host unit id
        self.choices: dict[str, list[str]] = {}
        self.report_path = f"/campaigns/{campaign_id}/placements/report"

    def token(self, role: str, subject: str) -> str:
        from gateway.tokens import issue_token

        if subject not in self.tokens:
            self.tokens[subject] = issue_token(self.settings, role, subject, ttl_seconds=4 * 3600)
        return self.tokens[subject]

    def run(self) -> None:
        units = self.register_host_units()
        self.post_positions(units)
        self.rank_both_ways()
        proposal = self.client.post(f"/campaigns/{self.campaign_id}/matching-rounds")
        published = self.client.post(f"/matching-rounds/{proposal['round_id']}/publication")
        agreed = [self.confirm(offer) for offer in tqdm(published["offers"], desc="confirming")]
        direct = self.place_leftovers(proposal)
        for placement in tqdm(agreed + direct, desc="readying", unit="placement"):
            self.ready_and_start(placement)
        report = self.client.wait_for(
            self.report_path,
            lambda r: r["agreements"] == len(self.approved) and r["started"] == r["agreements"],
            "every placement to show as started",
        )
        print(
            f"two-way selection: {len(units)} host units, {len(self.unit_of)} positions "
            f"({sum(SEATS)} seats); round {proposal['round_id'][:8]} "
            f"{'stable' if proposal['stable'] else 'UNSTABLE'}: {len(agreed)} matched and "
            f"confirmed by both sides, {len(direct)} placed directly"
        )
        print(
            f"placements: {report['agreements']} agreements at {report['host_units_involved']} "
            f"host units, {report['started']} started; positions filled "
            f"{report['positions']['filled']}, still open {report['positions']['open']}; "
            f"insured {report['insured_rate']:.0%}, trained {report['trained_rate']:.0%}, "
            f"signed {report['signed_rate']:.0%}"
        )

    def register_host_units(self) -> list[str]:
        units = []
        for name, kind, township in HOST_UNITS:
            unit = {
                "host_unit_id": str(uuid.uuid4()),
                "name": name,
                "kind": kind,
                "township": township,
                "contact_person": self.rng.choice(SURNAMES) + self.rng.choice(GIVEN),
                "contact_phone": f"0371-6{self.rng.randint(0, 9_999_999):07d}",
            }
            units.append(self.client.post("/host-units", unit)["host_unit_id"])
        return units

    def post_positions(self, units: list[str]) -> None:
        for index, seats in enumerate(SEATS):
            unit = units[index // 2]
            title, duties = POSITIONS[(index * 3) % len(POSITIONS)]
            position = {
                "campaign_id": self.campaign_id,
                "title": title,
                "duties": duties,
                "capacity": seats,
                "starts_on": self.today.isoformat(),
                "ends_on": self.ends_on.isoformat(),
                "place": HOST_UNITS[index // 2][0],
                "requirements": "home-district student; available for six weeks",
            }
            token = self.token("host_unit", unit)
            posted = self.client.post(f"/host-units/{unit}/positions", position, token)
            self.unit_of[posted["position_id"]] = unit

    def rank_both_ways(self) -> None:
        now = datetime.now(UTC)
        window = {
            "opens_at": (now - timedelta(minutes=1)).isoformat(),
            "closes_at": (now + timedelta(days=14)).isoformat(),
            "max_choices": 5,
        }
        self.client.post(f"/campaigns/{self.campaign_id}/selection-window", window)
        everyone = len(self.approved)
        self.client.wait_for(
            self.report_path, lambda r: r["candidates"] == everyone, "the approved candidates"
        )
        campaign = f"/campaigns/{self.campaign_id}/students"
        for student_id in tqdm(self.approved, desc="students ranking", unit="student"):
            chosen = self.rng.sample(sorted(self.unit_of), 5)
            self.choices[student_id] = chosen
            token = self.token("student", student_id)
            self.client.put(f"{campaign}/{student_id}/ranking", {"position_ids": chosen}, token)
        self.client.wait_for(
            self.report_path, lambda r: r["students_ranked"] == everyone, "every ranking"
        )
        for position_id, unit in tqdm(self.unit_of.items(), desc="units ranking", unit="position"):
            token = self.token("host_unit", unit)
            found = self.client.get(f"/positions/{position_id}/applicants", token)["applicants"]
            if found:
                order = sorted((a["student_id"] for a in found), key=lambda _: self.rng.random())
                ranking = {"student_ids": order, "unacceptable": []}
                self.client.put(f"/positions/{position_id}/applicant-ranking", ranking, token)

    def confirm(self, offer: dict[str, Any]) -> dict[str, Any]:
        path = f"/placements/{offer['placement_id']}/confirmation"
        self.client.post(path, token=self.token("student", offer["student_id"]))
        self.client.post(path, token=self.token("host_unit", self.unit_of[offer["position_id"]]))
        return offer

    def place_leftovers(self, proposal: dict[str, Any]) -> list[dict[str, Any]]:
        """Whom the round left without a seat gets one directly: a chosen one if still free."""
        free = dict(proposal["unfilled"])
        placed = []
        for student_id in proposal["unmatched"]:
            wanted = [pid for pid in self.choices[student_id] if free.get(pid, 0) > 0]
            position_id = (wanted or [pid for pid, seats in free.items() if seats > 0])[0]
            free[position_id] -= 1
            body = {
                "student_id": student_id,
                "position_id": position_id,
                "reason": "every chosen position was full after the matching round",
            }
            placed.append(self.client.post("/placements", body))
        return placed

    def ready_and_start(self, placement: dict[str, Any]) -> None:
        path = f"/placements/{placement['placement_id']}"
        unit = self.token("host_unit", self.unit_of[placement["position_id"]])
        student = self.token("student", placement["student_id"])
        insurance = {
            "insurer": "PICC District Branch",
            "policy_number": f"PA-{self.today.year}-{self.rng.randint(0, 999_999):06d}",
            "insured_person": self.approved[placement["student_id"]]["name"],
            "covers_from": (self.today - timedelta(days=1)).isoformat(),
            "covers_until": (self.ends_on + timedelta(days=1)).isoformat(),
        }
        self.client.post(f"{path}/insurance", insurance, unit)
        training = {
            "session": "pre-job training, district youth league",
            "attended_on": str(self.today),
        }
        self.client.post(f"{path}/training", training)
        for kind in DOCUMENTS:
            text = f"{kind} of the Gravity Plan, {self.today.year} edition".encode()
            document = {
                "document_kind": kind,
                "version": f"{self.today.year}.1",
                "content_hash": "sha256:" + hashlib.sha256(text).hexdigest(),
            }
            self.client.post(f"{path}/documents", document, student)
        self.client.post(f"{path}/start", {"started_on": self.today.isoformat()}, unit)
