"""``gravity accounts create-operator --username NAME``: an operator account, its password read
from standard input (never from the command line, where other users and the shell history
would see it). At a terminal it is asked for twice without echo; piped, the first line is it.

This is how the first operator comes to be; operators then invite everyone else over the API
(docs/accounts.md). Exit 0 with the account's id, 2 when refused (an empty or weak password,
a malformed or taken username).
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys

from shared.config import Settings

# The actor of the AccountCreated event it records: whoever runs the command on the machine.
COMMAND_LINE_ACTOR = "command_line:gravity-accounts"


class PasswordInputError(ValueError):
    """No usable password arrived on standard input."""


def read_password() -> str:
    """The password from a terminal (asked twice, not echoed) or the first line of a pipe."""
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if first != getpass.getpass("password again: "):
            raise PasswordInputError("the two passwords differ")
    else:
        first = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    if not first:
        raise PasswordInputError(
            "no password on standard input (pipe it in, e.g. from a password manager)"
        )
    return first


def _create_operator(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.accounts.cause import Cause
    from gateway.accounts.requests import USERNAME
    from gateway.accounts.store import AccountStore
    from gateway.core.errors import ApiError
    from gateway.core.process import MIGRATIONS
    from shared.eventstore.database import create_database_engine
    from shared.migrations import upgrade_to_head

    def refuse(reason: str) -> int:
        print(f"gravity accounts create-operator: {reason}", file=sys.stderr)
        return 2

    if not re.fullmatch(USERNAME, args.username):
        return refuse("a username is 3 to 40 letters, digits, '.', '_' or '-'")
    try:
        password = read_password()
    except PasswordInputError as error:
        return refuse(str(error))
    upgrade_to_head(settings.database_url("gateway"), MIGRATIONS)
    engine = create_database_engine(settings.database_url("gateway"))
    try:
        cause = Cause(COMMAND_LINE_ACTOR, origin="command_line")
        account = AccountStore(engine).create_account(
            args.username, password, "operator", cause=cause
        )
    except ApiError as error:
        reasons = "; ".join(error.details.get("reasons", []))
        return refuse(f"{error.message}{': ' + reasons if reasons else ''} ({error.code})")
    finally:
        engine.dispose()
    print(f"operator {account['username']} created: account {account['account_id']}")
    return 0


def add_accounts_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    accounts = commands.add_parser("accounts", help="manage accounts (docs/accounts.md)")
    actions = accounts.add_subparsers(dest="action", required=True)
    create = actions.add_parser(
        "create-operator", help="create an operator account; the password comes on stdin"
    )
    create.add_argument("--username", required=True)
    create.set_defaults(handler=_create_operator)
