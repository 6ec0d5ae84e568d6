"""Honours documents with overrides, after the 2023 reference summer, and the Debian tools
the document tests read PDFs back with (poppler-utils, zbar-tools)."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from gateway.documents import (
    AppointmentLetter,
    AppointmentRecord,
    CertificateDocument,
    FeaturedDiary,
    HonourRecord,
    PracticeRecord,
    TranscriptDocument,
    VolunteeringHours,
)

VERIFY = "https://gravity.example.org/verify"


def make_certificate(**overrides: Any) -> CertificateDocument:
    fields: dict[str, Any] = {
        "serial": "2023-XJGR-0001",
        "holder_name": "张晓喆",
        "title": "先进个人",
        "campaign_name": "2023年引力计划暑期社会实践",
        "citation": (
            "该同学在区委办公室实践期间积极主动、认真负责，协助完成文件整理和会议保障工作，表现突出。"
        ),
        "issued_on": date(2023, 8, 30),
        "issuer": "共青团某某区委员会",
        "verification_url": f"{VERIFY}/2023-XJGR-0001?code=3f9a1c2b7d5e",
    }
    return CertificateDocument(**{**fields, **overrides})


def make_letter(**overrides: Any) -> AppointmentLetter:
    fields: dict[str, Any] = {
        "serial": "2023-PS-0007",
        "holder_name": "李思远",
        "committee": "共青团某某镇委员会",
        "post": "兼职副书记",
        "term_start": date(2023, 9, 1),
        "term_end": date(2024, 8, 31),
        "issued_on": date(2023, 8, 30),
        "issuer": "共青团某某区委员会",
        "verification_url": f"{VERIFY}/2023-PS-0007?code=0b1c2d3e4f5a",
    }
    return AppointmentLetter(**{**fields, **overrides})


def make_practice(number: int = 1, **overrides: Any) -> PracticeRecord:
    start = date(2023, 7, 1)
    fields: dict[str, Any] = {
        "host_unit": f"某某区人民政府办公室第{number}科室",
        "position": "文秘助理",
        "start": start,
        "end": start + timedelta(days=40),
        "hours": 160,
        "evaluation": "优秀（92分）",
    }
    return PracticeRecord(**{**fields, **overrides})


def make_transcript(**overrides: Any) -> TranscriptDocument:
    fields: dict[str, Any] = {
        "reference": "T-2023-000123",
        "student_name": "王小明",
        "university": "郑州大学",
        "campaign_name": "2023年引力计划暑期社会实践",
        "issued_on": date(2023, 9, 10),
        "issuer": "共青团某某区委员会",
        "verification_url": f"{VERIFY}/T-2023-000123?code=9f8e7d6c5b4a",
        "practice": (make_practice(),),
        "volunteering": (
            VolunteeringHours("暑托班公益课堂", 24),
            VolunteeringHours("河小青净滩", 6.5),
        ),
        "honours": (HonourRecord("先进个人", "2023-XJGR-0001", date(2023, 8, 30)),),
        "appointments": (
            AppointmentRecord(
                "兼职副书记", "共青团某某镇委员会", date(2023, 9, 1), date(2024, 8, 31)
            ),
        ),
        "diaries": (FeaturedDiary("在区委办公室的第一周", date(2023, 7, 20)),),
    }
    return TranscriptDocument(**{**fields, **overrides})


# --- reading a PDF back with the tools a person would use ----------------------------------

TOOLS = {"pdftoppm": "poppler-utils", "pdftotext": "poppler-utils", "pdffonts": "poppler-utils"}
TOOLS["zbarimg"] = "zbar-tools"


def run_tool(tool: str, *arguments: str | Path) -> str:
    """Run a Debian tool; a missing one fails the test saying what to install (never skips)."""
    if shutil.which(tool) is None:
        pytest.fail(
            f"{tool} is not installed: apt-get install {TOOLS[tool]} "
            f"(make test and .ci/run install it via deploy/ensure-test-tools.sh)"
        )
    done = subprocess.run([tool, *map(str, arguments)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{tool} failed ({done.returncode}): {done.stderr}"
    return done.stdout


def write(pdf: bytes, folder: Path, name: str = "document.pdf") -> Path:
    path = folder / name
    path.write_bytes(pdf)
    return path


def text_of(pdf: Path, page: int | None = None) -> str:
    pages = ("-f", str(page), "-l", str(page)) if page else ()
    return run_tool("pdftotext", *pages, pdf, "-")


def rasterise(pdf: Path, dpi: int = 150) -> list[Path]:
    """One PNG per page, as pdftoppm draws them."""
    run_tool("pdftoppm", "-r", str(dpi), "-png", pdf, pdf.with_suffix(""))
    return sorted(pdf.parent.glob(f"{pdf.stem}-*.png"))


def qr_codes(png: Path) -> list[str]:
    """Every QR code zbarimg finds on a page, decoded."""
    return run_tool("zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", png).split()


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float
    page_width: float
    page_height: float


_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


def words(pdf: Path) -> list[Word]:
    """Every word pdftotext finds, with its box in points and its page's size."""
    found = []
    for number, (width, height, body) in enumerate(
        _PAGE.findall(run_tool("pdftotext", "-bbox", pdf, "-")), 1
    ):
        for x_min, y_min, x_max, y_max, text in _WORD.findall(body):
            box = (float(x_min), float(y_min), float(x_max), float(y_max))
            found.append(Word(number, text, *box, float(width), float(height)))
    return found


def within(word: Word, margin_mm: float) -> bool:
    """The word lies inside its page less ``margin_mm`` on every side."""
    margin = margin_mm * 72 / 25.4
    return (
        word.x_min >= margin
        and word.y_min >= margin
        and word.x_max <= word.page_width - margin
        and word.y_max <= word.page_height - margin
    )
