"""A campaign's registrations exported as CSV and XLSX the way the gateway streams them, beside
the naive baseline (every row read, then the whole CSV built as one string), same data and run.

.venv/bin/python bench/exports.py [--rows 100000] [--database sqlite:///...]

Each way is run twice: once timed, once under tracemalloc for the peak of Python's heap
(tracemalloc slows it down, so its time is not reported). The streamed ways' peak should stay
flat as --rows grows; the baseline's grows with it.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from gateway.core.tables import metadata
from gateway.exports.datasets import STUDENTS
from gateway.exports.formats import BOM, csv_chunks, xlsx_chunks
from gateway.exports.queries import ExportReads
from gateway.recruitment.tables import students
from gateway.sections import SECTIONS

CAMPAIGN = str(uuid.uuid4())


def fill(engine: sa.Engine, rows: int) -> None:
    with engine.begin() as connection:
        for start in range(0, rows, 5000):
            connection.execute(
                sa.insert(students),
                [
                    {
                        "student_id": str(uuid.uuid4()),
                        "campaign_id": CAMPAIGN,
                        "name": f"学生{number}",
                        "phone": "13912345678",
                        "id_number": "410105200001011234",
                        "university": "Henan University",
                        "major": "Law",
                        "grade": "junior",
                        "hometown": "Beiguan Town",
                        "channel": "organisation",
                        "status": "approved",
                        "screening_reason": "考察合格",
                        "in_alliance": False,
                        "registered_at": f"2026-06-01T08:00:00.{number:06d}Z",
                        "updated_at": "2026-06-01T08:00:00Z",
                    }
                    for number in range(start, min(rows, start + 5000))
                ],
            )


def drain(chunks: Iterable[bytes]) -> int:
    return sum(len(chunk) for chunk in chunks)


def whole_csv(engine: sa.Engine) -> int:
    """The baseline: every row in memory, then one string."""
    columns = STUDENTS.visible(personal=True)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(*(column.source for column in columns))
            .where(students.c.campaign_id == CAMPAIGN)
            .order_by(students.c.registered_at, students.c.student_id)
        ).all()
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer)
    writer.writerow([column.header for column in columns])
    writer.writerows(rows)
    return len(buffer.getvalue().encode("utf-8"))


def measure(work: Callable[[], int]) -> tuple[float, int, int]:
    started = time.perf_counter()
    size = work()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    work()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, size, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database", default="")
    arguments = parser.parse_args()
    assert SECTIONS  # every section's tables on the metadata
    with tempfile.TemporaryDirectory() as folder:
        url = arguments.database or f"sqlite:///{folder}/exports.db"
        engine = sa.create_engine(url)
        metadata.create_all(engine)
        fill(engine, arguments.rows)
        reads, columns = ExportReads(engine), STUDENTS.visible(personal=True)
        headers = [column.header for column in columns]
        ways: dict[str, Callable[[], int]] = {
            "baseline: whole CSV in memory": lambda: whole_csv(engine),
            "streamed CSV (batches of 500)": lambda: drain(
                csv_chunks(headers, reads.batches(STUDENTS, columns, CAMPAIGN))
            ),
            "streamed XLSX (constant_memory)": lambda: drain(
                xlsx_chunks("students", headers, reads.batches(STUDENTS, columns, CAMPAIGN))
            ),
        }
        print(f"{arguments.rows:,} registrations, {len(columns)} columns, {engine.dialect.name}")
        print(f"{'way':34} {'seconds':>8} {'rows/s':>9} {'MB out':>7} {'peak heap MB':>13}")
        for name, work in ways.items():
            seconds, size, peak = measure(work)
            rate = arguments.rows / seconds
            print(f"{name:34} {seconds:8.2f} {rate:9,.0f} {size / 1e6:7.1f} {peak / 1e6:13.1f}")
        engine.dispose()


if __name__ == "__main__":
    main()
