"""What every document shares: a reproducible PDF, the font, emphasis, dates, type that fits, a QR.

Reproducible: the PDF's creation date is the document's issue date and its file ID a hash of
the input, so rendering the same input again gives the same bytes (fpdf2 adds nothing else
that changes: no XMP packet is written, and the font subset's tag is fixed).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from typing import Literal

import segno
from fpdf import FPDF
from fpdf.enums import TextMode

from gateway.documents.fonts import DocumentFont

FAMILY = "document"
RED = (178, 34, 34)
GOLD = (184, 134, 11)
INK = (33, 33, 33)
GREY = (110, 110, 110)
_DIGITS = "〇一二三四五六七八九"


class DocumentPdf(FPDF):
    """An A4 FPDF whose file ID and creation date come from the document, in the CJK font."""

    def __init__(
        self,
        font: DocumentFont,
        *,
        identity: object,
        issued_on: date,
        orientation: Literal["portrait", "landscape"],
    ) -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self._identity = hashlib.sha256(repr(identity).encode()).hexdigest()[:32].upper()
        self.set_creation_date(datetime.combine(issued_on, time(0, 0), tzinfo=UTC))
        self.set_creator("Gravity")
        self.set_lang("zh-CN")
        self.add_font(FAMILY, "", str(font.path), collection_font_number=font.face)
        self.set_font(FAMILY, size=12)
        self.set_text_color(*INK)

    def file_id(self) -> str:
        """The same for the same input: the PDF's /ID, derived from the document."""
        return f"<{self._identity}><{self._identity}>"


@contextmanager
def emphasis(pdf: FPDF, colour: tuple[int, int, int] = INK) -> Iterator[None]:
    """Heavier strokes from the one regular face (fill and stroke the glyphs): a headline
    weight without shipping a second 3 MB bold font."""
    with pdf.local_context(
        text_mode=TextMode.FILL_STROKE, line_width=0.3, draw_color=colour, text_color=colour
    ):
        yield


def chinese_date(day: date) -> str:
    """A date as official documents write it: 2023-08-30 → 二〇二三年八月三十日."""

    def number(value: int) -> str:
        tens, ones = divmod(value, 10)
        return (
            ("" if tens < 2 else _DIGITS[tens])
            + ("十" if tens else "")
            + (_DIGITS[ones] if ones or not tens else "")
        )

    year = "".join(_DIGITS[int(digit)] for digit in f"{day.year:04d}")
    return f"{year}年{number(day.month)}月{number(day.day)}日"


def fitting_size(pdf: FPDF, text: str, width: float, largest: float, smallest: float) -> float:
    """The largest type size (pt) from ``largest`` down at which ``text`` fits in one line of
    ``width`` mm; ``smallest`` if none does (then the caller wraps)."""
    size = largest
    while size > smallest:
        pdf.set_font_size(size)
        if pdf.get_string_width(text) <= width:
            return size
        size -= 0.5
    return smallest


def fitting_paragraph_size(
    pdf: FPDF, text: str, *, width: float, height: float, largest: float, smallest: float
) -> float:
    """The largest type size (pt) at which ``text``, wrapped to ``width`` mm with a 1.6 line
    height, stays within ``height`` mm; the input limits guarantee that ``smallest`` does."""
    size = largest
    while size > smallest:
        if paragraph_height(pdf, text, width, size) <= height:
            return size
        size -= 0.5
    return smallest


def paragraph_height(pdf: FPDF, text: str, width: float, size: float) -> float:
    """Height in mm of ``text`` wrapped to ``width`` at ``size`` pt with a 1.6 line height."""
    pdf.set_font_size(size)
    lines = pdf.multi_cell(width, line_height(size), text, dry_run=True, output="LINES")
    assert isinstance(lines, list)
    return len(lines) * line_height(size)


def line_height(size: float) -> float:
    """A comfortable CJK line: 1.6 times the type size, in mm."""
    return size * 1.6 * 25.4 / 72


def draw_qr(pdf: FPDF, url: str, x: float, y: float, side: float) -> None:
    """The verification URL as a vector QR code (error correction M, with its quiet zone)
    whose outer edge is ``side`` mm: sharp at any zoom and in any print."""
    code = segno.make_qr(url, error="m", boost_error=False)
    rows = [list(row) for row in code.matrix_iter(scale=1, border=4)]
    module = side / len(rows)
    with pdf.local_context(fill_color=(255, 255, 255)):
        pdf.rect(x, y, side, side, style="F")
    with pdf.local_context(fill_color=(0, 0, 0)):
        for row_index, row in enumerate(rows):
            start = None
            for column, dark in enumerate([*row, 0]):
                if dark and start is None:
                    start = column
                elif not dark and start is not None:
                    pdf.rect(
                        x + start * module,
                        y + row_index * module,
                        (column - start) * module,
                        module,
                        style="F",
                    )
                    start = None


def frame(pdf: FPDF) -> None:
    """The certificate's double border: a heavy gold rule and a fine one inside it."""
    with pdf.local_context(draw_color=GOLD, line_width=2.2):
        pdf.rect(8, 8, pdf.w - 16, pdf.h - 16)
    with pdf.local_context(draw_color=GOLD, line_width=0.4):
        pdf.rect(13, 13, pdf.w - 26, pdf.h - 26)


# The landscape documents (certificate, appointment letter) share their page, heading, greeting
# and verification corner; only their bodies differ.
LANDSCAPE_LEFT = 35.0
LANDSCAPE_WIDTH = 227.0


def landscape_page(
    font: DocumentFont, *, identity: object, issued_on: date, title: str, subject: str, author: str
) -> DocumentPdf:
    """A framed landscape A4 page with its metadata, ready for a heading."""
    pdf = DocumentPdf(font, identity=identity, issued_on=issued_on, orientation="landscape")
    pdf.set_title(title)
    pdf.set_subject(subject)
    pdf.set_author(author)
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    frame(pdf)
    return pdf


def landscape_heading(
    pdf: FPDF, chinese: str, english: str, *, size: float, height: float, english_y: float
) -> None:
    """The red Chinese title centred at the top, its English name small and grey beneath."""
    with emphasis(pdf, RED):
        pdf.set_font_size(size)
        pdf.set_xy(LANDSCAPE_LEFT, 24)
        pdf.cell(LANDSCAPE_WIDTH, height, chinese, align="C")
    with pdf.local_context(text_color=GREY):
        pdf.set_font_size(9)
        pdf.set_xy(LANDSCAPE_LEFT, english_y)
        pdf.cell(LANDSCAPE_WIDTH, 5, english, align="C")


def greeting(pdf: FPDF, holder_name: str, *, largest: float, y: float) -> None:
    """The holder's name and the salutation on their own line, shrunk to fit the width."""
    text = f"{holder_name} 同学："
    pdf.set_font_size(fitting_size(pdf, text, LANDSCAPE_WIDTH, largest, 10))
    pdf.set_xy(LANDSCAPE_LEFT, y)
    pdf.cell(LANDSCAPE_WIDTH, 10, text)


def verification_corner(pdf: FPDF, url: str, serial_line: str) -> None:
    """Bottom left: the QR code of the verification URL, a hint and the serial."""
    draw_qr(pdf, url, 22, 150, 30)
    with pdf.local_context(text_color=GREY):
        pdf.set_font_size(8)
        pdf.set_xy(22, 181)
        pdf.cell(90, 4, "扫码验证真伪 Scan to verify")
        pdf.set_xy(22, 186)
        pdf.cell(90, 4, serial_line)
