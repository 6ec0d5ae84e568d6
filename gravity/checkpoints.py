"""``gravity audit checkpoint``, ``gravity audit keygen`` and the keys ``verify`` checks with."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import sqlalchemy as sa

from shared.config import Settings
from shared.eventlog.checkpoints import Checkpointer
from shared.eventlog.keys import (
    KeyFileError,
    Keyring,
    ensure_private_key,
    key_id,
    load_private_key,
    public_key_text,
)
from shared.eventlog.process import LOG_KEY
from shared.eventlog.source import LogUnavailableError, check_is_log, open_log, unreadable


def add_checkpoint_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    checkpoint = commands.add_parser(
        "checkpoint", help="sign a checkpoint of the log now (needs the log's private key)"
    )
    checkpoint.set_defaults(handler=sign_checkpoint)
    keygen = commands.add_parser(
        "keygen", help="make the log's signing key in a directory (for a Kubernetes Secret)"
    )
    keygen.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="where eventlog.key goes"
    )
    keygen.add_argument(
        "--producer",
        metavar="SERVICE",
        help="make SERVICE's event-signing key (SERVICE.key, SERVICE.pub) instead of the log's",
    )
    keygen.set_defaults(handler=make_key)


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
    try:
        engine = open_log(settings, reader=False)
        try:
            check_is_log(engine, settings)
            signed = Checkpointer(engine, key).checkpoint()
        except sa.exc.DBAPIError as error:
            raise unreadable(settings, error) from None
        finally:
            engine.dispose()
    except LogUnavailableError as error:
        print(f"gravity audit checkpoint: {error}", file=sys.stderr)
        return 2
    if signed is None:
        print("Nothing to sign: the log is empty or its newest entry is signed already.")
        return 0
    print(f"Signed checkpoint at {signed.position}: head {signed.head_hash}")
    print(f"Merkle root {signed.merkle_root}, key {signed.key_id}, at {signed.signed_at}")
    return 0


def make_key(args: argparse.Namespace, _settings: Settings) -> int:
    """Write ``eventlog.key`` (or ``<producer>.key``; mode 0600) and its ``.pub`` into
    ``--out``; never overwrite."""
    path: Path = args.out / (f"{args.producer}.key" if args.producer else LOG_KEY)
    if path.exists():
        print(f"gravity audit keygen: {path} exists; refusing to replace a key", file=sys.stderr)
        return 2
    try:
        key = ensure_private_key(path)
    except OSError as error:
        print(f"gravity audit keygen: cannot write {path} ({error.strerror})", file=sys.stderr)
        return 2
    print(f"Signing key {path} (keep it secret), public key {path.with_suffix('.pub')}")
    print(f"Key id {key_id(key.public_key())}, public key {public_key_text(key.public_key())}")
    return 0
