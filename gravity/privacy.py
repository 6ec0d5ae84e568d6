"""``gravity privacy``: the lookup key, re-keying old ID-number digests, retention, and the
rotation of the master keys that wrap the per-subject data keys (docs/privacy.md)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from shared.config import Settings
from shared.lookup_digest import LookupKeyError, lookup_key_path, make_lookup_key


def _lookup_key(_args: argparse.Namespace, settings: Settings) -> int:
    path = lookup_key_path(settings)
    made = make_lookup_key(path)
    print(f"lookup key {'made' if made else 'already'} at {path} (mode 0600)")
    return 0


def _rekey(_args: argparse.Namespace, settings: Settings) -> int:
    from services.recruitment.adapters.rekeying import rekey_registrations
    from shared.eventstore.database import create_database_engine
    from shared.lookup_digest import lookup_digest

    try:
        digest = lookup_digest(settings)
    except LookupKeyError as error:
        print(f"gravity privacy: {error}", file=sys.stderr)
        return 2
    engine = create_database_engine(settings.database_url("recruitment"))
    try:
        with engine.begin() as connection:
            done = rekey_registrations(connection, digest)
    finally:
        engine.dispose()
    print(f"re-keyed {done.replaced} registration digest(s); {done.kept} plain one(s) kept")
    return 0


def _retention(args: argparse.Namespace, settings: Settings) -> int:
    from gravity.retention_run import run_retention

    return run_retention(settings, dry_run=args.dry_run, now_text=args.now)


def _rotate_master_keys(args: argparse.Namespace, settings: Settings) -> int:
    """Re-wrap each component's data keys with a new master key (docs/privacy.md)."""
    from shared.eventstore.database import create_database_engine
    from shared.privacy.master_key import MasterKeyError, component_master_key_path
    from shared.privacy.rotation import rotate_master_key

    for component in args.component or ["gateway", *settings.services]:
        path = component_master_key_path(settings, component)
        if not path.exists():
            print(f"{component}: no master key yet, nothing wrapped")
            continue
        engine = create_database_engine(settings.database_url(component))
        try:
            done = rotate_master_key(engine, path)
        except MasterKeyError as error:
            print(f"gravity privacy: {component}: {error}", file=sys.stderr)
            return 2
        finally:
            engine.dispose()
        print(
            f"{component}: master key {done.old_key_id} -> {done.new_key_id}, "
            f"{done.rewrapped} data key(s) re-wrapped"
        )
    return 0


def add_privacy_commands(commands: Any) -> None:
    privacy = commands.add_parser("privacy", help="personal data: keys, digests, retention")
    actions = privacy.add_subparsers(dest="action", required=True)
    key = actions.add_parser("lookup-key", help="make the ID-number lookup key if missing")
    key.set_defaults(handler=_lookup_key)
    rekey = actions.add_parser(
        "rekey-registrations", help="replace plain ID-number digests with keyed ones"
    )
    rekey.set_defaults(handler=_rekey)
    retention = actions.add_parser(
        "retention", help="erase the personal data the retention schedule says is due"
    )
    retention.add_argument(
        "--dry-run", action="store_true", help="list what is due and why; erase nothing"
    )
    retention.add_argument("--now", help="judge as of this UTC time (ISO 8601; default now)")
    retention.set_defaults(handler=_retention)
    rotate = actions.add_parser(
        "rotate-master-key",
        help="re-wrap the data keys with a new master key (suite stopped; events untouched)",
    )
    rotate.add_argument(
        "--component", action="append", help="gateway or a service (default: each of them)"
    )
    rotate.set_defaults(handler=_rotate_master_keys)
