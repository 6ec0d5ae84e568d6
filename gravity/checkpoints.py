"""``gravity audit checkpoint`` and the public keys ``gravity audit verify`` checks with."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shared.config import Settings
from shared.eventlog.checkpoints import Checkpointer
from shared.eventlog.keys import KeyFileError, Keyring, load_private_key
from shared.eventlog.process import LOG_KEY
from shared.eventstore.database import create_database_engine


def add_checkpoint_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    checkpoint = commands.add_parser(
        "checkpoint", help="sign a checkpoint of the log now (needs the log's private key)"
    )
    checkpoint.set_defaults(handler=sign_checkpoint)


def public_keys(files: list[Path] | None, settings: Settings) -> Keyring:
    """The keys given, or every ``*.pub`` in the keys directory (may be none)."""
    if files:
        return Keyring.from_files(files)
    return Keyring.from_files(sorted(settings.keys_dir.glob("*.pub")))


def signed_checkpoints_note(keys: Keyring, settings: Settings) -> str:
    if keys:
        return "Every signed checkpoint matches the log."
    return (
        f"No public key in {settings.keys_dir}: signed checkpoints were NOT checked "
        "(pass --public-key FILE, the log's eventlog.pub)."
    )


def sign_checkpoint(_args: argparse.Namespace, settings: Settings) -> int:
    try:
        key = load_private_key(settings.keys_dir / LOG_KEY)
    except KeyFileError as error:
        print(f"gravity audit checkpoint: {error} (set GRAVITY_KEYS_DIR)", file=sys.stderr)
        return 2
    engine = create_database_engine(settings.database_url("eventlog"))
    try:
        signed = Checkpointer(engine, key).checkpoint()
    finally:
        engine.dispose()
    if signed is None:
        print("Nothing to sign: the log is empty or its newest entry is signed already.")
        return 0
    print(f"Signed checkpoint at {signed.position}: head {signed.head_hash}")
    print(f"Merkle root {signed.merkle_root}, key {signed.key_id}, at {signed.signed_at}")
    return 0
