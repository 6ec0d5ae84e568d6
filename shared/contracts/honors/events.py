"""What honours records and publishes: titles and their awards with certificates, deputy
secretary appointments with letters, consents, recommendations to universities, diaries; and
the facts it keeps from placement's and recruitment's events to decide who is eligible.

Payload rules are lenient on purpose (the commands hold the strict ones): a stored event must
stay readable even after a command's rule is tightened. A holder's name and a diary's display
name are personal data; the verification code of a serial is never stored here (it is a keyed
MAC, ``shared.verification_codes``, computed where it is shown).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from marshmallow import fields

from shared.contracts.fields import Id, UtcDateTime, personal
from shared.contracts.records import Event

PURPOSES = ("university_report", "showcase")  # what a consent is for
UNIVERSITY_REPORT, SHOWCASE = PURPOSES
LETTER_PREFIX = "APT"  # appointment letters: APT-<year>-<number>; no title may take it
DEFAULT_TITLE = "ADV"  # 先进个人, "advanced individual"

Uuid = Annotated[str, Id()]
Moment = Annotated[datetime, UtcDateTime()]
Day = Annotated[date, fields.Date()]
Words = Annotated[str, fields.String()]
Count = Annotated[int, fields.Integer()]
PersonalWords = Annotated[str, personal(fields.String())]


class TitleDefined(Event):
    """A title and its rules, or new rules for it: ``quota`` awards per campaign, and the
    evaluation score a student needs at least."""

    title_code: Words
    name: Words
    quota: Count
    minimum_score: Count


class PracticeNoted(Event):
    """Placement agreed a student's practice in a campaign (from ``PlacementAgreed``)."""

    placement_id: Uuid
    student_id: Uuid
    campaign_id: Uuid


class PracticeCompleted(Event):
    placement_id: Uuid


class PracticeEvaluated(Event):
    """The host unit's evaluation of the practice; a later one replaces an earlier one."""

    placement_id: Uuid
    score: Count


class ScreeningDeclined(Event):
    """Recruitment's screening rejected the student in a campaign: no award there."""

    student_id: Uuid
    campaign_id: Uuid


class AwardNominated(Event):
    award_id: Uuid
    student_id: Uuid
    campaign_id: Uuid
    title_code: Words
    citation: Words
    holder_name: PersonalWords


class AwardGranted(Event):
    award_id: Uuid
    student_id: Uuid
    campaign_id: Uuid
    title_code: Words
    serial: Words


class CertificateIssued(Event):
    """The honour certificate of a granted award: ``serial`` is ``<title>-<year>-<number>``,
    numbers gapless per year and title."""

    serial: Words
    award_id: Uuid
    student_id: Uuid
    campaign_id: Uuid
    title_code: Words
    title_name: Words
    year: Count
    number: Count
    issued_at: Moment
    holder_name: PersonalWords


class CertificateRevoked(Event):
    serial: Words
    award_id: Uuid
    reason: Words
    revoked_at: Moment


class AppointmentMade(Event):
    """A part-time deputy secretary (兼职副书记) of a township or street committee, for a
    term; ``serial`` is the letter's, ``APT-<year>-<number>``, numbers gapless per year."""

    appointment_id: Uuid
    serial: Words
    student_id: Uuid
    campaign_id: Uuid
    committee: Words
    term_starts_on: Day
    term_ends_on: Day
    year: Count
    number: Count
    issued_at: Moment
    holder_name: PersonalWords


class AppointmentTermEnded(Event):
    appointment_id: Uuid
    serial: Words
    ended_on: Day


class AppointmentDismissed(Event):
    """Ended before its term: ``reason`` says why."""

    appointment_id: Uuid
    serial: Words
    ended_on: Day
    reason: Words


class ConsentGiven(Event):
    student_id: Uuid
    purpose: Words


class ConsentWithdrawn(Event):
    student_id: Uuid
    purpose: Words


class RecommendationSent(Event):
    """The student's transcript went to their university; ``transcript_hash`` is the SHA-256
    of the transcript as rendered (``sha256:<hex>``)."""

    recommendation_id: Uuid
    student_id: Uuid
    campaign_id: Uuid
    university: Words
    transcript_hash: Words


class DiarySubmitted(Event):
    diary_id: Uuid
    student_id: Uuid
    campaign_id: Uuid
    title: Words
    text: Words
    display_name: PersonalWords


class DiaryFeatured(Event):
    diary_id: Uuid
    student_id: Uuid
    campaign_id: Uuid


class DiaryUnfeatured(Event):
    """Out of the showcase again, e.g. because the student withdrew their showcase consent."""

    diary_id: Uuid
    student_id: Uuid
    reason: Words
