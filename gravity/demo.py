"""``gravity demo``: a realistic season through the public API, modelled on summer 2023.

In the reference summer 74 students reached placement agreements; here 90 register, 74 are
approved, 10 rejected with reasons, 6 withdraw, and 23 join the Spark Alliance. All data is
invented (names, phones, ID numbers with valid check digits).
"""

from __future__ import annotations

import random
import sys
import uuid
from collections.abc import Iterator
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
    def __init__(self, base_url: str, token: str) -> None:
        self.base = base_url.rstrip("/") + "/api/v1"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.http.post(
            self.base + path,
            json=body or {},
            timeout=30,
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        if response.status_code >= 400:
            raise RuntimeError(f"POST {path} -> {response.status_code} {response.text}")
        result: dict[str, Any] = response.json()
        return result

    def get(self, path: str) -> dict[str, Any]:
        response = self.http.get(self.base + path, timeout=30)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result


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
    students = [
        client.post(f"/campaigns/{campaign_id}/registrations", registration)["student_id"]
        for registration in tqdm(registrations(90), desc="registering", unit="student")
    ]
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
    print(
        f"report: {base_url}/api/v1/campaigns/{campaign_id}/report "
        "(operator token: gravity token --role operator --subject me)"
    )
    return 0
