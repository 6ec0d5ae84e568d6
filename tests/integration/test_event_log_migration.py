"""A log written before the log kept each entry's envelope text (revision 0004) migrates to it
with every hash unchanged: it still verifies, against the head recorded before and against its
signed checkpoints, and what was tampered with before is still caught after."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from shared.eventlog import EventLogReader, HeadAnchor, verify_chain
from shared.eventlog.chain import GENESIS_HASH, entry_hash, envelope_text
from shared.eventlog.checkpoints import Checkpointer
from shared.eventlog.keys import Keyring, ensure_private_key
from shared.eventlog.legacy import LEGACY_COLUMNS
from shared.events.canonical import canonical_bytes, format_timestamp
from shared.events.envelope import Envelope
from shared.eventstore.database import create_database_engine
from shared.migrations import migrate_to, upgrade_to_head
from tests.factories import make_alliance_joined
from tests.integration.test_event_log_checkpoints import run_audit

MIGRATIONS = "shared.eventlog.migrations"


def make_envelope(number: int, **payload: Any) -> Envelope:
    return make_alliance_joined(
        number,
        student_id=str(number),
        actor="operator:7",
        correlation_id=f"corr-{number}",
        causation_id=None if number % 2 else f"cause-{number}",
        occurred_at=datetime(2023, 7, 1, 8, 0, number, tzinfo=UTC),
        payload={"student_id": str(uuid.UUID(int=number)), **payload},
    )


AWKWARD = {
    "note": 'a "quoted" \\ back\nslash\x01\x1f\x7f / 张三 \u2028',
    "big": 10**30,
    "nested": {"producer": "placement", "list": [True, None, -5, {}, []]},
    "text": ',"producer":"x"',
}


def old_rows(envelopes: list[Envelope]) -> list[dict[str, Any]]:
    """The rows revision 0004's appender wrote: every envelope field a column of its own."""
    rows, prev = [], GENESIS_HASH
    for position, envelope in enumerate(envelopes, start=1):
        recorded_at = format_timestamp(datetime(2023, 7, 1, 9, 0, position, tzinfo=UTC))
        digest = entry_hash(position, recorded_at, prev, envelope.to_dict())
        values = envelope.to_dict() | {
            "payload": canonical_bytes(envelope.payload).decode("utf-8"),
            "position": position,
            "recorded_at": recorded_at,
            "prev_hash": prev,
            "hash": digest,
        }
        rows.append(dict.fromkeys(LEGACY_COLUMNS) | values)
        prev = digest
    return rows


def write_old_log(database_url: str, rows: list[dict[str, Any]]) -> None:
    migrate_to(database_url, MIGRATIONS, "0004")
    engine = create_database_engine(database_url)
    names = ", ".join(LEGACY_COLUMNS)
    marks = ", ".join(f":{name}" for name in LEGACY_COLUMNS)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(f"INSERT INTO event_log ({names}) VALUES ({marks})"), rows)
            connection.execute(
                sa.text("UPDATE log_head SET position = :position, hash = :hash"),
                {"position": rows[-1]["position"], "hash": rows[-1]["hash"]},
            )
    finally:
        engine.dispose()


@pytest.fixture
def envelopes() -> list[Envelope]:
    found = [make_envelope(n) for n in range(1, 8)]
    found[2] = make_envelope(3, **AWKWARD)
    found[4] = found[4].signed("4927e0405ba4306b", "c2lnbmF0dXJl")
    return found


def test_an_old_log_migrates_with_every_hash_and_checkpoint_unchanged(
    database_url, envelopes, tmp_path, capsys
):
    rows = old_rows(envelopes)
    write_old_log(database_url, rows)
    engine = create_database_engine(database_url)
    key = ensure_private_key(tmp_path / "keys" / "eventlog.key")
    try:
        Checkpointer(engine, key).checkpoint()  # signed by the old log, over its hashes
        recorded = HeadAnchor(len(rows), rows[-1]["hash"])

        upgrade_to_head(database_url, MIGRATIONS)

        keys = Keyring([key.public_key()])
        result = verify_chain(engine, expect_head=recorded, keys=keys)
        assert result.ok, result.reason
        assert result.head == recorded
        with engine.connect() as connection:
            stored = connection.execute(sa.text("SELECT * FROM event_log ORDER BY position"))
            migrated = [row._asdict() for row in stored]
        assert [row["hash"] for row in migrated] == [row["hash"] for row in rows]
        assert [row["envelope"] for row in migrated] == [envelope_text(e) for e in envelopes]
        for old, new in zip(rows, migrated, strict=True):
            assert {name: new[name] for name in LEGACY_COLUMNS} == old  # derived alike
        logged = EventLogReader(engine).read_after(0)
        assert [entry.envelope for entry in logged] == envelopes
        expect = ["--expect-head", str(recorded)]
        assert run_audit(database_url, tmp_path / "keys", "verify", *expect) == 0
        out = capsys.readouterr().out
        assert f"OK: {len(rows)} entries verified" in out
        assert "Every signed checkpoint matches the log." in out
    finally:
        engine.dispose()


def test_an_entry_tampered_with_before_the_migration_is_still_caught_after_it(
    database_url, envelopes
):
    rows = old_rows(envelopes)
    rows[3]["payload"] = rows[3]["payload"].replace(":", ": ")  # same value, other text
    rows[5]["actor"] = "operator:evil"
    write_old_log(database_url, rows)
    engine = create_database_engine(database_url)
    try:
        unmigrated = verify_chain(engine)

        upgrade_to_head(database_url, MIGRATIONS)

        after = verify_chain(engine)
        assert not unmigrated.ok
        assert "run gravity migrate" in unmigrated.reason
        assert (after.ok, after.first_bad_position) == (False, 4)
        assert "entry 4's stored envelope is not canonical JSON" in after.reason
    finally:
        engine.dispose()


def test_an_old_entry_that_is_not_json_stops_the_migration_and_is_named(database_url, envelopes):
    rows = old_rows(envelopes)
    rows[1]["payload"] = "garbage"
    write_old_log(database_url, rows)

    with pytest.raises(RuntimeError, match="entry 2 of the event log is not JSON"):
        upgrade_to_head(database_url, MIGRATIONS)
