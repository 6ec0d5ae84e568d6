"""What can be exported per campaign: each dataset's columns, where they come from, and the
order its rows are read in.

A column is a read-model column; whether it is personal is read from that column's own mark
(``info=PERSONAL`` in the section's tables), never declared again here, so an export without
personal data (an auditor's, a host unit's) simply leaves those columns out. Rows are read in
batches by a keyset on values that never change once a row exists, ended by the row's id.
(A little over 200 lines: declarations only, a column a line, in the order the files show them.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from gateway.core.paging import SortKey
from gateway.honors.tables import appointments, awards
from gateway.placement.tables import host_units, placements, positions
from gateway.recruitment.tables import students
from gateway.volunteering.tables import activities, hours
from shared.contracts.fields import PERSONAL_DATA


@dataclass(frozen=True)
class ExportColumn:
    """One column of an export: its header and the read-model column it shows."""

    header: str
    source: sa.Column[Any]

    @property
    def personal(self) -> bool:
        return bool(self.source.info.get(PERSONAL_DATA))


@dataclass(frozen=True)
class Dataset:
    """One export: its columns, the rows it reads (``source``, filtered by ``campaign``),
    the student each row is about (``person``), their order (``key``), and the column a
    host unit's own rows are found by (``None``: host units may not export it)."""

    name: str
    title: str  # in Chinese, for the file name the operator sees
    columns: tuple[ExportColumn, ...]
    source: sa.FromClause
    campaign: sa.Column[Any]
    person: sa.Column[Any]
    key: SortKey
    host_unit: sa.Column[Any] | None = None

    def visible(self, personal: bool) -> tuple[ExportColumn, ...]:
        """The columns shown: every one to those entitled to personal data, else none of those."""
        return tuple(column for column in self.columns if personal or not column.personal)


def _columns(table: sa.Table, *names: str) -> tuple[ExportColumn, ...]:
    return tuple(ExportColumn(name, table.c[name]) for name in names)


STUDENTS = Dataset(
    "students",
    "报名学生",
    _columns(
        students,
        "student_id",
        "name",
        "phone",
        "id_number",
        "university",
        "major",
        "grade",
        "hometown",
        "channel",
        "status",
        "screening_decision",
        "screening_reason",
        "screened_at",
        "withdrawal_reason",
        "in_alliance",
        "registered_at",
    ),
    students,
    students.c.campaign_id,
    students.c.student_id,
    SortKey("registered_at", (students.c.registered_at, students.c.student_id)),
)

# A placement begins as an offer or, placed directly, agreed: the one set first never changes.
_PLACED = sa.func.coalesce(placements.c.offered_at, placements.c.agreed_at)
PLACEMENTS = Dataset(
    "placements",
    "实践安排",
    (
        *_columns(placements, "placement_id", "student_id"),
        ExportColumn("student_name", students.c.name),
        *_columns(placements, "host_unit_id"),
        ExportColumn("host_unit", host_units.c.name),
        *_columns(placements, "position_id"),
        ExportColumn("position", positions.c.title),
        *_columns(
            placements,
            "status",
            "direct",
            "direct_reason",
            "started_on",
            "days_served",
            "hours_served",
            "evaluation_score",
            "evaluation_comment",
            "feedback_rating",
            "feedback_suggestions",
            "end_reason",
            "offered_at",
            "agreed_at",
        ),
    ),
    placements.outerjoin(students, students.c.student_id == placements.c.student_id)
    .outerjoin(host_units, host_units.c.host_unit_id == placements.c.host_unit_id)
    .outerjoin(positions, positions.c.position_id == placements.c.position_id),
    placements.c.campaign_id,
    placements.c.student_id,
    SortKey("placed_at", (_PLACED, placements.c.placement_id)),
    host_unit=placements.c.host_unit_id,
)

HOURS = Dataset(
    "hours",
    "志愿时长",
    (
        *_columns(hours, "hours_id", "student_id"),
        ExportColumn("student_name", students.c.name),
        *_columns(hours, "activity_id"),
        ExportColumn("activity", activities.c.title),
        ExportColumn("activity_kind", activities.c.kind),
        *_columns(
            hours,
            "minutes",
            "status",
            "note",
            "decline_reason",
            "previous_minutes",
            "correction_reason",
            "logged_at",
            "decided_at",
            "corrected_at",
        ),
    ),
    hours.outerjoin(students, students.c.student_id == hours.c.student_id).outerjoin(
        activities, activities.c.activity_id == hours.c.activity_id
    ),
    hours.c.campaign_id,
    hours.c.student_id,
    SortKey("logged_at", (hours.c.logged_at, hours.c.hours_id)),
)

AWARDS = Dataset(
    "awards",
    "荣誉奖项",
    _columns(
        awards,
        "award_id",
        "student_id",
        "holder_name",
        "title_code",
        "title_name",
        "citation",
        "status",
        "serial",
        "issued_at",
        "revoked_at",
        "revocation_reason",
        "nominated_at",
    ),
    awards,
    awards.c.campaign_id,
    awards.c.student_id,
    SortKey("nominated_at", (awards.c.nominated_at, awards.c.award_id)),
)

APPOINTMENTS = Dataset(
    "appointments",
    "兼职任命",
    _columns(
        appointments,
        "appointment_id",
        "serial",
        "student_id",
        "holder_name",
        "committee",
        "term_starts_on",
        "term_ends_on",
        "status",
        "ended_on",
        "end_reason",
        "issued_at",
    ),
    appointments,
    appointments.c.campaign_id,
    appointments.c.student_id,
    SortKey("issued_at", (appointments.c.issued_at, appointments.c.appointment_id)),
)

DATASETS: Mapping[str, Dataset] = {
    dataset.name: dataset for dataset in (STUDENTS, PLACEMENTS, HOURS, AWARDS, APPOINTMENTS)
}
