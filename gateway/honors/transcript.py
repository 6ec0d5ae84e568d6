"""The second-classroom transcript (第二课堂成绩单) of one student in one campaign, built from
the read models alone, so that a rebuild from the event log gives the same transcript byte for
byte (no clock: the transcript is dated by its newest fact).

The categories (docs/honors.md, and the PDF's in docs/honors-documents.md):

* ``practice`` 实践实习: placements started or completed (host unit, position, period, hours,
  evaluation), the titles granted in the campaign (revoked ones are left out), featured diaries;
* ``volunteering`` 志愿公益: approved volunteering hours by kind of activity, and the total;
* ``posts`` 工作履历: deputy-secretary appointments with their terms (an ended one ends on
  the day it ended).

Students appear here by the registration's id: a registration belongs to one campaign.
A little past 200 lines: one query per category, kept together so that what the transcript
holds reads in one place.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gateway.honors.tables import appointments, awards, diaries
from gateway.placement.tables import host_units, placements, positions
from gateway.recruitment.tables import campaigns, students
from gateway.volunteering.tables import activities, hours

Row = dict[str, Any]
POST = "兼职副书记"
PRACTISED = ("started", "completed")
KIND_LABELS = {
    "classroom": "暑托班公益课堂",
    "civilised_city": "文明城市志愿服务",
    "river_cleanup": "河小青净滩",
    "safety_talk": "安全宣传",
    "other": "其他志愿服务",
}
CATEGORY_NAMES = {"practice": "实践实习", "volunteering": "志愿公益", "posts": "工作履历"}
MINUTES_PER_HOUR = 60


def reference_of(student_id: str) -> str:
    """The transcript's reference, which its QR code verifies: ``TR-<student id>``."""
    return f"TR-{student_id}"


def evaluation_label(score: int | None) -> str:
    """The host unit's score as the transcript prints it (``优秀 92``)."""
    if score is None:
        return "未评价"
    grade = (
        "优秀" if score >= 90 else "良好" if score >= 80 else "合格" if score >= 60 else "不合格"
    )
    return f"{grade} {score}"


def _rows(connection: Connection, query: sa.Select[Any]) -> list[Row]:
    return [dict(row._mapping) for row in connection.execute(query)]


def _practice(connection: Connection, student_id: str) -> tuple[list[Row], list[str]]:
    query = (
        sa.select(
            placements,
            positions.c.title,
            positions.c.starts_on,
            positions.c.ends_on,
            host_units.c.name.label("host_unit"),
        )
        .join(positions, positions.c.position_id == placements.c.position_id)
        .join(host_units, host_units.c.host_unit_id == placements.c.host_unit_id)
        .where(placements.c.student_id == student_id, placements.c.status.in_(PRACTISED))
        .order_by(positions.c.starts_on, placements.c.placement_id)
    )
    found = _rows(connection, query)
    records = []
    for row in found:
        start = row["started_on"] or row["starts_on"]
        records.append(
            {
                "host_unit": row["host_unit"],
                "position": row["title"],
                "starts_on": start,
                "ends_on": max(start, row["ends_on"]),
                "hours": row["hours_served"] or 0,
                "status": row["status"],
                "evaluation_score": row["evaluation_score"],
                "evaluation": evaluation_label(row["evaluation_score"]),
            }
        )
    return records, [row["updated_at"] for row in found]


def _volunteering(
    connection: Connection, student_id: str, campaign_id: str
) -> tuple[Row, list[str]]:
    query = (
        sa.select(activities.c.kind, hours.c.minutes, hours.c.updated_at)
        .join(activities, activities.c.activity_id == hours.c.activity_id)
        .where(
            hours.c.student_id == student_id,
            hours.c.campaign_id == campaign_id,
            hours.c.status == "approved",
        )
    )
    found = _rows(connection, query)
    minutes: dict[str, int] = defaultdict(int)
    for row in found:
        minutes[row["kind"]] += row["minutes"]
    by_kind = [
        {
            "kind": kind,
            "label": KIND_LABELS.get(kind, kind),
            "hours": minutes[kind] / MINUTES_PER_HOUR,
        }
        for kind in sorted(minutes)
    ]
    total = sum(minutes.values()) / MINUTES_PER_HOUR
    return {"hours_by_kind": by_kind, "total_hours": total}, [r["updated_at"] for r in found]


def _honours(connection: Connection, student_id: str) -> tuple[list[Row], list[str]]:
    query = (
        sa.select(awards)
        .where(awards.c.student_id == student_id, awards.c.status == "granted")
        .order_by(awards.c.issued_at, awards.c.serial)
    )
    found = _rows(connection, query)
    honours = [
        {"title": row["title_name"], "serial": row["serial"], "awarded_on": row["issued_at"][:10]}
        for row in found
    ]
    return honours, [row["updated_at"] for row in found]


def _diaries(connection: Connection, student_id: str) -> tuple[list[Row], list[str]]:
    query = (
        sa.select(diaries)
        .where(diaries.c.student_id == student_id, diaries.c.featured.is_(True))
        .order_by(diaries.c.featured_at, diaries.c.diary_id)
    )
    found = _rows(connection, query)
    featured = [{"title": row["title"], "featured_on": row["featured_at"][:10]} for row in found]
    return featured, [row["updated_at"] for row in found]


def _posts(connection: Connection, student_id: str) -> tuple[list[Row], list[str]]:
    query = (
        sa.select(appointments)
        .where(appointments.c.student_id == student_id)
        .order_by(appointments.c.term_starts_on, appointments.c.serial)
    )
    found = _rows(connection, query)
    posts = [
        {
            "post": POST,
            "committee": row["committee"],
            "serial": row["serial"],
            "term_starts_on": row["term_starts_on"],
            "term_ends_on": row["ended_on"] or row["term_ends_on"],
            "status": row["status"],
        }
        for row in found
    ]
    return posts, [row["updated_at"] for row in found]


def build_transcript(connection: Connection, student_id: str) -> Row | None:
    """The transcript of a registered student, or None for an unknown one."""
    query = sa.select(students, campaigns.c.name.label("campaign_name"), campaigns.c.year).join(
        campaigns, campaigns.c.campaign_id == students.c.campaign_id
    )
    student = connection.execute(query.where(students.c.student_id == student_id)).first()
    if student is None:
        return None
    row = dict(student._mapping)
    campaign_id = row["campaign_id"]
    practice, practice_at = _practice(connection, student_id)
    volunteering, volunteering_at = _volunteering(connection, student_id, campaign_id)
    honours, honours_at = _honours(connection, student_id)
    featured, featured_at = _diaries(connection, student_id)
    posts, posts_at = _posts(connection, student_id)
    facts = [row["registered_at"], *practice_at, *volunteering_at, *honours_at, *featured_at]
    return {
        "reference": reference_of(student_id),
        "student_id": student_id,
        "student_name": row["name"],
        "university": row["university"],
        "campaign_id": campaign_id,
        "campaign_name": row["campaign_name"],
        "issued_on": max([*facts, *posts_at])[:10],
        "categories": {
            "practice": {
                "name": CATEGORY_NAMES["practice"],
                "placements": practice,
                "honours": honours,
                "featured_diaries": featured,
            },
            "volunteering": {"name": CATEGORY_NAMES["volunteering"], **volunteering},
            "posts": {"name": CATEGORY_NAMES["posts"], "appointments": posts},
        },
        "summary": {
            "practice_hours": sum(record["hours"] for record in practice),
            "volunteering_hours": volunteering["total_hours"],
            "honours": len(honours),
            "appointments": len(posts),
            "featured_diaries": len(featured),
        },
    }
