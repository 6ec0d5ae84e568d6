"""The appointment letter (聘书): one landscape A4 page.

The heading, the holder's name on its own line, the appointment sentence (committee, post and
term in Chinese numerals, wrapped and shrunk to fit its box), the issuer and issue date, and
bottom left the QR code of the verification URL with the letter's serial.
"""

from __future__ import annotations

from gateway.documents.fonts import DocumentFont
from gateway.documents.layout import (
    GREY,
    RED,
    DocumentPdf,
    chinese_date,
    draw_qr,
    emphasis,
    fitting_paragraph_size,
    fitting_size,
    frame,
    line_height,
)
from gateway.documents.models import AppointmentLetter

LEFT = 35.0
WIDTH = 227.0


def render_appointment_letter(letter: AppointmentLetter, font: DocumentFont) -> bytes:
    """The letter as PDF bytes; the same letter gives the same bytes."""
    font.check_document(letter)
    pdf = DocumentPdf(font, identity=letter, issued_on=letter.issued_on, orientation="landscape")
    pdf.set_title(f"聘书 {letter.serial}")
    pdf.set_subject(f"{letter.committee}{letter.post}")
    pdf.set_author(letter.issuer)
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    frame(pdf)

    with emphasis(pdf, RED):
        pdf.set_font_size(48)
        pdf.set_xy(LEFT, 24)
        pdf.cell(WIDTH, 20, "聘书", align="C")
    with pdf.local_context(text_color=GREY):
        pdf.set_font_size(9)
        pdf.set_xy(LEFT, 45)
        pdf.cell(WIDTH, 5, "LETTER OF APPOINTMENT", align="C")

    greeting = f"{letter.holder_name} 同学："
    pdf.set_font_size(fitting_size(pdf, greeting, WIDTH, 20, 10))
    pdf.set_xy(LEFT, 62)
    pdf.cell(WIDTH, 10, greeting)

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

    draw_qr(pdf, letter.verification_url, 22, 150, 30)
    with pdf.local_context(text_color=GREY):
        pdf.set_font_size(8)
        pdf.set_xy(22, 181)
        pdf.cell(90, 4, "扫码验证真伪 Scan to verify")
        pdf.set_xy(22, 186)
        pdf.cell(90, 4, f"聘书编号：{letter.serial}")
    return bytes(pdf.output())
