"""The transcript's page: the heading every page repeats and the numbered footer.

Heading: the title, then the student, university, campaign and reference (wrapped beside the
first page's QR code), then a red rule. Footer: "第 n 页 / 共 N 页".
"""

from __future__ import annotations

from gateway.documents.fonts import DocumentFont
from gateway.documents.layout import GREY, RED, DocumentPdf, emphasis
from gateway.documents.models import TranscriptDocument

MARGIN = 18.0
_NUMBERS_ALIAS = "{nb}"


class TranscriptPdf(DocumentPdf):
    """Repeats the transcript's heading and numbers the pages."""

    def __init__(self, transcript: TranscriptDocument, font: DocumentFont) -> None:
        super().__init__(
            font, identity=transcript, issued_on=transcript.issued_on, orientation="portrait"
        )
        self.transcript = transcript
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=20)
        self.alias_nb_pages(_NUMBERS_ALIAS)

    def header(self) -> None:
        transcript = self.transcript
        with emphasis(self, RED):
            self.set_font_size(18)
            self.set_xy(MARGIN, 12)
            self.cell(self.epw, 9, "第二课堂成绩单", align="C")
        with self.local_context(text_color=GREY):
            self.set_font_size(7)
            self.set_xy(MARGIN, 21)
            self.cell(self.epw, 4, "SECOND-CLASSROOM TRANSCRIPT", align="C")
        self.set_font_size(9.5)
        self.set_xy(MARGIN, 28)
        self.multi_cell(
            self.epw - 32,
            5,
            f"学生：{transcript.student_name}\u3000\u3000学校：{transcript.university}\n"
            f"活动：{transcript.campaign_name}\u3000\u3000编号：{transcript.reference}",
        )
        top = max(self.get_y(), 38.0) + 2
        with self.local_context(draw_color=RED, line_width=0.5):
            self.line(MARGIN, top, self.w - MARGIN, top)
        self.set_xy(MARGIN, top + 4)

    def footer(self) -> None:
        with self.local_context(text_color=GREY):
            self.set_font_size(8)
            self.set_xy(MARGIN, self.h - 14)
            self.cell(self.epw, 5, f"第 {self.page_no()} 页 / 共 {_NUMBERS_ALIAS} 页", align="C")
