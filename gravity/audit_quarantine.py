"""``gravity audit quarantine``: the events the log refused to chain in, and why."""

from __future__ import annotations

import argparse
import sys

import sqlalchemy as sa

from shared.config import Settings
from shared.eventlog.lines import json_line
from shared.eventlog.source import LogUnavailableError, check_is_log, open_log, unreadable
from shared.eventlog.tables import log_quarantine


def add_quarantine_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    listing = commands.add_parser(
        "quarantine", help="list events the log refused (wrong exchange, broken contract, ...)"
    )
    listing.add_argument(
        "--reveal-personal-data",
        action="store_true",
        help="also print each refused envelope as received (it may hold personal data)",
    )
    listing.set_defaults(handler=print_quarantine)


def print_quarantine(args: argparse.Namespace, settings: Settings) -> int:
    """One JSON line per refused event, oldest first; nothing but a count line when empty."""
    try:
        engine = open_log(settings)
        try:
            check_is_log(engine, settings)
            with engine.connect() as connection:
                rows = connection.execute(sa.select(log_quarantine).order_by(log_quarantine.c.id))
                shown = 0
                for row in rows:
                    line = row._asdict()
                    if not args.reveal_personal_data:
                        line.pop("envelope")
                    print(json_line(line))
                    shown += 1
        except sa.exc.DBAPIError as error:
            raise unreadable(settings, error) from None
        finally:
            engine.dispose()
    except LogUnavailableError as error:
        print(f"gravity audit quarantine: {error}", file=sys.stderr)
        return 2
    print(f"{shown} event(s) in quarantine", file=sys.stderr)
    return 0
