"""Invented but realistic people, host units and positions for the demo (seeded)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.resident_id import check_character

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
    """``count`` registration bodies; no ID number twice (one campaign refuses a repeat)."""
    rng = random.Random(seed)
    issued: set[str] = set()
    for index in range(count):
        name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))
        phone = f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}"
        id_number = _resident_id(rng)
        while id_number in issued:
            id_number = _resident_id(rng)
        issued.add(id_number)
        yield {
            "name": name,
            "phone": phone,
            "id_number": id_number,
            "university": rng.choice(UNIVERSITIES),
            "major": rng.choice(MAJORS),
            "grade": rng.choice(GRADES),
            "hometown": rng.choice(HOMETOWNS),
            "channel": "organisation" if index % 3 else "self",
        }
