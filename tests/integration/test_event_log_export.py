"""``gravity audit export`` and ``verify --export``: the log checked with nothing but a file and
the public keys, every kind of tampering with the file caught; auditor commands that name the
database they could not read."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from gravity.audit import add_audit_commands
from shared.config import load_settings
from shared.eventlog.checkpoints import Checkpointer
from shared.eventlog.keys import ensure_private_key
from shared.eventlog.legacy import LEGACY_COLUMNS
from shared.events.canonical import canonical_bytes
from shared.eventstore.database import create_database_engine
from shared.migrations import upgrade_to_head
from tests.integration.test_event_log import log_events


@pytest.fixture
def keys_dir(tmp_path: Path) -> Path:
    ensure_private_key(tmp_path / "keys" / "eventlog.key")
    return tmp_path / "keys"


@pytest.fixture
def exported(database_url: str, keys_dir: Path, tmp_path: Path, capsys) -> Path:
    """A log of 12 entries, signed at 8 and at 12, exported."""
    upgrade_to_head(database_url, "shared.eventlog.migrations")
    engine = create_database_engine(database_url)
    key = ensure_private_key(keys_dir / "eventlog.key")
    log_events(engine, 8)
    Checkpointer(engine, key).checkpoint()
    log_events(engine, 4)
    Checkpointer(engine, key).checkpoint()
    engine.dispose()
    path = tmp_path / "log.jsonl"
    assert audit(database_url, keys_dir, "export", str(path)) == 0
    assert "Exported 12 entries and 2 checkpoints" in capsys.readouterr().out
    return path


def audit(database_url: str, keys_dir: Path, *argv: str) -> int:
    parser = argparse.ArgumentParser(prog="gravity")
    add_audit_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["audit", *argv])
    settings = load_settings(
        environ={},
        overrides={"databases": {"eventlog": database_url}, "keys_dir": str(keys_dir)},
    )
    code: int = args.handler(args, settings)
    return code


def verify_file(path: Path, keys_dir: Path, capsys, *extra: str) -> tuple[int, str]:
    """Verify with no database at all: the configured log URL points nowhere."""
    nowhere = f"sqlite:///{path.parent / 'absent' / 'eventlog.db'}"
    code = audit(nowhere, keys_dir, "verify", "--export", str(path), *extra)
    assert not (path.parent / "absent" / "eventlog.db").exists()
    return code, capsys.readouterr().out


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def rewrite(path: Path, records: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")


def test_an_export_verifies_without_the_database_and_checks_the_signed_checkpoints(
    exported, keys_dir, capsys
) -> None:
    assert exported.stat().st_mode & 0o777 == 0o600
    header, *rest = lines(exported)
    assert header["head"]["position"] == 12
    assert [record["entry"]["position"] for record in rest if "entry" in record] == list(
        range(1, 13)
    )
    assert set(rest[0]["entry"]) == {"position", "recorded_at", "prev_hash", "hash", "envelope"}
    assert isinstance(rest[0]["entry"]["envelope"], str)  # the stored text, as stored

    code, out = verify_file(exported, keys_dir, capsys)

    assert code == 0, out
    assert "OK: 12 entries verified" in out
    assert "Every signed checkpoint matches the log." in out
    assert f"Head: 12:{header['head']['hash']}" in out


def test_an_export_is_never_written_over(exported, database_url, keys_dir, capsys) -> None:
    before = exported.read_bytes()
    assert audit(database_url, keys_dir, "export", str(exported)) == 2
    assert f"cannot create {exported}" in capsys.readouterr().err
    assert exported.read_bytes() == before


def edit_entry(records: list[dict[str, Any]], position: int, **values: Any) -> None:
    for record in records:
        if record.get("entry", {}).get("position") == position:
            record["entry"].update(values)


def canonical(value: Any) -> str:
    return canonical_bytes(value).decode("utf-8")


def as_version_1(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same export as a version 1 file wrote it: seventeen columns, the payload's text."""
    header, *body = records
    old = []
    for record in body:
        if "entry" not in record:
            old.append(record)
            continue
        entry = dict(record["entry"])
        fields = json.loads(entry.pop("envelope"))
        fields["payload"] = canonical(fields["payload"])
        old.append({"entry": dict.fromkeys(LEGACY_COLUMNS) | entry | fields})
    return [header | {"version": 1}, *old]


@pytest.mark.parametrize(
    ("tampering", "bad_position", "reason"),
    [
        ("edit", 5, "does not match its hash"),
        ("delete", 5, "entry 5 is missing"),
        ("reorder", 5, "does not link"),
        ("white space", 5, "not canonical"),
        ("escapes", 5, "not canonical"),
        ("duplicate key", 5, "not canonical"),
        ("truncate", 11, "entries 11..12 were removed"),
        ("truncate and rewrite the head", 11, "it signed a checkpoint at 12"),
        ("forged checkpoint", 12, "does not carry a valid signature"),
    ],
)
def test_every_tampering_with_an_export_is_caught_with_the_public_key_alone(
    exported, keys_dir, capsys, tampering, bad_position, reason
) -> None:
    records = lines(exported)
    header, body = records[0], records[1:]
    entries = [record for record in body if "entry" in record]
    checkpoints = [record for record in body if "checkpoint" in record]
    envelope = entries[4]["entry"]["envelope"]
    payload = canonical(json.loads(envelope)["payload"])
    assert payload in envelope
    if tampering == "edit":
        edit_entry(entries, 5, envelope=canonical(json.loads(envelope) | {"actor": "forger"}))
    elif tampering == "delete":
        del entries[4]
    elif tampering == "reorder":  # entries 5 and 6 trade places, each taking the other's number
        fifth, sixth = entries[4]["entry"], entries[5]["entry"]
        entries[4]["entry"], entries[5]["entry"] = sixth | {"position": 5}, fifth | {"position": 6}
    elif tampering == "white space":
        edit_entry(entries, 5, envelope=envelope.replace(payload, payload.replace(",", ", ")))
    elif tampering == "escapes":
        rewritten = payload.replace("-", "\\u002d", 1)
        edit_entry(entries, 5, envelope=envelope.replace(payload, rewritten))
    elif tampering == "duplicate key":
        rewritten = '{"student_id":"FAKE",' + payload[1:]
        edit_entry(entries, 5, envelope=envelope.replace(payload, rewritten))
    elif tampering.startswith("truncate"):
        entries = entries[:10]
        if tampering == "truncate and rewrite the head":
            header["head"] = {"position": 10, "hash": entries[-1]["entry"]["hash"]}
    elif tampering == "forged checkpoint":
        checkpoints[1]["checkpoint"]["merkle_root"] = "0" * 64
    rewrite(exported, [header, *entries, *checkpoints])

    code, out = verify_file(exported, keys_dir, capsys)

    assert code == 1, out
    assert f"FAILED at position {bad_position}" in out
    assert reason in out


def test_an_export_of_version_1_still_verifies_and_its_payload_text_is_still_checked(
    exported, keys_dir, capsys
) -> None:
    """A file written before the log kept its envelopes (the payload's own text beside the
    other columns) is checked with the hashes it has."""
    records = as_version_1(lines(exported))
    rewrite(exported, records)
    code, out = verify_file(exported, keys_dir, capsys)
    assert code == 0, out
    assert "Every signed checkpoint matches the log." in out

    fifth = records[5]["entry"]
    assert fifth["position"] == 5
    fifth["payload"] = fifth["payload"].replace(",", ", ")
    rewrite(exported, records)
    code, out = verify_file(exported, keys_dir, capsys)
    assert (code, "FAILED at position 5" in out, "not canonical" in out) == (1, True, True)


def test_a_checkpoint_dropped_from_an_export_still_fails_a_cut_log_against_the_recorded_head(
    exported, keys_dir, capsys
) -> None:
    """Cutting the tail and every checkpoint after it leaves a consistent file: the head the
    auditor recorded (``--expect-head``) is what catches it."""
    header, *body = lines(exported)
    entries = [record for record in body if "entry" in record][:10]
    kept = [record for record in body if record.get("checkpoint", {}).get("position") == 8]
    header["head"] = {"position": 10, "hash": entries[-1]["entry"]["hash"]}
    recorded = lines(exported)[0]["head"]
    rewrite(exported, [header, *entries, *kept])

    code, out = verify_file(
        exported, keys_dir, capsys, "--expect-head", f"{recorded['position']}:{recorded['hash']}"
    )

    assert code == 1, out
    assert "before the expected head 12" in out


def test_a_file_that_is_not_an_export_is_named_with_its_line(exported, keys_dir, capsys) -> None:
    text = exported.read_text("utf-8").splitlines()
    exported.write_text("\n".join([*text[:3], "{not json", *text[3:]]) + "\n", "utf-8")
    code, out = verify_file(exported, keys_dir, capsys)
    assert (code, out.splitlines()[-1]) == (1, f"FAILED: {exported}: line 4 is not JSON")

    exported.write_text(json.dumps({"format": "something else"}) + "\n", "utf-8")
    code, out = verify_file(exported, keys_dir, capsys)
    assert code == 1
    assert "line 1 is not the header of a gravity-event-log-export version 1 or 2 file" in out

    missing = exported.parent / "missing.jsonl"
    nowhere = f"sqlite:///{exported.parent / 'absent.db'}"
    assert audit(nowhere, keys_dir, "verify", "--export", str(missing)) == 2
    assert f"no export at {missing}" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["events"], ["verify"], ["export", "out.jsonl"]])
def test_a_missing_sqlite_log_is_named_and_never_created(tmp_path, keys_dir, capsys, command):
    log_file = tmp_path / "elsewhere" / "eventlog.db"
    code = audit(f"sqlite:///{log_file}", keys_dir, *command)
    assert code == 2
    error = capsys.readouterr().err
    assert f"no event log at {log_file}" in error
    assert "GRAVITY_EVENTLOG_DB" in error
    assert not log_file.exists()


def test_a_database_that_is_not_a_log_is_named_without_its_password(
    postgres_url, keys_dir, capsys
) -> None:
    # An empty database of the right server: no event_log table in it.
    url = sa.engine.make_url(postgres_url).set(password="s3cret-pass")
    code = audit(url.render_as_string(hide_password=False), keys_dir, "verify")
    assert code == 2
    error = capsys.readouterr().err
    assert "cannot read the event log at postgresql" in error
    assert "s3cret-pass" not in error
