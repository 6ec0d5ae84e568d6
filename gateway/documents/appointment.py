"""The appointment letter (聘书): one landscape A4 page.

The heading, the holder's name on its own line, the appointment sentence (committee, post and
term in Chinese numerals, wrapped and shrunk to fit its box), the issuer and issue date, and
bottom left the QR code of the verification URL with the letter's serial.
"""

from __future__ import annotations

from gateway.documents.fonts import DocumentFont
from gateway.documents.layout import (
    LANDSCAPE_LEFT,
    LANDSCAPE_WIDTH,
    chinese_date,
    fitting_paragraph_size,
    fitting_size,
    greeting,
    landscape_heading,
    landscape_page,
    line_height,
    verification_corner,
)
from gateway.documents.models import AppointmentLetter

LEFT, WIDTH = LANDSCAPE_LEFT, LANDSCAPE_WIDTH


def render_appointment_letter(letter: AppointmentLetter, font: DocumentFont) -> bytes:
    """The letter as PDF bytes; the same letter gives the same bytes."""
    font.check_document(letter)
    pdf = landscape_page(
        font,
        identity=letter,
        issued_on=letter.issued_on,
        title=f"聘书 {letter.serial}",
        subject=f"{letter.committee}{letter.post}",
        author=letter.issuer,
    )
    landscape_heading(pdf, "聘书", "LETTER OF APPOINTMENT", size=48, height=20, english_y=45)
    greeting(pdf, letter.holder_name, largest=20, y=62)

    body = (
        f"兹聘请您担任{letter.committee}{letter.post}，聘期自{chinese_date(letter.term_start)}"
        f"至{chinese_date(letter.term_end)}。"
    )
    size = fitting_paragraph_size(pdf, body, width=WIDTH, height=40, largest=18, smallest=9)
    pdf.set_font_size(size)
    pdf.set_xy(LEFT, 80)
    pdf.multi_cell(WIDTH, line_height(size), body, align="J")
    pdf.set_font_size(16)
    pdf.set_xy(LEFT, pdf.get_y() + 6)
    pdf.cell(WIDTH, 10, "特发此聘书。")

    issuer_size = fitting_size(pdf, letter.issuer, 120, 14, 8)
    pdf.set_font_size(issuer_size)
    pdf.set_xy(142, 160)
    pdf.cell(120, 8, letter.issuer, align="R")
    pdf.set_font_size(12)
    pdf.set_xy(142, 170)
    pdf.cell(120, 8, chinese_date(letter.issued_on), align="R")

    verification_corner(pdf, letter.verification_url, f"聘书编号：{letter.serial}")
    return bytes(pdf.output())
