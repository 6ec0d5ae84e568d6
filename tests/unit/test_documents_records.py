"""What a document refuses before anything is drawn, and a font that cannot be used."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from gateway.documents import (
    DocumentFontError,
    DocumentInputError,
    DocumentRenderer,
    FontNotFoundError,
    MissingGlyphError,
    VolunteeringHours,
)
from gateway.documents.layout import chinese_date
from tests.documents_factories import make_certificate, make_letter, make_practice, make_transcript


@pytest.mark.parametrize("blank", ["", "   ", "\u3000"])
def test_refuses_a_certificate_without_a_holder(blank: str) -> None:
    with pytest.raises(DocumentInputError, match="holder_name: must not be blank"):
        make_certificate(holder_name=blank)


def test_refuses_a_term_that_ends_before_it_starts() -> None:
    with pytest.raises(DocumentInputError, match="term_end: 2023-08-31 is before term_start"):
        make_letter(term_start=date(2023, 9, 1), term_end=date(2023, 8, 31))


def test_accepts_a_term_of_one_day() -> None:
    assert make_letter(term_start=date(2023, 9, 1), term_end=date(2023, 9, 1)).term_end


def test_refuses_a_placement_that_ends_before_it_starts() -> None:
    with pytest.raises(DocumentInputError, match=r"end: .* is before start"):
        make_practice(start=date(2023, 7, 10), end=date(2023, 7, 1))


@pytest.mark.parametrize("hours", [-1, 10_001, True, "8"])
def test_refuses_hours_that_are_not_a_plausible_number(hours: object) -> None:
    with pytest.raises(DocumentInputError, match="hours: must be a number of hours"):
        VolunteeringHours("河小青净滩", hours)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "/verify/2023-XJGR-0001", "ftp://host/x", "https://", "https://h/a b"],
)
def test_refuses_a_verification_url_that_a_phone_could_not_open(url: str) -> None:
    with pytest.raises(DocumentInputError, match="verification_url: must be an absolute http"):
        make_certificate(verification_url=url)


def test_refuses_a_verification_url_too_long_for_a_scannable_qr_code() -> None:
    with pytest.raises(DocumentInputError, match="verification_url: must be at most 256"):
        make_certificate(verification_url="https://gravity.example.org/verify/" + "a" * 230)


def test_refuses_invisible_and_control_characters_by_the_suites_text_policy() -> None:
    with pytest.raises(DocumentInputError, match=r"holder_name: .*U\+202E"):
        make_certificate(holder_name="张\u202e三")
    with pytest.raises(DocumentInputError, match=r"title: .*U\+000A"):
        make_certificate(title="先进\n个人")


def test_a_citation_may_hold_line_breaks_but_not_more_than_600_characters() -> None:
    assert make_certificate(citation="第一段。\n第二段。").citation == "第一段。\n第二段。"
    with pytest.raises(DocumentInputError, match="citation: must be at most 600 characters"):
        make_certificate(citation="优" * 601)


def test_text_is_stored_trimmed_and_in_nfc() -> None:
    certificate = make_certificate(holder_name="  Zoe\u0301 Li  ")
    assert certificate.holder_name == "Zoé Li"


def test_refuses_transcript_rows_of_the_wrong_kind() -> None:
    with pytest.raises(DocumentInputError, match="practice: must be a tuple of PracticeRecord"):
        make_transcript(practice=[make_practice()])


def test_a_character_the_font_lacks_is_refused_naming_field_and_code_point() -> None:
    rare = "\U0002a6a5"  # an extension-B character, beyond the General Standard table
    with pytest.raises(MissingGlyphError, match=r"holder_name: .* U\+2A6A5"):
        DocumentRenderer().certificate(make_certificate(holder_name=f"张{rare}"))


def test_a_transcript_row_with_a_missing_glyph_is_named_by_its_position() -> None:
    rows = (make_practice(1), make_practice(2, host_unit="\U0002a6a5办公室"))
    with pytest.raises(MissingGlyphError, match=r"practice\[1\]\.host_unit"):
        DocumentRenderer().transcript(make_transcript(practice=rows))


def test_a_missing_font_file_is_named_in_the_error(tmp_path: Path) -> None:
    missing = tmp_path / "fonts" / "NotoSerifSC-Regular.otf"
    with pytest.raises(FontNotFoundError, match=re.escape(f"document font not found: {missing}")):
        DocumentRenderer(missing)


def test_a_file_that_is_not_a_font_is_refused_with_its_name(tmp_path: Path) -> None:
    bogus = tmp_path / "font.otf"
    bogus.write_bytes(b"not a font at all")
    with pytest.raises(DocumentFontError, match=re.escape(f"document font {bogus}")):
        DocumentRenderer(bogus)


def test_the_packaged_font_covers_the_general_standard_characters_used_in_names() -> None:
    font = DocumentRenderer().font
    for name in ("张晓喆", "王玥", "李堃", "赵淼", "欧阳䶮", "钱昇"):
        font.check_text("holder_name", name)


@pytest.mark.parametrize(
    ("day", "written"),
    [
        (date(2023, 8, 30), "二〇二三年八月三十日"),
        (date(2024, 10, 1), "二〇二四年十月一日"),
        (date(2023, 12, 20), "二〇二三年十二月二十日"),
        (date(2030, 1, 11), "二〇三〇年一月十一日"),
    ],
)
def test_dates_are_written_in_chinese_numerals(day: date, written: str) -> None:
    assert chinese_date(day) == written
