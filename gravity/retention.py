"""The retention schedule: which students' personal data is due for erasure, and why.

Two rules, each a number of days in the ``retention`` settings (0 or empty: the rule is off):

- ``resident_id_days_after_campaign_end``: a student's ID number, so many days after their
  campaign ended: when an operator closed its registration (``CampaignClosed``), or else its
  ``registration_closes_at`` once that has passed.
- ``phone_days_after_alliance_left``: a student's phone, so many days after they left the
  Spark Alliance (``AllianceLeft``); a student who never joined counts from the campaign's end,
  and one still in the alliance is never due.

The schedule is judged from the event log's non-personal facts alone (ids and times), so it
needs no key and reads no personal value. Erasure is per field class (a data key per student
and class: ``shared.privacy.classes``, ``docs/privacy.md``), so each field is erased when its
own rule is due: the ID number first, the phone when its rule comes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from shared.config import ConfigError
from shared.events.canonical import parse_timestamp
from shared.events.envelope import Envelope
from shared.privacy.classes import erased_classes, field_class

RESIDENT_ID_RULE = "resident_id_days_after_campaign_end"
PHONE_RULE = "phone_days_after_alliance_left"
RULES = {RESIDENT_ID_RULE: "id_number", PHONE_RULE: "phone"}
EVENT_TYPES = (
    "CampaignCreated",
    "CampaignClosed",
    "StudentRegistered",
    "AllianceJoined",
    "AllianceLeft",
    "SubjectErased",
)
MAX_DAYS = 36_500


@dataclass(frozen=True)
class FieldDue:
    """One personal field of one student and when its rule makes it due (None: not yet
    known, e.g. the campaign has not ended or the student is in the alliance)."""

    subject_id: str
    field: str
    rule: str
    days: int
    due_at: datetime | None

    def is_due(self, now: datetime) -> bool:
        return self.due_at is not None and self.due_at <= now


@dataclass
class _Student:
    campaign_id: str
    joined: bool = False
    left_at: datetime | None = None


@dataclass
class Facts:
    """What the schedule needs from the log, folded event by event."""

    closes_at: dict[str, datetime] = field(default_factory=dict)
    closed_at: dict[str, datetime] = field(default_factory=dict)
    students: dict[str, _Student] = field(default_factory=dict)
    erased: dict[str, set[str]] = field(default_factory=dict)
    """Each erased student's erased field classes."""

    def take(self, envelope: Envelope) -> None:
        payload, kind = envelope.payload, envelope.event_type
        if kind == "CampaignCreated":
            self.closes_at[payload["campaign_id"]] = parse_timestamp(
                payload["registration_closes_at"]
            )
        elif kind == "CampaignClosed":
            self.closed_at.setdefault(payload["campaign_id"], envelope.occurred_at)
        elif kind == "StudentRegistered":
            self.students[payload["student_id"]] = _Student(payload["campaign_id"])
        elif kind == "SubjectErased":
            self.erased.setdefault(payload["subject_id"], set()).update(erased_classes(payload))
        elif (student := self.students.get(payload.get("student_id", ""))) is not None:
            student.joined = True
            student.left_at = envelope.occurred_at if kind == "AllianceLeft" else None

    def campaign_end(self, campaign_id: str, now: datetime) -> datetime | None:
        if campaign_id in self.closed_at:
            return self.closed_at[campaign_id]
        closes = self.closes_at.get(campaign_id)
        return closes if closes is not None and closes <= now else None


def retention_days(configured: Mapping[str, Any]) -> dict[str, int]:
    """The rules that are on, with their days; a malformed value is a ``ConfigError``."""
    unknown = set(configured) - set(RULES) - {"run_daily"}
    if unknown:
        raise ConfigError(f"retention: unknown rule(s) {', '.join(sorted(unknown))}")
    days = {}
    for rule in RULES:
        value = configured.get(rule)
        if value in (None, ""):
            continue
        try:
            number = int(str(value))
        except ValueError:
            raise ConfigError(f"retention.{rule} must be a whole number of days") from None
        if not 0 <= number <= MAX_DAYS:
            raise ConfigError(f"retention.{rule} must be 0 to {MAX_DAYS} days")
        if number:
            days[rule] = number
    return days


def schedule(facts: Facts, days: Mapping[str, int], now: datetime) -> list[FieldDue]:
    """Every field a rule covers, of every student, not yet erased, with its due time."""
    found = []
    for student_id, student in facts.students.items():
        erased = facts.erased.get(student_id, set())
        end = facts.campaign_end(student.campaign_id, now)
        for rule, number in days.items():
            if field_class(RULES[rule]) in erased:
                continue
            if rule == RESIDENT_ID_RULE:
                start = end
            elif student.joined:
                start = student.left_at
            else:
                start = end
            due = None if start is None else start + timedelta(days=number)
            found.append(FieldDue(student_id, RULES[rule], rule, number, due))
    return found


def due_fields(fields_due: Iterable[FieldDue], now: datetime) -> dict[str, list[FieldDue]]:
    """The fields due now, by student: each is erased on its own rule, the others wait."""
    found: dict[str, list[FieldDue]] = {}
    for item in fields_due:
        if item.is_due(now):
            found.setdefault(item.subject_id, []).append(item)
    return found
