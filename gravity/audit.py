"""``gravity audit``: what auditors run against the shared event log (they need no database).

``audit events`` prints the log as JSON lines, personal fields redacted unless the auditor asks
otherwise; ``audit verify`` re-checks the hash chain and prints the head to record outside
(``audit_verify.py``); ``audit export`` writes the log to one file that ``verify --export``
checks without the database; ``audit prove`` and ``consistency`` give Merkle proofs
(``audit_proofs.py``); ``audit quarantine`` lists refused events; ``audit checkpoint`` and
``keygen`` are in ``checkpoints.py``.
"""

from __future__ import annotations

import argparse
import os
import sys

import sqlalchemy as sa

from gravity.audit_export import add_export_command
from gravity.audit_proofs import add_proof_commands
from gravity.audit_quarantine import add_quarantine_command
from gravity.audit_verify import add_verify_command
from gravity.checkpoints import add_checkpoint_command
from shared.config import Settings
from shared.eventlog.lines import json_line
from shared.eventlog.reader import EventLogReader
from shared.eventlog.redaction import audit_line
from shared.eventlog.source import LogUnavailableError, open_log, unreadable

PAGE_SIZE = 500


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

    add_verify_command(commands)
    add_export_command(commands)
    add_proof_commands(commands)
    add_quarantine_command(commands)
    add_checkpoint_command(commands)
    return commands


def print_events(args: argparse.Namespace, settings: Settings) -> int:
    """Page through the log and print one JSON object per entry, in position order."""
    try:
        engine = open_log(settings)
    except LogUnavailableError as error:
        print(f"gravity audit events: {error}", file=sys.stderr)
        return 2
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
        print(f"gravity audit events: {unreadable(settings, error)}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader (``head``, say) has seen enough: not a failure. Point stdout at devnull so
        # that the interpreter's final flush does not complain either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        engine.dispose()
    return 0
