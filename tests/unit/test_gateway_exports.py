"""The exports' formats without a gateway: CSV cells defused of formulas, the download's file
names, XLSX text that stays text, and a worksheet that would overflow cut rather than short."""

from __future__ import annotations

import io
import urllib.parse

import openpyxl
import pytest

from gateway.exports import formats
from gateway.exports.datasets import DATASETS
from gateway.exports.formats import attachment, csv_cell, csv_chunks, xlsx_chunks


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+86 139", "'+86 139"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tindented", "'\tindented"),
        ("孙悦", "孙悦"),
        ("a=b", "a=b"),
        (-2, "-2"),
        (True, "true"),
        (None, ""),
    ],
)
def test_text_that_starts_like_a_formula_is_prefixed_and_other_values_are_plain(
    value: object, cell: str
) -> None:
    assert csv_cell(value) == cell


def test_a_csv_starts_with_the_bom_and_the_header_and_leaves_one_chunk_per_batch() -> None:
    chunks = list(csv_chunks(["name", "n"], [[["孙悦", 1]], [["=x", 2], ["王芳", 3]]]))
    assert chunks[0] == "\ufeffname,n\r\n".encode()
    assert chunks[1:] == ["孙悦,1\r\n".encode(), "'=x,2\r\n王芳,3\r\n".encode()]


def test_the_file_name_is_ascii_with_the_chinese_name_beside_it_in_rfc_5987_form() -> None:
    header = attachment('students-"x".csv', "引力计划/2026-报名学生.csv")
    assert header.startswith("attachment; filename=\"students--x-.csv\"; filename*=UTF-8''")
    assert urllib.parse.unquote(header.rsplit("''", 1)[1]) == "引力计划-2026-报名学生.csv"
    assert header.isascii()


def test_xlsx_text_that_looks_like_a_formula_or_a_number_stays_text() -> None:
    data = b"".join(xlsx_chunks("s", ["a", "b", "c"], [[["=1+1", "410105200001011234", 7]]]))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    assert [cell.value for cell in sheet[2]] == ["=1+1", "410105200001011234", 7]
    assert [cell.data_type for cell in sheet[2]] == ["s", "s", "n"]


def test_an_xlsx_past_the_worksheets_rows_fails_rather_than_ending_short(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(formats, "XLSX_MAX_ROWS", 3)
    with pytest.raises(formats.ExportTooLargeError):
        b"".join(xlsx_chunks("s", ["a"], [[["1"], ["2"]], [["3"]]]))


def test_personal_columns_are_those_the_read_models_mark() -> None:
    personal = {
        name: {column.header for column in dataset.columns if column.personal}
        for name, dataset in DATASETS.items()
    }
    assert personal == {
        "students": {"name", "phone", "id_number"},
        "placements": {"student_name"},
        "hours": {"student_name"},
        "awards": {"holder_name"},
        "appointments": {"holder_name"},
    }
    assert all(not column.personal for column in DATASETS["students"].visible(personal=False))
