"""Honours documents as PDF: the honour certificate, the appointment letter, the transcript.

The gateway's honours section builds one of the records below from its read model and asks a
``DocumentRenderer`` (made once, at bootstrap) for the bytes::

    renderer = DocumentRenderer()                  # the packaged font, or DocumentRenderer(path)
    pdf = renderer.certificate(CertificateDocument(serial=..., verification_url=..., ...))

Each document carries a QR code of its verification URL and is byte-for-byte reproducible
from its input. Bad input raises ``DocumentInputError`` (a ``ValueError``) naming the field,
when the record is made or, for a character the font lacks, ``MissingGlyphError`` when it is
rendered. Rendering is CPU-bound (0.3-1 s, mostly fontTools subsetting the font): under
eventlet call it through ``eventlet.tpool.execute`` so that the hub keeps serving.
Layouts and categories: docs/honors-documents.md.
"""

from __future__ import annotations

from pathlib import Path

from gateway.documents.appointment import render_appointment_letter
from gateway.documents.certificate import render_certificate
from gateway.documents.checks import DocumentInputError
from gateway.documents.fonts import (
    PACKAGED_FONT,
    DocumentFont,
    DocumentFontError,
    FontNotFoundError,
    MissingGlyphError,
)
from gateway.documents.models import (
    AppointmentLetter,
    AppointmentRecord,
    CertificateDocument,
    FeaturedDiary,
    HonourRecord,
    PracticeRecord,
    TranscriptDocument,
    VolunteeringHours,
)
from gateway.documents.transcript import render_transcript

__all__ = [
    "PACKAGED_FONT",
    "AppointmentLetter",
    "AppointmentRecord",
    "CertificateDocument",
    "DocumentFont",
    "DocumentFontError",
    "DocumentInputError",
    "DocumentRenderer",
    "FeaturedDiary",
    "FontNotFoundError",
    "HonourRecord",
    "MissingGlyphError",
    "PracticeRecord",
    "TranscriptDocument",
    "VolunteeringHours",
]


class DocumentRenderer:
    """Renders the three documents in one font, checked once when the renderer is made."""

    def __init__(self, font_file: str | Path | None = None, *, face: int = 0) -> None:
        """``font_file``: an OTF/TTF/TTC file (``face`` picks one in a collection); ``None``
        takes the packaged Noto Serif CJK SC subset. ``FontNotFoundError`` names a missing file."""
        self.font = DocumentFont.load(font_file, face=face)

    def certificate(self, document: CertificateDocument) -> bytes:
        """The honour certificate (荣誉证书) as PDF bytes."""
        return render_certificate(document, self.font)

    def appointment_letter(self, letter: AppointmentLetter) -> bytes:
        """The appointment letter (聘书) as PDF bytes."""
        return render_appointment_letter(letter, self.font)

    def transcript(self, transcript: TranscriptDocument) -> bytes:
        """The second-classroom transcript (第二课堂成绩单) as PDF bytes."""
        return render_transcript(transcript, self.font)
