"""The ``gravity`` command line: one entry point for operators, developers and auditors."""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from shared.config import ConfigError, Settings, load_settings
from shared.file_modes import PRIVATE_UMASK


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(args.config)


def _up(args: argparse.Namespace, settings: Settings) -> int:
    from gravity.supervisor import run_suite

    environ = dict(os.environ)
    if args.config:
        environ["GRAVITY_CONFIG"] = str(Path(args.config).resolve())
    return run_suite(settings, environ)


def _token(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.core.tokens import issue_token

    if settings.is_production:
        print(
            "gravity token: refused with GRAVITY_ENV=production (it signs any role for anyone); "
            "create an operator with `gravity accounts create-operator` and sign in "
            "(docs/accounts.md)",
            file=sys.stderr,
        )
        return 2
    ttl = args.ttl if args.ttl is not None else min(8 * 3600, settings.jwt_max_ttl_seconds)
    try:
        token = issue_token(settings, args.role, args.subject, ttl_seconds=ttl)
    except ValueError as refused:
        print(f"gravity token: {refused}", file=sys.stderr)
        return 2
    print(token)
    return 0


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from gravity.demo import load_demo

    return load_demo(settings, args.url)


def _migrate(_args: argparse.Namespace, settings: Settings) -> int:
    from shared.migrations import upgrade_to_head

    packages = {name: f"services.{name}.migrations" for name in settings.services}
    packages |= {"eventlog": "shared.eventlog.migrations", "gateway": "gateway.migrations"}
    for component, package in packages.items():
        upgrade_to_head(settings.database_url(component), package)
        print(f"{component}: schema up to date")
    return 0


def _dead_letters(args: argparse.Namespace, settings: Settings) -> int:
    from shared.messaging.dead_letters import inspect_dead_letters, replay_dead_letters

    if args.action == "replay":
        moved = replay_dead_letters(settings.amqp_uri, args.queue)
        print(f"moved {moved} message(s) back to {args.queue.removesuffix('.dead-letter')}")
        return 0
    for parked in inspect_dead_letters(settings.amqp_uri, args.queue):
        failed = "?" if parked.failed_deliveries is None else parked.failed_deliveries
        print(
            f"{parked.event_id}  {parked.event_type}  failed {failed}x  "
            f"reason {parked.reason}  parked {parked.parked_at}"
        )
    return 0


def build_parser() -> argparse.ArgumentParser:
    from gravity.accounts import add_accounts_commands
    from gravity.audit import add_audit_commands
    from gravity.audit_replay import add_replay_command
    from gravity.broker_users import add_broker_users_command
    from gravity.privacy import add_privacy_commands

    parser = argparse.ArgumentParser(prog="gravity", description=__doc__)
    parser.add_argument("--config", help="YAML config (default: packaged, env-driven)")
    commands = parser.add_subparsers(dest="command", required=True)

    up = commands.add_parser("up", help="run the whole suite on this machine")
    up.add_argument("--data-dir", help="where SQLite files live (default ./var)")
    up.add_argument("--port", type=int, help="gateway port (default 8000)")
    up.set_defaults(handler=_up)

    token = commands.add_parser("token", help="print a development JWT (not in production)")
    token.add_argument(
        "--role", required=True, choices=["operator", "host_unit", "student", "auditor"]
    )
    token.add_argument("--subject", required=True, help="user id (a student's UUID)")
    token.add_argument(
        "--ttl",
        type=int,
        help="seconds until expiry (default 8 h; at most auth.max_token_ttl_seconds, 12 h)",
    )
    token.set_defaults(handler=_token)

    demo = commands.add_parser("demo", help="load the 2023 reference summer via the API")
    demo.add_argument("--url", help="gateway base URL (default from config)")
    demo.set_defaults(handler=_demo)

    migrate = commands.add_parser("migrate", help="bring every database to its newest schema")
    migrate.set_defaults(handler=_migrate)

    dead = commands.add_parser("dead-letters", help="inspect or replay parked messages")
    dead.add_argument("action", choices=["list", "replay"])
    dead.add_argument("queue", help="the handler's queue (or its .dead-letter queue)")
    dead.set_defaults(handler=_dead_letters)

    add_replay_command(add_audit_commands(commands))
    add_accounts_commands(commands)
    add_broker_users_command(commands)
    add_privacy_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # eventlet announces its deprecation when first imported (nameko 2 needs it; some commands
    # load the services' classes): the notice is not for whoever reads the command's output.
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    args = build_parser().parse_args(argv)
    overrides: dict[str, Any] = {}
    if getattr(args, "data_dir", None):
        os.environ["GRAVITY_DATA_DIR"] = args.data_dir
    if getattr(args, "port", None):
        os.environ["GRAVITY_GATEWAY_PORT"] = str(args.port)
    try:
        settings = load_settings(args.config, overrides=overrides)
    except ConfigError as error:
        print(f"gravity: {error}", file=sys.stderr)
        return 2
    handler: Any = args.handler
    # Whatever a command makes (a database, a key, an export) is its user's alone.
    os.umask(PRIVATE_UMASK)
    try:
        return int(handler(args, settings))
    except BrokenPipeError:
        # `gravity audit events | head` closed the pipe early: that is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
