"""The honours PDFs: records for ``gateway.documents`` built from the read models, and the
renderer every worker shares (made once per container: it checks the font when made).

Each document's QR code carries its public verification URL, ``<public url>/verify/<serial>
?code=<code>`` (``shared.verification_codes``); the public base URL is ``http.public_url``
(``GRAVITY_PUBLIC_URL``), else the gateway's own address. Rendering is CPU-bound: it runs
in eventlet's thread pool so that the hub keeps serving.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any
from urllib.parse import quote

from eventlet import tpool
from nameko.extensions import DependencyProvider

from gateway.documents import (
    AppointmentLetter,
    AppointmentRecord,
    CertificateDocument,
    DocumentRenderer,
    FeaturedDiary,
    HonourRecord,
    PracticeRecord,
    TranscriptDocument,
    VolunteeringHours,
)
from gateway.honors.transcript import POST
from shared.config import Settings
from shared.verification_codes import verification_code

Row = dict[str, Any]
ISSUER = "共青团区委员会"  # the district Youth League committee that runs the programme


def public_url(settings: Settings) -> str:
    """Where the public reaches the gateway (``http.public_url``), without a trailing slash."""
    configured = str(settings.http.get("public_url") or "")
    return (configured or f"http://{settings.gateway_host}:{settings.gateway_port}").rstrip("/")


def verification_url(settings: Settings, serial: str) -> str:
    code = verification_code(settings.verification_secret, serial)
    return f"{public_url(settings)}/verify/{quote(serial)}?code={code}"


def _day(text: str) -> date:
    return date.fromisoformat(text[:10])


def certificate_of(settings: Settings, award: Row) -> CertificateDocument:
    """A granted (or revoked) award's certificate, as it was issued."""
    return CertificateDocument(
        serial=award["serial"],
        holder_name=award["holder_name"],
        title=award["title_name"] or award["title_code"],
        campaign_name=award["campaign_name"] or "引力计划",
        citation=award["citation"],
        issued_on=_day(award["issued_at"]),
        issuer=ISSUER,
        verification_url=verification_url(settings, award["serial"]),
    )


def letter_of(settings: Settings, appointment: Row) -> AppointmentLetter:
    return AppointmentLetter(
        serial=appointment["serial"],
        holder_name=appointment["holder_name"],
        committee=appointment["committee"],
        post=POST,
        term_start=_day(appointment["term_starts_on"]),
        term_end=_day(appointment["term_ends_on"]),
        issued_on=_day(appointment["issued_at"]),
        issuer=ISSUER,
        verification_url=verification_url(settings, appointment["serial"]),
    )


def transcript_of(settings: Settings, transcript: Row) -> TranscriptDocument:
    """The PDF's record of a transcript (``gateway.honors.transcript``)."""
    practice, volunteering = (
        transcript["categories"][name] for name in ("practice", "volunteering")
    )
    return TranscriptDocument(
        reference=transcript["reference"],
        student_name=transcript["student_name"],
        university=transcript["university"],
        campaign_name=transcript["campaign_name"],
        issued_on=_day(transcript["issued_on"]),
        issuer=ISSUER,
        verification_url=verification_url(settings, transcript["reference"]),
        practice=tuple(
            PracticeRecord(
                host_unit=p["host_unit"],
                position=p["position"],
                start=_day(p["starts_on"]),
                end=_day(p["ends_on"]),
                hours=p["hours"],
                evaluation=p["evaluation"],
            )
            for p in practice["placements"]
        ),
        volunteering=tuple(
            VolunteeringHours(kind=v["label"], hours=v["hours"])
            for v in volunteering["hours_by_kind"]
        ),
        honours=tuple(
            HonourRecord(title=h["title"], serial=h["serial"], awarded_on=_day(h["awarded_on"]))
            for h in practice["honours"]
        ),
        appointments=tuple(
            AppointmentRecord(
                post=a["post"],
                committee=a["committee"],
                term_start=_day(a["term_starts_on"]),
                term_end=_day(a["term_ends_on"]),
            )
            for a in transcript["categories"]["posts"]["appointments"]
        ),
        diaries=tuple(
            FeaturedDiary(title=d["title"], featured_on=_day(d["featured_on"]))
            for d in practice["featured_diaries"]
        ),
    )


def sha256_of(pdf: bytes) -> str:
    return "sha256:" + hashlib.sha256(pdf).hexdigest()


class Documents:
    """Renders the three documents off the hub (in eventlet's thread pool)."""

    def __init__(self, renderer: DocumentRenderer) -> None:
        self.renderer = renderer

    def certificate(self, document: CertificateDocument) -> bytes:
        pdf: bytes = tpool.execute(self.renderer.certificate, document)
        return pdf

    def letter(self, letter: AppointmentLetter) -> bytes:
        pdf: bytes = tpool.execute(self.renderer.appointment_letter, letter)
        return pdf

    def transcript(self, transcript: TranscriptDocument) -> bytes:
        pdf: bytes = tpool.execute(self.renderer.transcript, transcript)
        return pdf


class DocumentsProvider(DependencyProvider):  # type: ignore[misc] # nameko is untyped
    """One renderer per container, made (and its font checked) when the container starts."""

    def setup(self) -> None:
        self.documents = Documents(DocumentRenderer())

    def get_dependency(self, worker_ctx: Any) -> Documents:  # noqa: ARG002 - nameko API
        return self.documents
