"""The global event log on SQLite and PostgreSQL: gapless, exactly once, tamper-evident."""

import argparse
import json
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from gravity.audit import add_audit_commands
from shared.config import load_settings
from shared.eventlog import EventLogAppender, EventLogReader, HeadAnchor, verify_chain
from shared.eventlog.chain import GENESIS_HASH, entry_hash, stored_entry_hash
from shared.eventlog.tables import event_log, log_head
from shared.events.canonical import canonical_bytes
from shared.events.envelope import Envelope
from shared.eventstore.database import create_database_engine
from shared.migrations import upgrade_to_head

REPO = Path(__file__).resolve().parents[2]
# What can be written: the chain header and the envelope text (the rest derive from it).
CONTENT_COLUMNS = ["recorded_at", "prev_hash", "hash", "envelope"]
HEADER_COLUMNS = ("recorded_at", "prev_hash", "hash")


@pytest.fixture
def engine(database_url):
    upgrade_to_head(database_url, "shared.eventlog.migrations")
    engine = create_database_engine(database_url)
    yield engine
    engine.dispose()


def make_envelope(**overrides):
    values = {
        "event_type": "AllianceJoined",
        "schema_version": 1,
        "stream_id": f"student-{uuid.uuid4()}",
        "stream_version": 1,
        "producer": "recruitment",
        "actor": "student:x",
        "correlation_id": "corr-1",
        "payload": {"student_id": str(uuid.uuid4()), "campaign_id": str(uuid.uuid4())},
    }
    values.update(overrides)
    return Envelope(**values)


def log_events(engine, count):
    envelopes = [make_envelope() for _ in range(count)]
    EventLogAppender(engine).append_batch(envelopes)
    return envelopes


def positions(engine):
    with engine.connect() as connection:
        return (
            connection.execute(sa.select(event_log.c.position).order_by(event_log.c.position))
            .scalars()
            .all()
        )


def tamper(engine, *statements):
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(statement)


def edit(engine, position, **change):
    """An UPDATE a forger would write: envelope fields changed in its stored text (kept
    canonical), header columns set as given."""
    values = {name: change.pop(name) for name in HEADER_COLUMNS if name in change}
    if change:
        value = json.loads(row(engine, position)["envelope"]) | change
        values["envelope"] = canonical_bytes(value).decode("utf-8")
    return event_log.update().where(event_log.c.position == position).values(**values)


def row(engine, position):
    with engine.connect() as connection:
        return (
            connection.execute(sa.select(event_log).where(event_log.c.position == position))
            .one()
            ._asdict()
        )


def test_assigns_gapless_positions_from_one_across_batches(engine):
    appender = EventLogAppender(engine)

    first = appender.append_batch([make_envelope() for _ in range(3)])
    second = appender.append_batch([make_envelope() for _ in range(4)])

    assert first == [1, 2, 3]
    assert second == [4, 5, 6, 7]
    assert positions(engine) == list(range(1, 8))
    assert EventLogReader(engine).head() == 7


def test_absorbs_an_event_that_arrives_twice(engine):
    appender = EventLogAppender(engine)
    once, again = make_envelope(), make_envelope()

    assert appender.append_batch([once, again, once]) == [1, 2]
    assert appender.append_batch([again, make_envelope()]) == [3]
    assert appender.append_batch([once]) == []
    assert positions(engine) == [1, 2, 3]


def test_reads_entries_in_order_after_a_position_with_filters(engine):
    stream = "student-1"
    logged = EventLogAppender(engine)
    envelopes = [
        make_envelope(stream_id=stream, stream_version=1),
        make_envelope(event_type="AllianceLeft"),
        make_envelope(stream_id=stream, stream_version=2, event_type="AllianceLeft"),
    ]
    logged.append_batch(envelopes)
    reader = EventLogReader(engine)

    everything = reader.read_after(0)
    assert [entry.envelope for entry in everything] == envelopes
    assert [entry.position for entry in reader.read_after(1, limit=1)] == [2]
    assert [e.position for e in reader.read_after(0, stream_id=stream)] == [1, 3]
    assert [e.position for e in reader.read_after(0, event_type="AllianceLeft")] == [2, 3]
    assert [e.position for e in reader.read_after(2, event_type="AllianceLeft")] == [3]
    assert everything[0].recorded_at.tzinfo is not None
    assert len(everything[0].hash) == 64


def test_an_empty_log_has_head_zero_and_verifies(engine):
    result = verify_chain(engine)

    assert EventLogReader(engine).head() == 0
    assert result.ok
    assert result.head == HeadAnchor(0, GENESIS_HASH)


def test_an_untampered_log_verifies_and_reports_its_head(engine):
    log_events(engine, 5)
    log_events(engine, 3)
    seen = []

    result = verify_chain(engine, seen.append)

    assert result.ok, result.reason
    assert result.checked == 8
    assert result.first_bad_position is None
    assert result.head == HeadAnchor(8, row(engine, 8)["hash"])
    assert seen == [8]


def test_chains_each_entry_to_the_one_before(engine):
    envelopes = log_events(engine, 2)
    first, second = row(engine, 1), row(engine, 2)

    assert first["prev_hash"] == GENESIS_HASH
    assert second["prev_hash"] == first["hash"]
    assert second["hash"] == entry_hash(
        2, second["recorded_at"], first["hash"], envelopes[1].to_dict()
    )


def test_concurrent_appenders_leave_no_gap_or_duplicate(engine, database_url):
    script = (
        "import sys, time, uuid\n"
        "from datetime import UTC, datetime\n"
        "from shared.events.envelope import Envelope\n"
        "from shared.eventstore.database import create_database_engine\n"
        "from shared.eventlog.appender import EventLogAppender\n"
        "url, start, name = sys.argv[1], float(sys.argv[2]), sys.argv[3]\n"
        "engine = create_database_engine(url)\n"
        "appender = EventLogAppender(engine)\n"
        "def event(key):\n"
        "    return Envelope(event_id=str(uuid.uuid5(uuid.NAMESPACE_URL, key)),\n"
        "        event_type='AllianceJoined', schema_version=1, stream_id=key,\n"
        "        stream_version=1, producer='recruitment', actor='a', correlation_id='c',\n"
        "        payload={}, occurred_at=datetime(2023, 7, 1, tzinfo=UTC))\n"
        "time.sleep(max(0.0, start - time.time()))\n"
        "for batch in range(25):\n"
        "    own = [event(f'{name}-{batch}-{i}') for i in range(4)]\n"
        "    got = appender.append_batch(own + [event(f'shared-{batch}')])\n"
        "    print(' '.join(map(str, got)), flush=True)\n"
    )
    start = time.time() + 2.0
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script, database_url, str(start), f"worker{n}"],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(3)
    ]
    returned = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        returned += [int(p) for p in out.split()]

    total = 3 * 25 * 4 + 25
    assert sorted(returned) == list(range(1, total + 1))
    assert positions(engine) == list(range(1, total + 1))
    assert verify_chain(engine).ok


def test_detects_an_edited_payload(engine):
    log_events(engine, 6)
    tamper(engine, edit(engine, 4, payload={"campaign_id": "x", "student_id": "y"}))

    result = verify_chain(engine)

    assert not result.ok
    assert result.first_bad_position == 4
    assert result.checked == 3
    assert "hash" in result.reason


def rewritten(text: str, how: str) -> str:
    """The same JSON value, written otherwise."""
    value = json.loads(text)
    if how == "white space":
        return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1)
    if how == "escapes":
        return json.dumps(value, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    first_key = sorted(value)[0]
    return '{"' + first_key + '":"FAKE",' + text[1:]  # a duplicate key in front


@pytest.mark.parametrize("how", ["white space", "escapes", "duplicate key"])
def test_detects_a_payload_rewritten_into_another_text(engine, how):
    if how == "escapes":
        EventLogAppender(engine).append_batch([make_envelope() for _ in range(2)])
        EventLogAppender(engine).append_batch([registration(), make_envelope()])
    else:
        log_events(engine, 4)
    envelope, stored = row(engine, 3)["envelope"], row(engine, 3)["payload"]
    assert stored in envelope  # the derived column is the stored payload text itself
    tamper(
        engine,
        event_log.update()
        .where(event_log.c.position == 3)
        .values(envelope=envelope.replace(stored, rewritten(stored, how))),
    )

    result = verify_chain(engine)

    assert (result.ok, result.first_bad_position) == (False, 3)
    assert "not canonical" in result.reason


@pytest.mark.parametrize(
    "change",
    [
        {"actor": "operator:evil"},
        {"occurred_at": "2020-01-01T00:00:00.000000Z"},
        {"stream_version": 9},
        {"event_type": "AllianceLeft"},
        {"recorded_at": "2020-01-01T00:00:00.000000Z"},
    ],
)
def test_detects_edited_metadata(engine, change):
    log_events(engine, 5)
    tamper(engine, edit(engine, 2, **change))

    result = verify_chain(engine)

    assert (result.ok, result.first_bad_position) == (False, 2)


def test_detects_a_deleted_entry(engine):
    log_events(engine, 6)
    tamper(engine, event_log.delete().where(event_log.c.position == 5))

    result = verify_chain(engine)

    assert (result.ok, result.first_bad_position) == (False, 5)
    assert "missing" in result.reason


def test_detects_the_first_entry_deleted(engine):
    log_events(engine, 3)
    tamper(engine, event_log.delete().where(event_log.c.position == 1))

    assert verify_chain(engine).first_bad_position == 1


def test_detects_two_entries_swapped(engine):
    log_events(engine, 7)
    third, sixth = row(engine, 3), row(engine, 6)
    where = event_log.c.position
    tamper(
        engine,
        edit(engine, 3, event_id="swapping"),
        event_log.update().where(where == 6).values({k: third[k] for k in CONTENT_COLUMNS}),
        event_log.update().where(where == 3).values({k: sixth[k] for k in CONTENT_COLUMNS}),
    )

    result = verify_chain(engine)

    assert (result.ok, result.first_bad_position) == (False, 3)


def test_detects_swapped_contents_that_keep_their_hash_columns(engine):
    log_events(engine, 5)
    envelope_columns = [c for c in CONTENT_COLUMNS if c not in ("hash", "prev_hash")]
    second, fourth = row(engine, 2), row(engine, 4)
    where = event_log.c.position
    tamper(
        engine,
        edit(engine, 2, event_id="swapping"),
        event_log.update().where(where == 4).values({k: second[k] for k in envelope_columns}),
        event_log.update().where(where == 2).values({k: fourth[k] for k in envelope_columns}),
    )

    assert verify_chain(engine).first_bad_position == 2


def test_detects_a_truncated_tail(engine):
    log_events(engine, 10)
    tamper(engine, event_log.delete().where(event_log.c.position > 7))

    result = verify_chain(engine)

    assert (result.ok, result.first_bad_position, result.checked) == (False, 8, 7)
    assert "missing" in result.reason


def test_detects_entries_written_behind_the_appenders_back(engine):
    log_events(engine, 3)
    envelope = json.loads(row(engine, 3)["envelope"]) | {"event_id": str(uuid.uuid4())}
    forged = {k: row(engine, 3)[k] for k in HEADER_COLUMNS} | {"position": 4}
    forged["envelope"] = canonical_bytes(envelope).decode("utf-8")
    tamper(engine, event_log.insert().values(forged))

    assert verify_chain(engine).first_bad_position == 4


def test_a_consistent_rewrite_is_caught_only_by_an_expected_head(engine):
    log_events(engine, 4)
    recorded = verify_chain(engine).head
    rewrite_from(engine, 2, actor="operator:evil")

    alone = verify_chain(engine)
    anchored = verify_chain(engine, expect_head=recorded)

    assert alone.ok  # the documented limit: no outside anchor, no detection
    assert (anchored.ok, anchored.first_bad_position) == (False, 4)
    assert "rewritten" in anchored.reason


def test_a_tail_cut_with_a_forged_head_is_caught_by_an_expected_head(engine):
    log_events(engine, 6)
    recorded = verify_chain(engine).head
    fourth = row(engine, 4)
    tamper(
        engine,
        event_log.delete().where(event_log.c.position > 4),
        log_head.update().values(position=4, hash=fourth["hash"]),
    )

    anchored = verify_chain(engine, expect_head=recorded)

    assert verify_chain(engine).ok
    assert (anchored.ok, anchored.first_bad_position) == (False, 5)
    assert verify_chain(engine, expect_head=HeadAnchor(4, fourth["hash"])).ok


def rewrite_from(engine, position, **change):
    """What an attacker with write access could do: edit, then recompute every later hash."""
    tamper(engine, edit(engine, position, **change))
    reader = EventLogReader(engine)
    prev = row(engine, position - 1)["hash"] if position > 1 else GENESIS_HASH
    for entry in reader.read_after(position - 1, limit=10_000):
        stored = row(engine, entry.position)
        digest = entry_hash(entry.position, stored["recorded_at"], prev, entry.envelope.to_dict())
        tamper(
            engine,
            event_log.update()
            .where(event_log.c.position == entry.position)
            .values(prev_hash=prev, hash=digest),
        )
        prev = digest
    tamper(engine, log_head.update().values(hash=prev))


def run_audit(database_url, *argv):
    parser = argparse.ArgumentParser(prog="gravity")
    add_audit_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["audit", *argv])
    settings = load_settings(environ={}, overrides={"databases": {"eventlog": database_url}})
    return args.handler(args, settings)


def registration(name="张三"):
    payload = {
        "student_id": str(uuid.uuid4()),
        "campaign_id": str(uuid.uuid4()),
        "name": name,
        "phone": "13800138000",
        "id_number": "110101200305151234",
        "university": "郑州大学",
        "major": "法学",
        "grade": "2",
        "hometown": "中原区",
        "channel": "self",
    }
    return make_envelope(event_type="StudentRegistered", payload=payload)


def test_audit_events_redacts_personal_data_unless_revealed(engine, database_url, capsys):
    EventLogAppender(engine).append_batch([registration(), make_envelope()])

    assert run_audit(database_url, "events") == 0
    redacted = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert run_audit(database_url, "events", "--reveal-personal-data", "--after", "1") == 0
    revealed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert run_audit(database_url, "events", "--type", "AllianceJoined", "--limit", "5") == 0
    filtered = [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    assert [line["position"] for line in redacted] == [1, 2]
    assert set(redacted[0]) == {"position", "hash", "recorded_at", "event"}
    assert redacted[0]["event"]["payload"]["name"] == "[personal data]"
    assert redacted[0]["event"]["payload"]["university"] == "郑州大学"
    assert "13800138000" not in json.dumps(redacted)
    assert [line["position"] for line in revealed] == [2]
    assert [line["position"] for line in filtered] == [2]


def test_audit_events_prints_one_line_per_entry_even_with_line_separators_inside(
    engine, database_url, capsys
):
    stored = "Henan\u2028University\u2029\x85"
    EventLogAppender(engine).append_batch([make_envelope(event_type="Unheard", payload={})])
    entry = registration()
    entry.payload["university"] = stored
    EventLogAppender(engine).append_batch([entry])

    assert run_audit(database_url, "events", "--reveal-personal-data") == 0
    out = capsys.readouterr().out
    assert "\u2028" not in out
    assert "\u2029" not in out
    lines = out.splitlines()
    assert len(lines) == 2
    assert json.loads(lines[1])["event"]["payload"]["university"] == stored


def test_audit_events_withholds_payloads_without_a_contract(engine, database_url, capsys):
    EventLogAppender(engine).append_batch([make_envelope(event_type="Unheard", payload={"n": 1})])

    run_audit(database_url, "events")

    line = json.loads(capsys.readouterr().out)
    assert line["event"]["payload"]["n"].startswith("[withheld")


def test_documented_verifier_accepts_revealed_output_and_rejects_redacted(
    engine, database_url, capsys, tmp_path
):
    EventLogAppender(engine).append_batch([registration(), make_envelope(), registration("李四")])
    run_audit(database_url, "events", "--reveal-personal-data")
    revealed = capsys.readouterr().out
    run_audit(database_url, "events")
    redacted = capsys.readouterr().out
    docs = (REPO / "docs" / "event-log.md").read_text("utf-8")
    section = docs.split("## Standalone verifier", 1)[1]
    verifier = tmp_path / "verify_log.py"
    verifier.write_text(re.search(r"```python\n(.*?)```", section, re.S).group(1), "utf-8")
    head = verify_chain(engine).head

    good = subprocess.run(
        [sys.executable, str(verifier)], input=revealed, capture_output=True, text=True, check=False
    )
    bad = subprocess.run(
        [sys.executable, str(verifier)], input=redacted, capture_output=True, text=True, check=False
    )

    assert good.returncode == 0, good.stderr
    assert good.stdout.strip() == f"OK: 3 entries, head {head}"
    assert bad.returncode != 0
    assert "FAILED at position 1" in bad.stderr


def test_audit_verify_prints_the_head_and_accepts_it_next_time(engine, database_url, capsys):
    log_events(engine, 3)

    assert run_audit(database_url, "verify") == 0
    out = capsys.readouterr().out
    head = str(verify_chain(engine).head)
    assert head in out
    assert run_audit(database_url, "verify", "--expect-head", head) == 0


def test_audit_verify_names_the_first_bad_position(engine, database_url, capsys):
    log_events(engine, 5)
    tamper(engine, edit(engine, 3, actor="x"))

    assert run_audit(database_url, "verify") == 1
    assert "FAILED at position 3" in capsys.readouterr().out


def test_audit_verify_refuses_a_malformed_expected_head(database_url):
    with pytest.raises(SystemExit):
        run_audit(database_url, "verify", "--expect-head", "nonsense")


def test_verification_is_not_fooled_by_appends_while_it_runs(engine, database_url, monkeypatch):
    monkeypatch.setattr("shared.eventlog.walk.PAGE_SIZE", 2)
    log_events(engine, 5)
    verifier = create_database_engine(database_url, reader=True)

    try:
        result = verify_chain(verifier, lambda _checked: log_events(engine, 1))
    finally:
        verifier.dispose()

    assert result.ok, result.reason
    assert result.checked == 5
    assert verify_chain(engine).checked == 8


def test_detects_an_entry_edited_and_rehashed_at_that_entry(engine):
    log_events(engine, 5)
    edited = row(engine, 3) | {"actor": "operator:evil"}
    envelope = EventLogReader(engine).read_after(2, 1)[0].envelope
    forged = entry_hash(
        3,
        edited["recorded_at"],
        edited["prev_hash"],
        envelope.to_dict() | {"actor": "operator:evil"},
    )
    tamper(engine, edit(engine, 3, actor="operator:evil", hash=forged))

    result = verify_chain(engine)

    assert (result.ok, result.first_bad_position, result.checked) == (False, 3, 2)
    assert "re-hashed" in result.reason


def test_detects_the_last_entry_edited_and_rehashed_through_the_head_anchor(engine):
    log_events(engine, 4)
    rewrite = row(engine, 4)
    envelope = EventLogReader(engine).read_after(3, 1)[0].envelope
    forged = entry_hash(
        4,
        rewrite["recorded_at"],
        rewrite["prev_hash"],
        envelope.to_dict() | {"actor": "operator:evil"},
    )
    tamper(engine, edit(engine, 4, actor="operator:evil", hash=forged))

    assert verify_chain(engine).first_bad_position == 4


@pytest.mark.parametrize("damage", ["payload", "delete", "rehash"])
def test_a_log_walked_in_stretches_by_several_processes_finds_the_same_first_fault(
    engine, monkeypatch, damage
):
    monkeypatch.setattr("shared.eventlog.parallel.PARALLEL_FROM", 10)
    log_events(engine, 40)
    assert verify_chain(engine, workers=2).ok
    if damage == "payload":
        tamper(engine, edit(engine, 23, payload={}))
    elif damage == "delete":
        tamper(engine, event_log.delete().where(event_log.c.position == 23))
    else:  # edit entry 23 and recompute its hash: entry 24 still names the old one
        change = edit(engine, 23, actor="operator:evil")
        tamper(engine, change)
        edited = SimpleNamespace(**row(engine, 23))
        tamper(engine, edit(engine, 23, hash=stored_entry_hash(edited)))

    apart, together = verify_chain(engine, workers=2), verify_chain(engine, workers=1)

    assert (apart.ok, apart.first_bad_position) == (False, 23)
    assert (apart.first_bad_position, apart.reason) == (
        together.first_bad_position,
        together.reason,
    )


AWKWARD_PAYLOAD = {
    "note": 'a "quoted" \\ back\nslash\x01\x1f\x7f / 张三 \u2028',
    "big": 10**30,
    "nested": {"producer": "placement", "list": [True, None, -5, {}, []]},
    "text": ',"producer":"x"',
}


def test_the_envelope_fields_are_derived_from_the_stored_text_exactly(engine):
    envelope = make_envelope(payload=AWKWARD_PAYLOAD, causation_id="cause-1")
    signed = make_envelope().signed("4927e0405ba4306b", "c2lnbmF0dXJl")
    EventLogAppender(engine).append_batch([envelope, signed])

    first, second = row(engine, 1), row(engine, 2)

    assert first["envelope"].encode() == canonical_bytes(envelope.to_dict())
    assert first["payload"].encode() == canonical_bytes(AWKWARD_PAYLOAD)
    assert first | json.loads(first["envelope"]) | {"payload": first["payload"]} == first
    assert (first["key_id"], first["signature"]) == (None, None)
    assert (second["key_id"], second["signature"]) == ("4927e0405ba4306b", "c2lnbmF0dXJl")
    assert [e.envelope for e in EventLogReader(engine).read_after(0)] == [envelope, signed]
    assert verify_chain(engine).ok


@pytest.mark.parametrize("column", ["actor", "payload", "event_id"])
def test_the_database_refuses_to_write_a_derived_column(engine, column):
    log_events(engine, 2)

    with pytest.raises(sa.exc.DBAPIError):
        tamper(engine, event_log.update().where(event_log.c.position == 2).values({column: "x"}))

    assert verify_chain(engine).ok


def test_the_database_refuses_an_envelope_text_that_is_not_json(engine):
    log_events(engine, 4)
    garbage = event_log.update().where(event_log.c.position == 3).values(envelope="{not json")

    with pytest.raises(sa.exc.DBAPIError):  # the derived columns cannot be computed
        tamper(engine, garbage)

    assert verify_chain(engine).ok


def make_actor_writable_and_forge_it(engine, position):
    """What a database administrator could do: turn the derived ``actor`` back into something
    other than the hashed text's, leaving the envelope (and every hash) alone."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text("ALTER TABLE event_log ALTER COLUMN actor DROP EXPRESSION"))
            connection.execute(
                sa.text("UPDATE event_log SET actor = 'operator:evil' WHERE position = :p"),
                {"p": position},
            )
            return
        derived = "json_extract(envelope, '$.actor')"
        forged = f"CASE WHEN position = {position} THEN 'operator:evil' ELSE {derived} END"
        connection.exec_driver_sql("PRAGMA writable_schema = ON")
        connection.exec_driver_sql(
            "UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE name = 'event_log'",
            (
                f"actor TEXT NOT NULL GENERATED ALWAYS AS ({derived})",
                f"actor TEXT NOT NULL GENERATED ALWAYS AS ({forged})",
            ),
        )
        connection.exec_driver_sql("PRAGMA writable_schema = OFF")


def test_detects_a_derived_column_made_to_differ_from_the_hashed_text(engine, database_url, capsys):
    log_events(engine, 4)
    make_actor_writable_and_forge_it(engine, 3)
    engine.dispose()  # a fresh connection reads the changed schema

    assert row(engine, 3)["actor"] == "operator:evil"  # what readers and filters now see
    result = verify_chain(engine)
    assert not result.ok
    assert "schema was changed" in result.reason
    assert run_audit(database_url, "verify") == 1
    assert (
        "FAILED at position 1: the event_log table's schema was changed" in capsys.readouterr().out
    )
