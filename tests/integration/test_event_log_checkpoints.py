"""Signed checkpoints on SQLite and PostgreSQL: a cut tail or a rewritten head is caught with
nothing but the log's public key, and a checkpoint nobody with the key signed is refused."""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.engine import Engine

from gravity.audit import add_audit_commands
from shared.config import load_settings
from shared.eventlog import verify_chain
from shared.eventlog.checkpoints import Checkpointer, read_checkpoints
from shared.eventlog.keys import Keyring, ensure_private_key, load_public_key
from shared.eventlog.merkle import leaf_hash, tree_root
from shared.eventlog.tables import HEAD_ROW_ID, event_log, log_checkpoints, log_head
from shared.eventstore.database import create_database_engine
from shared.migrations import upgrade_to_head
from tests.integration.test_event_log import log_events, tamper


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    upgrade_to_head(database_url, "shared.eventlog.migrations")
    engine = create_database_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def key(tmp_path: Path) -> Ed25519PrivateKey:
    return ensure_private_key(tmp_path / "keys" / "eventlog.key")


@pytest.fixture
def keys(tmp_path: Path, key: Ed25519PrivateKey) -> Keyring:
    return Keyring([load_public_key(tmp_path / "keys" / "eventlog.pub")])


def test_a_new_key_is_private_to_its_owner_and_its_public_half_verifies(tmp_path, key) -> None:
    private = tmp_path / "keys" / "eventlog.key"
    assert private.stat().st_mode & 0o777 == 0o600
    assert ensure_private_key(private).public_key() == key.public_key()  # made once, then read
    assert load_public_key(tmp_path / "keys" / "eventlog.pub") == key.public_key()


def test_the_checkpointer_signs_every_n_entries_and_the_merkle_root_of_that_prefix(
    engine, key, keys
) -> None:
    checkpointer = Checkpointer(engine, key, every_entries=4, every_seconds=3600)
    for _ in range(3):
        log_events(engine, 4)
        checkpointer.appended(4)
        checkpointer.tick()
    with engine.connect() as connection:
        signed = read_checkpoints(connection)
        hashes = connection.execute(
            sa.select(event_log.c.hash).order_by(event_log.c.position)
        ).scalars()
        leaves = [leaf_hash(bytes.fromhex(digest)) for digest in hashes]
    assert [checkpoint.position for checkpoint in signed] == [4, 8, 12]
    assert signed[-1].merkle_root == tree_root(leaves).hex()
    assert all(keys.verifies(c.key_id, c.signature, c.message()) for c in signed)
    assert verify_chain(engine, keys=keys).ok


def test_a_cut_tail_with_a_rewritten_head_is_caught_by_the_newest_checkpoint(
    engine, key, keys
) -> None:
    log_events(engine, 10)
    Checkpointer(engine, key).checkpoint()
    with engine.connect() as connection:
        eighth = connection.execute(
            sa.select(event_log.c.hash).where(event_log.c.position == 8)
        ).scalar_one()
    tamper(
        engine,
        event_log.delete().where(event_log.c.position > 8),
        log_head.update().where(log_head.c.id == HEAD_ROW_ID).values(position=8, hash=eighth),
    )
    assert verify_chain(engine).ok  # without the key, the cut is invisible

    result = verify_chain(engine, keys=keys)

    assert (result.ok, result.first_bad_position) == (False, 9)
    assert "signed a checkpoint at 10" in result.reason


def test_a_checkpoint_signed_by_another_key_or_altered_is_refused(engine, key, keys) -> None:
    log_events(engine, 6)
    signed = Checkpointer(engine, key).checkpoint()
    assert signed is not None
    intruder = Checkpointer(engine, Ed25519PrivateKey.generate())
    log_events(engine, 2)
    intruder.checkpoint()
    forged = verify_chain(engine, keys=keys)
    assert (forged.ok, forged.first_bad_position) == (False, 8)
    assert "unknown key" in forged.reason
    tamper(engine, log_checkpoints.delete().where(log_checkpoints.c.position == 8))
    altered = dataclasses.replace(signed, merkle_root="00" * 32)
    tamper(
        engine,
        log_checkpoints.update()
        .where(log_checkpoints.c.position == 6)
        .values(merkle_root=altered.merkle_root),
    )
    assert "valid signature" in verify_chain(engine, keys=keys).reason


def test_old_checkpoints_still_verify_after_the_key_is_rotated(engine, key, keys) -> None:
    log_events(engine, 3)
    Checkpointer(engine, key).checkpoint()
    new_key = Ed25519PrivateKey.generate()
    log_events(engine, 3)
    Checkpointer(engine, new_key).checkpoint()
    both = Keyring([key.public_key(), new_key.public_key()])
    assert verify_chain(engine, keys=both).ok
    assert "unknown key" in verify_chain(engine, keys=keys).reason


def test_an_entry_rewritten_with_its_hash_and_every_later_link_is_caught(engine, key, keys):
    log_events(engine, 5)
    Checkpointer(engine, key).checkpoint()
    with engine.connect() as connection:
        rows = connection.execute(sa.select(event_log).order_by(event_log.c.position)).all()
    # Rewrite entry 3 and re-chain 3..5 and the head, as someone with write access could.
    from shared.eventlog.chain import stored_entry_hash
    from shared.events.canonical import canonical_bytes

    prev, statements = rows[1].hash, []
    for row in rows[2:]:
        values = row._asdict() | {"prev_hash": prev}
        if row.position == 3:
            edited = json.loads(values["envelope"]) | {"actor": "operator:evil"}
            values["envelope"] = canonical_bytes(edited).decode("utf-8")
        digest = stored_entry_hash(type("Row", (), values))
        statements.append(
            event_log.update()
            .where(event_log.c.position == row.position)
            .values(envelope=values["envelope"], prev_hash=prev, hash=digest)
        )
        prev = digest
    statements.append(log_head.update().where(log_head.c.id == HEAD_ROW_ID).values(hash=prev))
    tamper(engine, *statements)
    assert verify_chain(engine).ok  # the chain alone is consistent again

    result = verify_chain(engine, keys=keys)

    assert (result.ok, result.first_bad_position) == (False, 5)
    assert "differs from what its checkpoint" in result.reason


def test_a_quiet_log_is_signed_once_enough_time_has_passed(engine, key, keys) -> None:
    checkpointer = Checkpointer(engine, key, every_entries=1000, every_seconds=0.05)
    log_events(engine, 2)
    checkpointer.tick()
    time.sleep(0.06)
    checkpointer.tick()
    checkpointer.tick()
    with engine.connect() as connection:
        assert [checkpoint.position for checkpoint in read_checkpoints(connection)] == [2]


def run_audit(database_url: str, keys_dir: Path, *argv: str) -> int:
    parser = argparse.ArgumentParser(prog="gravity")
    add_audit_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["audit", *argv])
    settings = load_settings(
        environ={},
        overrides={"databases": {"eventlog": database_url}, "keys_dir": str(keys_dir)},
    )
    code: int = args.handler(args, settings)
    return code


def test_the_cli_makes_a_key_signs_and_verifies_with_it_and_refuses_a_stranger_key(
    engine, database_url, tmp_path, capsys
) -> None:
    keys_dir = tmp_path / "operator-keys"
    assert run_audit(database_url, keys_dir, "keygen", "--out", str(keys_dir)) == 0
    assert (keys_dir / "eventlog.key").stat().st_mode & 0o777 == 0o600
    original = (keys_dir / "eventlog.key").read_bytes()
    assert run_audit(database_url, keys_dir, "keygen", "--out", str(keys_dir)) == 2
    assert "refusing to replace" in capsys.readouterr().err
    assert (keys_dir / "eventlog.key").read_bytes() == original

    log_events(engine, 4)
    assert run_audit(database_url, keys_dir, "checkpoint") == 0
    assert "Signed checkpoint at 4" in capsys.readouterr().out
    assert run_audit(database_url, keys_dir, "verify") == 0
    assert "Every signed checkpoint matches the log." in capsys.readouterr().out

    stranger = tmp_path / "stranger"
    ensure_private_key(stranger / "eventlog.key")
    refused = run_audit(
        database_url, keys_dir, "verify", "--public-key", str(stranger / "eventlog.pub")
    )
    assert refused == 1
    assert "unknown key" in capsys.readouterr().out


def test_without_a_public_key_verify_says_checkpoints_were_not_checked(
    engine, database_url, tmp_path, capsys
) -> None:
    log_events(engine, 2)
    assert run_audit(database_url, tmp_path / "empty", "verify") == 0
    assert "signed checkpoints were NOT checked" in capsys.readouterr().out


def test_checkpoint_without_the_private_key_names_the_missing_file(
    engine, database_url, tmp_path, capsys
) -> None:
    assert run_audit(database_url, tmp_path / "nowhere", "checkpoint") == 2
    assert f"no signing key at {tmp_path / 'nowhere' / 'eventlog.key'}" in capsys.readouterr().err
