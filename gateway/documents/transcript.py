"""The second-classroom transcript (第二课堂成绩单): portrait A4, as many pages as it needs.

Records are grouped under the modules of the Youth League's second-classroom transcript
(共青团"第二课堂成绩单"制度) that this programme produces:

* 一、实践实习 (practice and internships): 社会实践 placements (host unit, position, period,
  hours, evaluation), 荣誉表彰 the titles earned in the practice (title, certificate serial,
  date), 实践日志 the featured practice diaries;
* 二、志愿公益 (volunteering and public welfare): approved hours by kind, with the total;
* 三、工作履历 (posts held): appointments (post, committee, term).

Every page repeats the heading (``transcript_page``), a table cut by a page break repeats its
column headings, and a category heading never stays alone at the foot of a page. The QR code
of the verification URL sits top right of the first page.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from fpdf import FontFace

from gateway.documents.fonts import DocumentFont
from gateway.documents.layout import GREY, RED, DocumentPdf, chinese_date, draw_qr, emphasis
from gateway.documents.models import TranscriptDocument
from gateway.documents.transcript_page import MARGIN, TranscriptPdf

HEADINGS = FontFace(emphasis="", fill_color=(243, 236, 224))


def render_transcript(transcript: TranscriptDocument, font: DocumentFont) -> bytes:
    """The transcript as PDF bytes; the same transcript gives the same bytes."""
    font.check_document(transcript)
    pdf = TranscriptPdf(transcript, font)
    pdf.set_title(f"第二课堂成绩单 {transcript.reference}")
    pdf.set_subject(transcript.campaign_name)
    pdf.set_author(transcript.issuer)
    pdf.add_page()
    draw_qr(pdf, transcript.verification_url, pdf.w - MARGIN - 28, 24, 28)
    pdf.set_font_size(10)
    pdf.multi_cell(pdf.epw - 32, 6, _summary(transcript), new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), 54.0))  # below the QR code

    _category(pdf, "一、实践实习 Practice and internships")
    _table(
        pdf,
        "社会实践",
        ("实践单位", "岗位", "时间", "小时", "评价"),
        [
            (r.host_unit, r.position, _period(r.start, r.end), _hours(r.hours), r.evaluation)
            for r in transcript.practice
        ],
        (32, 16, 25, 12, 15),
    )
    _table(
        pdf,
        "荣誉表彰",
        ("荣誉称号", "证书编号", "日期"),
        [(h.title, h.serial, h.awarded_on.isoformat()) for h in transcript.honours],
        (40, 35, 25),
    )
    _table(
        pdf,
        "实践日志展示",
        ("日志标题", "展示日期"),
        [(d.title, d.featured_on.isoformat()) for d in transcript.diaries],
        (75, 25),
    )
    _category(pdf, "二、志愿公益 Volunteering")
    volunteering = [(v.kind, _hours(v.hours)) for v in transcript.volunteering]
    if volunteering:
        total = sum(v.hours for v in transcript.volunteering)
        volunteering.append(("合计", _hours(total)))
    _table(pdf, "认定志愿服务时长", ("类别", "认定时长（小时）"), volunteering, (70, 30))
    _category(pdf, "三、工作履历 Posts held")
    _table(
        pdf,
        "任职",
        ("职务", "组织", "任期"),
        [(a.post, a.committee, _period(a.term_start, a.term_end)) for a in transcript.appointments],
        (25, 45, 30),
    )
    _closing(pdf, transcript)
    return bytes(pdf.output())


def _summary(transcript: TranscriptDocument) -> str:
    practice = sum(record.hours for record in transcript.practice)
    volunteering = sum(record.hours for record in transcript.volunteering)
    return (
        f"社会实践 {_hours(practice)} 小时；认定志愿服务 {_hours(volunteering)} 小时；"
        f"荣誉 {len(transcript.honours)} 项；任职 {len(transcript.appointments)} 项；"
        f"展示实践日志 {len(transcript.diaries)} 篇。"
    )


def _category(pdf: DocumentPdf, title: str) -> None:
    _keep_room(pdf, 30)
    pdf.ln(4)
    with emphasis(pdf, RED):
        pdf.set_font_size(13)
        pdf.cell(pdf.epw, 8, title, new_x="LMARGIN", new_y="NEXT")


def _table(
    pdf: DocumentPdf,
    title: str,
    headings: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[int],
) -> None:
    _keep_room(pdf, 22)
    pdf.set_font_size(10.5)
    pdf.cell(pdf.epw, 7, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(9)
    if not rows:
        with pdf.local_context(text_color=GREY):
            pdf.cell(pdf.epw, 6, "（无）", new_x="LMARGIN", new_y="NEXT")
        return
    with pdf.table(
        col_widths=tuple(widths),
        headings_style=HEADINGS,
        line_height=5.5,
        text_align="LEFT",
        padding=1,
        repeat_headings=1,
    ) as table:
        for cells in (headings, *rows):
            row = table.row()
            for text in cells:
                row.cell(text)
    pdf.ln(2)


def _closing(pdf: DocumentPdf, transcript: TranscriptDocument) -> None:
    _keep_room(pdf, 34)
    pdf.ln(6)
    with pdf.local_context(text_color=GREY):
        pdf.set_font_size(8.5)
        pdf.multi_cell(
            pdf.epw,
            5,
            "本成绩单依据引力计划的事件记录生成；扫描首页二维码或访问下列地址可核验其真伪。\n"
            + transcript.verification_url,
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(4)
    pdf.set_font_size(12)
    pdf.cell(pdf.epw, 7, transcript.issuer, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(pdf.epw, 7, chinese_date(transcript.issued_on), align="R")


def _keep_room(pdf: DocumentPdf, height: float) -> None:
    """Start a new page rather than leave a heading alone at the foot of this one."""
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()


def _period(start: date, end: date) -> str:
    return f"{start.isoformat()} 至 {end.isoformat()}"


def _hours(hours: float) -> str:
    return f"{hours:g}"
