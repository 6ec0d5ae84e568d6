"""``gravity audit replay``: rebuild the gateway's read models from the event log.

Without ``--until`` it rebuilds them from the whole log up to the live checkpoint and compares
them with the live ones row by row (exit 1 on a difference). With ``--until POSITION|TIMESTAMP
--out DIR`` it builds them as they stood at that position or moment into a new SQLite file in
DIR, prints every campaign's reports as of then (JSON, also kept as DIR/reports.json) and
leaves the live read models alone. A bad ``--until``, a missing ``--out`` or a DIR that holds
a replay already exits 2 with a message.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from shared.config import Settings


def add_replay_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    replay = commands.add_parser(
        "replay",
        help="rebuild the gateway read models from the log and compare with live; with "
        "--until, build them as of a position or time into --out DIR and print the reports",
    )
    replay.add_argument("--target", help="database URL for the rebuild (default: temp SQLite)")
    replay.add_argument(
        "--until",
        type=_until,
        metavar="POSITION|TIMESTAMP",
        help="replay the log up to this position, or what it had recorded by this ISO 8601 "
        "time (with a zone: 2023-07-01T08:00:00Z), instead of comparing with live",
    )
    replay.add_argument("--out", metavar="DIR", help="with --until: a new folder for the result")
    replay.add_argument("--quiet", action="store_true", help="no progress bar")
    replay.set_defaults(handler=replay_command)


def replay_command(args: argparse.Namespace, settings: Settings) -> int:
    if args.until is None and args.out is None:
        return _compare_with_live(args, settings)
    if args.until is None or args.out is None:
        print("gravity audit replay: --until and --out go together", file=sys.stderr)
        return 2
    if args.target is not None:
        print("gravity audit replay: --target is for the comparison, not --until", file=sys.stderr)
        return 2
    return _replay_until(args, settings)


def _compare_with_live(args: argparse.Namespace, settings: Settings) -> int:
    # The read models alone, not gateway.sections: its routes, PDF layout and nameko were
    # 135 MB of a replay's 162 MB peak at a million events.
    from gateway.core.replay import replay_read_models
    from gateway.readmodels import READ_MODELS

    report = replay_read_models(
        settings, READ_MODELS, target_url=args.target, progress=not args.quiet
    )
    print(f"replayed {report.events} events from the log")
    if report.equal:
        print("the rebuilt read models equal the live ones")
        return 0
    print("the rebuilt read models DIFFER from the live ones:")
    for difference in report.differences[:50]:
        print(f"  {difference}")
    return 1


def _replay_until(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.audit.point_in_time import REPORTS, PointInTimeError, replay_until
    from gateway.sections import SECTIONS
    from shared.eventlog.source import LogUnavailableError, unreadable

    out = Path(args.out)
    try:
        # Whatever the projector logs goes to stderr: stdout holds the reports alone.
        with contextlib.redirect_stdout(sys.stderr):
            replayed = replay_until(settings, SECTIONS, args.until, out, progress=not args.quiet)
    except (PointInTimeError, LogUnavailableError) as error:
        print(f"gravity audit replay: {error}", file=sys.stderr)
        return 2
    except sa.exc.DBAPIError as error:
        print(f"gravity audit replay: {unreadable(settings, error)}", file=sys.stderr)
        return 2
    document = json.dumps(replayed.as_json(), ensure_ascii=False, indent=2) + "\n"
    descriptor = os.open(out / REPORTS, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as kept:
        kept.write(document)
    sys.stdout.write(document)
    return 0


def _until(text: str) -> int | datetime:
    """argparse's ``type`` for ``--until``: a bad value is a usage error (exit 2)."""
    from gateway.audit.point_in_time import PointInTimeError, parse_until

    try:
        return parse_until(text)
    except PointInTimeError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
