"""What callers send to the accounts routes, declared once as the gateway declares every body:
a command whose contract validates the body and documents it. These commands go to no
service: the gateway itself acts on them (``gateway.accounts.endpoints``)."""

from __future__ import annotations

from typing import Annotated

from marshmallow import fields, validate

from gateway.accounts.passwords import MAX_LENGTH
from gateway.accounts.rules import ROLES, SECRET_PATTERN
from shared.contracts.fields import Id, Text, one_of
from shared.contracts.records import Command

USERNAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{2,39}\Z"
SECRET = {"format": "password", "writeOnly": True}

Username = Annotated[
    str,
    fields.String(
        validate=validate.Regexp(USERNAME, error="3 to 40 letters, digits, '.', '_' or '-'"),
        metadata={"description": "Case-insensitive; kept in lower case.", "example": "wang.li"},
    ),
]
OptionalUsername = Annotated[
    str,
    fields.String(
        validate=validate.Regexp(USERNAME, error="3 to 40 letters, digits, '.', '_' or '-'"),
        metadata={"description": "Optional: the username the invitee must take."},
    ),
]
Password = Annotated[str, Text(MAX_LENGTH, metadata=SECRET)]
OneTimeToken = Annotated[
    str,
    fields.String(validate=validate.Regexp(SECRET_PATTERN, error="not a token"), metadata=SECRET),
]


class SignIn(Command, service="gateway"):
    """Sign in with a username and password: a session with an access and a refresh token."""

    username: Username
    password: Password


class RefreshSession(Command, service="gateway"):
    """Trade a refresh token (used once) for a new access token and a new refresh token."""

    refresh_token: OneTimeToken


class InviteAccount(Command, service="gateway"):
    """Invite someone to make an account of a role: host units and students act as the
    record ``subject_id`` names; an operator's or auditor's subject is the new account."""

    role: Annotated[str, one_of(ROLES)]
    subject_id: Annotated[
        str, Id(metadata={"description": "The host unit's or student's id (those roles only)."})
    ] = ""
    username: OptionalUsername = ""


class AcceptInvitation(Command, service="gateway"):
    """Accept an invitation: choose a username (unless the invitation set one) and password."""

    token: OneTimeToken
    username: Username
    password: Password


class ChangePassword(Command, service="gateway"):
    """Change one's own password: every session of the account is signed out."""

    current_password: Password
    new_password: Password


class DisableAccount(Command, service="gateway"):
    """Disable an account: it cannot sign in, and its sessions end now."""

    account_id: Annotated[str, Id()]
