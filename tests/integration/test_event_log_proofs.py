"""``gravity audit prove`` and ``consistency``: proofs against the roots the log signed, checked
here with the RFC 9162 verifier an auditor would use, and refused for a log that changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from shared.eventlog.checkpoints import Checkpointer
from shared.eventlog.keys import Keyring, ensure_private_key, load_public_key
from shared.eventlog.merkle import leaf_hash, verify_consistency, verify_inclusion
from shared.eventlog.tables import event_log
from shared.eventstore.database import create_database_engine
from shared.migrations import upgrade_to_head
from tests.integration.test_event_log import log_events, tamper
from tests.integration.test_event_log_export import audit


@pytest.fixture
def keys_dir(tmp_path: Path) -> Path:
    return tmp_path / "keys"


@pytest.fixture
def events(database_url: str, keys_dir: Path) -> list[str]:
    """13 entries, signed at 7 and at 13; returns their event ids in position order."""
    upgrade_to_head(database_url, "shared.eventlog.migrations")
    engine = create_database_engine(database_url)
    key = ensure_private_key(keys_dir / "eventlog.key")
    envelopes = log_events(engine, 7)
    Checkpointer(engine, key).checkpoint()
    envelopes += log_events(engine, 6)
    Checkpointer(engine, key).checkpoint()
    engine.dispose()
    return [envelope.event_id for envelope in envelopes]


def run(database_url, keys_dir, capsys, *argv) -> tuple[int, dict | None, str]:
    code = audit(database_url, keys_dir, *argv)
    captured = capsys.readouterr()
    return code, (json.loads(captured.out) if code == 0 else None), captured.err


def signed_root_checks(keys_dir: Path, checkpoint: dict) -> bool:
    from shared.eventlog.checkpoints import Checkpoint

    keys = Keyring([load_public_key(keys_dir / "eventlog.pub")])
    signed = Checkpoint(**checkpoint)
    return keys.verifies(signed.key_id, signed.signature, signed.message())


def test_an_inclusion_proof_checks_against_the_signed_root(database_url, keys_dir, events, capsys):
    code, proof, _ = run(database_url, keys_dir, capsys, "prove", events[4])

    assert code == 0
    assert (proof["position"], proof["leaf_index"], proof["tree_size"]) == (5, 4, 7)
    assert proof["root"] == proof["checkpoint"]["merkle_root"]
    assert signed_root_checks(keys_dir, proof["checkpoint"])
    with create_database_engine(database_url).connect() as connection:
        stored = connection.execute(
            sa.select(event_log.c.hash).where(event_log.c.position == 5)
        ).scalar_one()
    leaf = leaf_hash(bytes.fromhex(stored))
    assert proof["leaf_hash"] == leaf.hex()
    path = [bytes.fromhex(node) for node in proof["path"]]
    root = bytes.fromhex(proof["root"])
    assert verify_inclusion(4, 7, leaf, path, root)
    assert not verify_inclusion(3, 7, leaf, path, root)  # another place
    assert not verify_inclusion(4, 7, leaf_hash(b"forged"), path, root)


def test_an_event_after_the_first_checkpoint_is_proven_in_the_next(
    database_url, keys_dir, events, capsys
):
    code, proof, _ = run(database_url, keys_dir, capsys, "prove", events[9])
    assert code == 0
    assert (proof["position"], proof["tree_size"]) == (10, 13)
    code, sized, _ = run(database_url, keys_dir, capsys, "prove", events[9], "--size", "11")
    assert (code, sized["tree_size"], sized["checkpoint"]) == (0, 11, None)


def test_a_consistency_proof_links_two_signed_roots(database_url, keys_dir, events, capsys):
    code, proof, _ = run(database_url, keys_dir, capsys, "consistency", "7", "13")

    assert code == 0
    assert proof["old_root"] == proof["old_checkpoint"]["merkle_root"]
    assert proof["new_root"] == proof["new_checkpoint"]["merkle_root"]
    path = [bytes.fromhex(node) for node in proof["path"]]
    old, new = bytes.fromhex(proof["old_root"]), bytes.fromhex(proof["new_root"])
    assert verify_consistency(7, 13, path, old, new)
    assert not verify_consistency(7, 13, path, new, old)
    assert not verify_consistency(6, 13, path, old, new)


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["prove", "no-such-event"], 1, "no entry with event id no-such-event"),
        (["consistency", "7", "14"], 1, "the log has 13 entries; there is no tree of 14"),
        (["consistency", "9", "3"], 1, "need 1 <= FROM <= TO"),
    ],
)
def test_a_proof_that_cannot_be_given_says_why(
    database_url, keys_dir, events, capsys, argv, code, message
):
    result, _, error = run(database_url, keys_dir, capsys, *argv)
    assert result == code
    assert message in error


def test_a_log_changed_under_its_checkpoint_is_refused_a_proof(
    database_url, keys_dir, events, capsys
):
    engine = create_database_engine(database_url)
    tamper(engine, event_log.update().where(event_log.c.position == 3).values(hash="ab" * 32))
    engine.dispose()

    code, _, error = run(database_url, keys_dir, capsys, "prove", events[4])

    assert code == 1
    assert "no longer match the checkpoint signed at 7" in error
