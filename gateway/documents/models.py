"""What goes on each document: plain frozen records, checked when they are made.

A record refuses what could not be printed honestly: a blank holder, a term that ends before
it starts, negative hours, a verification URL that is not http(s). Text follows the suite's one
text policy (``shared.contracts.text_policy``: no controls, bidi or zero-width characters,
NFC) and is stored normalised. Whether the font can draw every character is the renderer's
check (``gateway.documents.fonts``), since that depends on the font in use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gateway.documents.checks import (
    CITATION,
    LABEL,
    NAME,
    SERIAL,
    check_dates,
    check_hours,
    check_period,
    check_rows,
    check_text,
    check_url,
)


@dataclass(frozen=True)
class CertificateDocument:
    """An honour certificate (荣誉证书) for a title such as 先进个人 in one campaign."""

    serial: str
    holder_name: str
    title: str
    campaign_name: str
    citation: str
    issued_on: date
    issuer: str  # e.g. 共青团××区委员会
    verification_url: str

    def __post_init__(self) -> None:
        check_text(self, "serial", SERIAL)
        check_text(self, "holder_name", NAME)
        check_text(self, "title", LABEL)
        check_text(self, "campaign_name", LABEL)
        check_text(self, "citation", CITATION, prose=True)
        check_dates(self, "issued_on")
        check_text(self, "issuer", LABEL)
        check_url(self, "verification_url")


@dataclass(frozen=True)
class AppointmentLetter:
    """An appointment letter (聘书): a post on a township or street Youth League committee."""

    serial: str
    holder_name: str
    committee: str  # e.g. 共青团××镇委员会, ××街道团工委
    post: str  # e.g. 兼职副书记
    term_start: date
    term_end: date
    issued_on: date
    issuer: str
    verification_url: str

    def __post_init__(self) -> None:
        check_text(self, "serial", SERIAL)
        check_text(self, "holder_name", NAME)
        check_text(self, "committee", LABEL)
        check_text(self, "post", LABEL)
        check_period(self, "term_start", "term_end")
        check_dates(self, "issued_on")
        check_text(self, "issuer", LABEL)
        check_url(self, "verification_url")


@dataclass(frozen=True)
class PracticeRecord:
    """One placement: where, when, how long, and the host unit's evaluation (e.g. 优秀 92)."""

    host_unit: str
    position: str
    start: date
    end: date
    hours: float
    evaluation: str

    def __post_init__(self) -> None:
        check_text(self, "host_unit", LABEL)
        check_text(self, "position", LABEL)
        check_period(self, "start", "end")
        check_hours(self, "hours")
        check_text(self, "evaluation", LABEL)


@dataclass(frozen=True)
class VolunteeringHours:
    """Approved volunteering hours of one kind (e.g. 暑托班公益课堂, 河小青净滩)."""

    kind: str
    hours: float

    def __post_init__(self) -> None:
        check_text(self, "kind", LABEL)
        check_hours(self, "hours")


@dataclass(frozen=True)
class HonourRecord:
    """A title awarded, with its certificate's serial."""

    title: str
    serial: str
    awarded_on: date

    def __post_init__(self) -> None:
        check_text(self, "title", LABEL)
        check_text(self, "serial", SERIAL)
        check_dates(self, "awarded_on")


@dataclass(frozen=True)
class AppointmentRecord:
    """A post held, with its term."""

    post: str
    committee: str
    term_start: date
    term_end: date

    def __post_init__(self) -> None:
        check_text(self, "post", LABEL)
        check_text(self, "committee", LABEL)
        check_period(self, "term_start", "term_end")


@dataclass(frozen=True)
class FeaturedDiary:
    """A practice diary chosen for the showcase."""

    title: str
    featured_on: date

    def __post_init__(self) -> None:
        check_text(self, "title", LABEL)
        check_dates(self, "featured_on")


@dataclass(frozen=True)
class TranscriptDocument:
    """A second-classroom transcript (第二课堂成绩单) of one student in one campaign."""

    reference: str
    student_name: str
    university: str
    campaign_name: str
    issued_on: date
    issuer: str
    verification_url: str
    practice: tuple[PracticeRecord, ...] = ()
    volunteering: tuple[VolunteeringHours, ...] = ()
    honours: tuple[HonourRecord, ...] = ()
    appointments: tuple[AppointmentRecord, ...] = ()
    diaries: tuple[FeaturedDiary, ...] = ()

    def __post_init__(self) -> None:
        check_text(self, "reference", SERIAL)
        check_text(self, "student_name", NAME)
        check_text(self, "university", LABEL)
        check_text(self, "campaign_name", LABEL)
        check_dates(self, "issued_on")
        check_text(self, "issuer", LABEL)
        check_url(self, "verification_url")
        for name, kind in _ROW_KINDS.items():
            check_rows(self, name, kind)


_ROW_KINDS: dict[str, type] = {
    "practice": PracticeRecord,
    "volunteering": VolunteeringHours,
    "honours": HonourRecord,
    "appointments": AppointmentRecord,
    "diaries": FeaturedDiary,
}
