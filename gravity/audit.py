"""``gravity audit``: what auditors run against the shared event log (they need no database).

``audit events`` prints the log as JSON lines, personal fields redacted unless the auditor asks
otherwise; ``audit verify`` re-checks the hash chain and prints the head to record outside.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from gravity.checkpoints import add_checkpoint_command, public_keys, signed_checkpoints_note
from shared.config import Settings
from shared.contracts import CONTRACTS, UnknownEventTypeError
from shared.eventlog.keys import KeyFileError
from shared.eventlog.reader import EventLogReader, LoggedEvent
from shared.eventlog.verify import HeadAnchor, MalformedAnchorError, verify_chain
from shared.events.canonical import format_timestamp
from shared.eventstore.database import create_database_engine

PAGE_SIZE = 500
WITHHELD = "[withheld: no contract for this event version]"


def add_audit_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """Add ``audit events`` and ``audit verify``; returns the ``audit`` subcommand group.

    The group is returned so that the CLI can hang further audit commands (``replay``) on it.
    """
    audit = subparsers.add_parser("audit", help="query and verify the shared event log")
    commands = audit.add_subparsers(dest="audit_command", required=True)

    events = commands.add_parser("events", help="print log entries as JSON lines")
    events.add_argument("--after", type=int, default=0, metavar="N", help="start after position N")
    events.add_argument("--type", dest="event_type", metavar="T", help="only this event type")
    events.add_argument("--stream", dest="stream_id", metavar="S", help="only this stream")
    events.add_argument("--limit", type=int, metavar="L", help="at most L entries (default all)")
    events.add_argument(
        "--reveal-personal-data",
        action="store_true",
        help="print names, phones and ID numbers unmasked (needed to recompute hashes)",
    )
    events.set_defaults(handler=print_events)

    verify = commands.add_parser("verify", help="check the hash chain end to end")
    verify.add_argument(
        "--expect-head",
        type=_anchor,
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
    verify.set_defaults(handler=verify_log)
    add_checkpoint_command(commands)
    return commands


def print_events(args: argparse.Namespace, settings: Settings) -> int:
    """Page through the log and print one JSON object per entry, in position order."""
    engine = create_database_engine(settings.database_url("eventlog"), reader=True)
    reader = EventLogReader(engine)
    after, remaining = args.after, args.limit
    try:
        while remaining is None or remaining > 0:
            page = reader.read_after(
                after,
                PAGE_SIZE if remaining is None else min(PAGE_SIZE, remaining),
                event_type=args.event_type,
                stream_id=args.stream_id,
            )
            if not page:
                break
            for entry in page:
                print(json_line(audit_line(entry, args.reveal_personal_data)))
            after = page[-1].position
            remaining = None if remaining is None else remaining - len(page)
    except sa.exc.DBAPIError as error:
        return _unreadable(error)
    except BrokenPipeError:
        # The reader (``head``, say) has seen enough: not a failure. Point stdout at devnull so
        # that the interpreter's final flush does not complain either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        engine.dispose()
    return 0


# Characters that json.dumps leaves raw but that line-oriented tools (Python's splitlines,
# JavaScript, some terminals) take for line ends: escaped, so that one entry is one line.
_LINE_BREAKERS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def json_line(value: Any) -> str:
    """``value`` as one JSON line: non-ASCII kept readable, line-breaking characters escaped
    (they only occur inside strings, where the escape means the same)."""
    return json.dumps(value, ensure_ascii=False).translate(_LINE_BREAKERS)


def audit_line(entry: LoggedEvent, reveal_personal_data: bool = False) -> dict[str, Any]:
    """One output line; ``recorded_at`` is the exact text that was hashed."""
    event = entry.envelope.to_dict() if reveal_personal_data else _redacted(entry)
    return {
        "position": entry.position,
        "hash": entry.hash,
        "recorded_at": format_timestamp(entry.recorded_at),
        "event": event,
    }


def verify_log(args: argparse.Namespace, settings: Settings) -> int:
    """Print a summary; exit 1 naming the first untrustworthy position if the chain is broken."""
    engine = create_database_engine(settings.database_url("eventlog"), reader=True)
    show_progress = sys.stderr.isatty()

    def progress(checked: int) -> None:
        if show_progress:
            print(f"\rchecked {checked} entries", end="", file=sys.stderr, flush=True)

    try:
        keys = public_keys(args.public_keys, settings)
    except KeyFileError as error:
        print(f"gravity audit verify: {error}", file=sys.stderr)
        return 2
    try:
        result = verify_chain(engine, progress, expect_head=args.expect_head, keys=keys or None)
    except sa.exc.DBAPIError as error:
        return _unreadable(error)
    finally:
        engine.dispose()
    if show_progress:
        print(file=sys.stderr)
    if not result.ok:
        print(f"FAILED at position {result.first_bad_position}: {result.reason}")
        print(f"{result.checked} entries before it verified.")
        return 1
    print(f"OK: {result.reason}; the chain is intact.")
    print(signed_checkpoints_note(keys, settings))
    if args.expect_head is not None:
        print(f"Entry {args.expect_head.position} still has the expected hash.")
    print(f"Head: {result.head}")
    print("Record this head outside the system; check against it later with --expect-head.")
    return 0


def _redacted(entry: LoggedEvent) -> dict[str, Any]:
    envelope = entry.envelope
    try:
        CONTRACTS.get(envelope.event_type, envelope.schema_version)
    except UnknownEventTypeError:
        # No contract says which fields are personal, so none can be shown safely.
        return envelope.to_dict() | {"payload": dict.fromkeys(envelope.payload, WITHHELD)}
    return CONTRACTS.redact(envelope)


def _anchor(text: str) -> HeadAnchor:
    try:
        return HeadAnchor.parse(text)
    except MalformedAnchorError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def _unreadable(error: sa.exc.DBAPIError) -> int:
    # Only the class: the URL may hold a password and the statement may quote personal data.
    print(f"gravity: cannot read the event log ({type(error.orig).__name__})", file=sys.stderr)
    return 2
