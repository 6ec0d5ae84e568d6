"""A recruitment process killed (SIGKILL) while it commits registrations in groups loses none
that it acknowledged: each has its event, its outbox mark and its index row. SQLite (the
product's own synchronous=FULL) and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from services.recruitment.adapters.tables import registrations
from shared.eventstore.tables import events, outbox

ROOT = Path(__file__).resolve().parents[2]
ACKNOWLEDGED_BEFORE_THE_KILL = 400


def test_a_kill_mid_group_loses_no_acknowledged_registration(database_url):
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.support.group_commit_writer", database_url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert writer.stdout is not None
    acknowledged: list[str] = []
    try:
        while len(acknowledged) < ACKNOWLEDGED_BEFORE_THE_KILL:
            line = writer.stdout.readline()
            assert line, "the writer stopped before the kill"
            acknowledged.append(line.strip())
        os.kill(writer.pid, signal.SIGKILL)
        acknowledged += [line.strip() for line in writer.stdout if line.strip()]
    finally:
        writer.kill()
        writer.wait()
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            registered = set(
                connection.execute(
                    sa.select(events.c.stream_id).where(events.c.event_type == "StudentRegistered")
                ).scalars()
            )
            indexed = set(connection.execute(sa.select(registrations.c.student_id)).scalars())
            unmarked = connection.execute(
                sa.select(sa.func.count())
                .select_from(events.outerjoin(outbox, outbox.c.seq == events.c.seq))
                .where(outbox.c.seq.is_(None))
            ).scalar()
    finally:
        engine.dispose()
    assert {f"student-{student_id}" for student_id in acknowledged} <= registered
    assert set(acknowledged) <= indexed
    assert {f"student-{student_id}" for student_id in indexed} == registered
    assert unmarked == 0
