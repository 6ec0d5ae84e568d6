"""The reference summer's volunteering, as the demo plays it: what each activity is, who runs
it, how many volunteers it takes and whom it reached (invented but realistic figures that
reproduce the seed's: 590+ children, 20+ volunteers outdoors, 10+ talks to 1000+ residents).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    """One activity of the summer: what, who runs it (a host unit's name, or the committee),
    how many volunteers, how long, and whom it reached."""

    title: str
    kind: str
    detail: str  # a classroom's subject or a talk's topic
    place: str
    unit: str | None
    volunteers: int
    hours: int
    children: int = 0
    residents: int = 0
    sessions: int = 1


def _plans() -> Iterator[Plan]:
    """8 classrooms (594 children), 2 civilised-city works and a river clean-up (24 volunteers),
    11 safety talks (1,084 residents): 70 volunteers in all."""
    subjects = ("painting", 80), ("paper_cutting", 72), ("calligraphy", 75), ("music", 78)
    for subject, children in subjects:
        yield from _classrooms(subject, children)
    for street in ("Dongfeng Street", "Nanhu Street"):
        yield Plan(f"Civilised city: {street}", "civilised_city", "", street, None, 8, 4)
    yield Plan(
        "河小青净滩 river clean-up",
        "river_cleanup",
        "",
        "Hexi Township riverbank",
        "District Water Resources Bureau",
        8,
        3,
    )
    talks = (95, 110, 88, 102, 120, 97), (90, 105, 85, 99, 93)
    units = "District Emergency Management Bureau", "District Health Commission"
    for topic, unit, residents in zip(
        ("drowning_prevention", "sanitation"), units, talks, strict=True
    ):
        for number, reached in enumerate(residents, start=1):
            title = f"Safety talk: {topic.replace('_', ' ')} #{number}"
            yield Plan(title, "safety_talk", topic, "village hall", unit, 2, 2, 0, reached)


def _classrooms(subject: str, children: int) -> Iterator[Plan]:
    """Two summer classrooms of a subject: the Education Bureau's in Xiangyang Street, the
    committee's own in Beiguan Town (four children fewer)."""
    name = subject.replace("_", "-")
    for town, unit, taught in (
        ("Xiangyang Street", "District Education Bureau", children),
        ("Beiguan Town", None, children - 4),
    ):
        place = f"{town} community centre"
        title = f"Summer classroom: {name} ({town})"
        yield Plan(title, "classroom", subject, place, unit, 3, 3, taught, 0, 6)


PLANS = tuple(_plans())
CORRECTED_AT, NO_SHOW_AT = PLANS[0], PLANS[8]  # a classroom; the first civilised-city work
DECLINED_AT = frozenset((PLANS[1], PLANS[6], PLANS[11]))  # its last volunteer's hours
DECLINED = "not on the sign-in sheet for the whole session"
