"""``gravity audit prove`` and ``gravity audit consistency``: Merkle proofs an auditor checks
with any RFC 9162 implementation (docs/event-log.md, "Merkle proofs")."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from shared.config import Settings
from shared.eventlog.proofs import ProofError, prove_consistency, prove_inclusion
from shared.eventlog.source import LogUnavailableError, check_is_log, open_log, unreadable
from shared.eventlog.verify import snapshot


def add_proof_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    prove = commands.add_parser("prove", help="the Merkle inclusion proof of one event")
    prove.add_argument("event_id", help="the event's id (as gravity audit events prints it)")
    prove.add_argument(
        "--size",
        type=int,
        metavar="N",
        help="prove against the log of N entries (default: the first signed checkpoint "
        "that holds the event, else the whole log)",
    )
    prove.set_defaults(handler=print_inclusion)
    consistency = commands.add_parser(
        "consistency", help="the Merkle proof that the log of FROM entries is a prefix of TO"
    )
    consistency.add_argument("old_size", type=int, metavar="FROM")
    consistency.add_argument("new_size", type=int, metavar="TO")
    consistency.set_defaults(handler=print_consistency)


def print_inclusion(args: argparse.Namespace, settings: Settings) -> int:
    return _print_proof(
        "prove", settings, lambda c: prove_inclusion(c, args.event_id, args.size).as_json()
    )


def print_consistency(args: argparse.Namespace, settings: Settings) -> int:
    return _print_proof(
        "consistency",
        settings,
        lambda c: prove_consistency(c, args.old_size, args.new_size).as_json(),
    )


def _print_proof(
    command: str, settings: Settings, prove: Callable[[Connection], dict[str, Any]]
) -> int:
    try:
        engine = open_log(settings)
        try:
            check_is_log(engine, settings)
            with snapshot(engine) as connection:
                proof = prove(connection)
        except sa.exc.DBAPIError as error:
            raise unreadable(settings, error) from None
        finally:
            engine.dispose()
    except LogUnavailableError as error:
        print(f"gravity audit {command}: {error}", file=sys.stderr)
        return 2
    except ProofError as error:
        print(f"gravity audit {command}: {error}", file=sys.stderr)
        return 1
    print(json.dumps(proof, indent=2, ensure_ascii=False))
    return 0
