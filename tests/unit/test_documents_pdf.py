"""The honours documents read back as a person and a phone would: the Chinese text extracts,
the pages rasterise, the QR code scans to the verification URL, long text stays on the page,
and the same input renders to the same bytes."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from gateway.documents import DocumentRenderer
from tests.documents_factories import (
    make_certificate,
    make_letter,
    make_practice,
    make_transcript,
    qr_codes,
    rasterise,
    run_tool,
    text_of,
    within,
    words,
    write,
)

RENDERER = DocumentRenderer()  # read-only after construction: the packaged font


def compact(text: str) -> str:
    """Text without the line breaks and spaces a layout puts into wrapped paragraphs."""
    return re.sub(r"\s+", "", text)


def test_certificate_shows_its_heading_title_holder_and_campaign_as_text(tmp_path: Path) -> None:
    pdf = write(RENDERER.certificate(make_certificate()), tmp_path)
    text = text_of(pdf)
    for expected in (
        "荣誉证书",
        "先进个人",
        "张晓喆",
        "2023年引力计划暑期社会实践",
        "共青团某某区委员会",
    ):
        assert expected in text
    assert "二〇二三年八月三十日" in text
    assert "2023-XJGR-0001" in text


def test_appointment_letter_shows_its_heading_holder_post_and_term(tmp_path: Path) -> None:
    pdf = write(RENDERER.appointment_letter(make_letter()), tmp_path)
    text = compact(text_of(pdf))
    for expected in ("聘书", "李思远", "共青团某某镇委员会兼职副书记", "2023-PS-0007"):
        assert expected in text
    assert "聘期自二〇二三年九月一日至二〇二四年八月三十一日" in text


def test_transcript_shows_the_student_and_every_category(tmp_path: Path) -> None:
    pdf = write(RENDERER.transcript(make_transcript()), tmp_path)
    text = text_of(pdf)
    for expected in ("第二课堂成绩单", "王小明", "郑州大学", "一、实践实习", "二、志愿公益"):
        assert expected in text
    for expected in ("三、工作履历", "某某区人民政府办公室第1科室", "暑托班公益课堂", "合计"):
        assert expected in text
    assert "30.5" in text  # 24 + 6.5 approved volunteering hours
    assert "在区委办公室的第一周" in text


@pytest.mark.parametrize(
    ("render", "document"),
    [
        (RENDERER.certificate, make_certificate()),
        (RENDERER.appointment_letter, make_letter()),
        (RENDERER.transcript, make_transcript()),
    ],
    ids=["certificate", "appointment letter", "transcript"],
)
def test_qr_code_on_the_first_page_scans_to_the_verification_url(
    tmp_path: Path, render: object, document: object
) -> None:
    assert callable(render)
    pages = rasterise(write(render(document), tmp_path))
    assert pages, "pdftoppm drew no page"
    assert qr_codes(pages[0]) == [document.verification_url]  # type: ignore[attr-defined]


def test_the_longest_verification_url_allowed_still_scans(tmp_path: Path) -> None:
    url = "https://gravity.example.org/verify/2023-XJGR-0001?code="
    url += "0123456789abcdef" * ((256 - len(url)) // 16 + 1)
    url = url[:256]
    pages = rasterise(write(RENDERER.certificate(make_certificate(verification_url=url)), tmp_path))
    assert qr_codes(pages[0]) == [url]


def test_documents_embed_a_subset_of_the_cjk_font(tmp_path: Path) -> None:
    listing = run_tool("pdffonts", write(RENDERER.certificate(make_certificate()), tmp_path))
    fonts = listing.splitlines()[2:]
    assert len(fonts) == 1
    name, *_, embedded, subset, unicode, _obj, _gen = fonts[0].split()
    assert "NotoSerifCJKSC" in name
    assert (embedded, subset, unicode) == ("yes", "yes", "yes")


def test_rendering_the_same_input_again_gives_identical_bytes() -> None:
    assert RENDERER.certificate(make_certificate()) == RENDERER.certificate(make_certificate())
    assert RENDERER.appointment_letter(make_letter()) == RENDERER.appointment_letter(make_letter())
    assert RENDERER.transcript(make_transcript()) == RENDERER.transcript(make_transcript())
    assert DocumentRenderer().certificate(make_certificate()) == RENDERER.certificate(
        make_certificate()
    )


def test_pdf_dates_and_identifier_come_from_the_input() -> None:
    pdf = RENDERER.certificate(make_certificate())
    assert b"/CreationDate (D:20230830000000Z" in pdf
    other = RENDERER.certificate(make_certificate(serial="2023-XJGR-0002"))
    identifier = re.compile(rb"/ID \[<([0-9A-F]+)>")
    first, second = identifier.search(pdf), identifier.search(other)
    assert first is not None
    assert second is not None
    assert first.group(1) != second.group(1)


def test_a_500_character_citation_wraps_and_stays_inside_the_border(tmp_path: Path) -> None:
    citation = ("在暑期社会实践中勤勉尽责，深入社区开展调研，" * 30)[:500]
    pdf = write(RENDERER.certificate(make_certificate(citation=citation)), tmp_path)
    assert len(rasterise(pdf, dpi=40)) == 1
    assert citation in compact(text_of(pdf))
    placed = words(pdf)
    assert placed
    assert all(within(word, margin_mm=13) for word in placed)
    citation_lines = {
        round(word.y_min) for word in placed if len(word.text) > 8 and word.text in citation
    }
    assert len(citation_lines) > 3


def test_long_names_and_committees_shrink_to_fit_the_letter(tmp_path: Path) -> None:
    letter = make_letter(holder_name="欧阳" * 20, committee="共青团某某区某某街道某某社区" * 4)
    pdf = write(RENDERER.appointment_letter(letter), tmp_path)
    assert len(rasterise(pdf, dpi=40)) == 1
    assert "欧阳" * 20 in compact(text_of(pdf))
    assert all(within(word, margin_mm=13) for word in words(pdf))


def test_a_transcript_of_40_placements_spans_pages_each_with_its_heading(tmp_path: Path) -> None:
    practice = tuple(
        make_practice(n, host_unit=f"某某区人民政府办公室综合协调与文稿起草第{n}科室")
        for n in range(1, 41)
    )
    pdf = write(RENDERER.transcript(make_transcript(practice=practice)), tmp_path)
    pages = rasterise(pdf, dpi=40)
    assert len(pages) >= 3
    for page in range(1, len(pages) + 1):
        text = text_of(pdf, page)
        assert "第二课堂成绩单" in text
        assert "王小明" in text
        assert f"第{page}页/共{len(pages)}页" in compact(text)
    assert "实践单位" in text_of(pdf, 2), "a table cut by the page break repeats its headings"
    everything = compact(text_of(pdf))
    assert all(f"第{n}科室" in everything for n in range(1, 41))
    assert all(within(word, margin_mm=8) for word in words(pdf))


def test_a_transcript_with_nothing_yet_says_so_in_each_section(tmp_path: Path) -> None:
    empty = replace(
        make_transcript(), practice=(), volunteering=(), honours=(), appointments=(), diaries=()
    )
    text = text_of(write(RENDERER.transcript(empty), tmp_path))
    assert text.count("（无）") == 5
    assert "社会实践 0 小时" in text
