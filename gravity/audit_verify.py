"""``gravity audit verify``: the live log, or an export (``--export FILE``) with no database."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

import sqlalchemy as sa

from gravity.checkpoints import public_keys, signed_checkpoints_note
from shared.config import Settings
from shared.eventlog.export import MalformedExportError
from shared.eventlog.export_check import export_key_ids, verify_export
from shared.eventlog.keys import KeyFileError, Keyring
from shared.eventlog.signatures import check_signatures
from shared.eventlog.source import LogUnavailableError, check_is_log, open_log, unreadable
from shared.eventlog.verify import (
    HeadAnchor,
    MalformedAnchorError,
    VerificationResult,
    verify_chain,
)
from shared.events.producer_keys import ProducerKeys


def add_verify_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    verify = commands.add_parser("verify", help="check the hash chain end to end")
    verify.add_argument(
        "--expect-head",
        type=anchor,
        metavar="P:H",
        help="a head printed by an earlier verify: fail unless entry P still has hash H",
    )
    verify.add_argument(
        "--public-key",
        dest="public_keys",
        action="append",
        type=Path,
        metavar="FILE",
        help="the log's public key (base64); repeat for rotated keys "
        "(default: every *.pub in the keys directory)",
    )
    verify.add_argument(
        "--export",
        type=Path,
        metavar="FILE",
        help="verify a file written by gravity audit export instead of the live log "
        "(needs no database)",
    )
    verify.add_argument(
        "--signatures",
        action="store_true",
        help="also check every logged event's producer signature against the registered "
        "producer keys (the live log only)",
    )
    verify.set_defaults(handler=verify_log)


def verify_log(args: argparse.Namespace, settings: Settings) -> int:
    """Print a summary; exit 1 naming the first untrustworthy position if the chain is broken."""
    try:
        keys = public_keys(args.public_keys, settings)
    except KeyFileError as error:
        print(f"gravity audit verify: {error}", file=sys.stderr)
        return 2
    progress = _progress()
    try:
        if args.export is not None:
            result = _verify_file(args.export, keys, args.expect_head, progress)
        else:
            result = _verify_live(settings, keys, args.expect_head, progress)
    except (LogUnavailableError, MalformedExportError) as error:
        _end_progress()
        if isinstance(error, MalformedExportError):
            print(f"FAILED: {args.export}: {error}")
            return 1
        print(f"gravity audit verify: {error}", file=sys.stderr)
        return 2
    _end_progress()
    code = _report(result, args.expect_head, signed_checkpoints_note(keys, settings))
    if code == 0 and args.signatures:
        if args.export is not None:
            print("gravity audit verify: --signatures checks the live log only", file=sys.stderr)
            return 2
        return _verify_signatures(settings)
    return code


def _verify_signatures(settings: Settings) -> int:
    """Check the producers' signatures of the logged events; exit 1 at the first that fails."""
    try:
        producers = ProducerKeys.from_settings(settings)
        engine = open_log(settings)
        try:
            found = check_signatures(engine, producers)
        except sa.exc.DBAPIError as error:
            raise unreadable(settings, error) from None
        finally:
            engine.dispose()
    except (KeyFileError, LogUnavailableError) as error:
        print(f"gravity audit verify: {error}", file=sys.stderr)
        return 2
    if found.first_bad is not None:
        position, reason = found.first_bad
        print(f"FAILED signature at position {position}: {reason}")
        return 1
    print(
        f"Signatures: {found.signed} entries signed by their producers' registered keys, "
        f"{found.unsigned} unsigned (logged before producers signed)."
    )
    return 0


def _verify_live(
    settings: Settings,
    keys: Keyring,
    expect_head: HeadAnchor | None,
    progress: Callable[[int], None],
) -> VerificationResult:
    engine = open_log(settings)
    try:
        check_is_log(engine, settings)
        return verify_chain(engine, progress, expect_head=expect_head, keys=keys or None)
    except sa.exc.DBAPIError as error:
        raise unreadable(settings, error) from None
    finally:
        engine.dispose()


def _verify_file(
    path: Path,
    keys: Keyring,
    expect_head: HeadAnchor | None,
    progress: Callable[[int], None],
) -> VerificationResult:
    try:
        with path.open(encoding="utf-8", newline="\n") as file:
            listed = export_key_ids(file.readline())
            if listed:
                print(f"The export lists the key ids {', '.join(listed)}; checking with yours.")
            file.seek(0)
            trusted = keys or None
            return verify_export(_lines(file), trusted, expect_head=expect_head, progress=progress)
    except FileNotFoundError:
        raise LogUnavailableError(f"no export at {path.resolve()}") from None
    except UnicodeDecodeError:
        raise MalformedExportError("the file is not UTF-8 text") from None


def _lines(file: TextIO) -> Iterator[str]:
    yield from file


def _report(result: VerificationResult, expect_head: HeadAnchor | None, note: str) -> int:
    if not result.ok:
        print(f"FAILED at position {result.first_bad_position}: {result.reason}")
        print(f"{result.checked} entries before it verified.")
        return 1
    print(f"OK: {result.reason}; the chain is intact.")
    print(note)
    if expect_head is not None:
        print(f"Entry {expect_head.position} still has the expected hash.")
    print(f"Head: {result.head}")
    print("Record this head outside the system; check against it later with --expect-head.")
    return 0


def _progress() -> Callable[[int], None]:
    shown = sys.stderr.isatty()

    def progress(checked: int) -> None:
        if shown:
            print(f"\rchecked {checked} entries", end="", file=sys.stderr, flush=True)

    return progress


def _end_progress() -> None:
    if sys.stderr.isatty():
        print(file=sys.stderr)


def anchor(text: str) -> HeadAnchor:
    try:
        return HeadAnchor.parse(text)
    except MalformedAnchorError as error:
        raise argparse.ArgumentTypeError(str(error)) from error
