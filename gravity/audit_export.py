"""``gravity audit export``: the log, its checkpoints and public keys in one file."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import sqlalchemy as sa

from gravity.checkpoints import public_keys
from shared.config import Settings
from shared.eventlog.export import export_log
from shared.eventlog.keys import KeyFileError
from shared.eventlog.source import LogUnavailableError, check_is_log, open_log, unreadable


def add_export_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = commands.add_parser(
        "export",
        help="write the log with its checkpoints and public keys to a file "
        "(it holds personal data: mode 0600)",
    )
    export.add_argument("out", type=Path, metavar="FILE", help="the file to write (not replaced)")
    export.set_defaults(handler=export_to_file)


def export_to_file(args: argparse.Namespace, settings: Settings) -> int:
    path: Path = args.out
    try:
        keys = public_keys(None, settings)
        engine = open_log(settings)
    except (KeyFileError, LogUnavailableError) as error:
        print(f"gravity audit export: {error}", file=sys.stderr)
        return 2
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        engine.dispose()
        print(f"gravity audit export: cannot create {path} ({error.strerror})", file=sys.stderr)
        return 2
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as out:
            check_is_log(engine, settings)
            summary = export_log(engine, out, keys, _progress)
    except (LogUnavailableError, sa.exc.DBAPIError) as error:
        path.unlink(missing_ok=True)  # never leave half an export behind
        if isinstance(error, sa.exc.DBAPIError):
            error = unreadable(settings, error)
        print(f"gravity audit export: {error}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"Exported {summary.entries} entries and {summary.checkpoints} checkpoints to {path}")
    print(f"Head: {summary.head}")
    print("It holds personal data: keep it encrypted and delete it when the audit is done.")
    return 0


def _progress(written: int) -> None:
    if sys.stderr.isatty():
        print(f"\rexported {written} entries", end="", file=sys.stderr, flush=True)
