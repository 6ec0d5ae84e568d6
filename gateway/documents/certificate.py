"""The honour certificate (荣誉证书): one landscape A4 page.

Top to bottom: the heading, the holder, the citation (its type shrinks until it fits its box,
so a 600-character citation still stays on the page), the campaign and the title in red, the
issuer and the issue date in Chinese numerals; bottom left the QR code of the verification URL
with the serial.
"""

from __future__ import annotations

from gateway.documents.fonts import DocumentFont
from gateway.documents.layout import (
    LANDSCAPE_LEFT,
    LANDSCAPE_WIDTH,
    RED,
    DocumentPdf,
    chinese_date,
    emphasis,
    fitting_paragraph_size,
    fitting_size,
    greeting,
    landscape_heading,
    landscape_page,
    line_height,
    verification_corner,
)
from gateway.documents.models import CertificateDocument

LEFT, WIDTH = LANDSCAPE_LEFT, LANDSCAPE_WIDTH

CITATION_TOP = 70.0
CITATION_HEIGHT = 52.0


def render_certificate(document: CertificateDocument, font: DocumentFont) -> bytes:
    """The certificate as PDF bytes; the same document gives the same bytes."""
    font.check_document(document)
    pdf = landscape_page(
        font,
        identity=document,
        issued_on=document.issued_on,
        title=f"荣誉证书 {document.serial}",
        subject=f"{document.title} · {document.campaign_name}",
        author=document.issuer,
    )
    landscape_heading(pdf, "荣誉证书", "CERTIFICATE OF HONOUR", size=40, height=18, english_y=43)
    greeting(pdf, document.holder_name, largest=18, y=56)

    citation = document.citation
    size = fitting_paragraph_size(
        pdf, citation, width=WIDTH, height=CITATION_HEIGHT, largest=15, smallest=8
    )
    pdf.set_font_size(size)
    pdf.set_xy(LEFT, CITATION_TOP)
    pdf.multi_cell(WIDTH, line_height(size), citation, align="J")

    campaign = f"在{document.campaign_name}中被评为"
    pdf.set_font_size(fitting_size(pdf, campaign, WIDTH, 14, 8))
    pdf.set_xy(LEFT, 126)
    pdf.cell(WIDTH, 8, campaign, align="C")
    with emphasis(pdf, RED):
        title = f"“{document.title}”"
        pdf.set_font_size(fitting_size(pdf, title, WIDTH, 28, 10))
        pdf.set_xy(LEFT, 136)
        pdf.cell(WIDTH, 14, title, align="C")
    pdf.set_font_size(14)
    pdf.set_xy(LEFT, 152)
    pdf.cell(WIDTH, 8, "特发此证，以资鼓励。", align="C")

    _signature(pdf, document.issuer, chinese_date(document.issued_on))
    verification_corner(pdf, document.verification_url, f"证书编号：{document.serial}")
    return bytes(pdf.output())


def _signature(pdf: DocumentPdf, issuer: str, issued: str) -> None:
    """Issuer and date, right-aligned above the bottom border."""
    pdf.set_font_size(fitting_size(pdf, issuer, 120, 14, 8))
    pdf.set_xy(142, 170)
    pdf.cell(120, 8, issuer, align="R")
    pdf.set_font_size(12)
    pdf.set_xy(142, 179)
    pdf.cell(120, 8, issued, align="R")
