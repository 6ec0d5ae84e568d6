"""What the gateway records: account changes and every access to personal data.

None of these holds a password, a password hash, an invitation token, a refresh token or a
session id: an auditor learns who did what to which account, and when (the envelope's
``actor`` and ``occurred_at``), never anything that would let them act as someone. A username
is personal data (redacted for auditors, shredded with its owner). An access names the
resource and how many people's records it held, never the records.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from marshmallow import fields, validate

from shared.contracts.fields import Id, UtcDateTime, WholeNumber, one_of, personal
from shared.contracts.records import Event

ACCOUNT_ROLES = ("operator", "host_unit", "student", "auditor")
ACCOUNT_ORIGINS = ("invitation", "self_registration", "command_line")
"""How an account came to be: an accepted invitation, a self-recommended student's own
registration, or ``gravity accounts`` on the operator's machine."""

PURPOSE_PATTERN = r"^[a-z][a-z0-9_]{0,39}\Z"
RESOURCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}\Z"
"""A resource is named by ids and file names only (``campaign/<id>/students.csv``): letters,
digits and ``. _ : / -``, so that no name or other personal text can be written into it."""

Uuid = Annotated[str, Id()]
Role = Annotated[str, one_of(ACCOUNT_ROLES)]
Username = Annotated[str, personal(fields.String(validate=validate.Length(min=1, max=40)))]
Count = Annotated[int, WholeNumber(validate=validate.Range(min=0))]


class AccountCreated(Event):
    """An account exists: its id, username, role and the subject it acts as (its own id for
    an operator or auditor, the student's or host unit's id otherwise)."""

    account_id: Uuid
    username: Username
    role: Role
    subject_id: Uuid
    origin: Annotated[str, one_of(ACCOUNT_ORIGINS)]
    invitation_id: Annotated[str | None, Id(allow_none=True)] = None


class InvitationIssued(Event):
    """An operator invited someone to make an account (``actor`` is the operator); the
    one-time token is never recorded."""

    invitation_id: Uuid
    role: Role
    subject_id: Annotated[str | None, Id(allow_none=True)]
    username: Annotated[
        str | None,
        personal(fields.String(allow_none=True, validate=validate.Length(min=1, max=40))),
    ]
    expires_at: Annotated[datetime, UtcDateTime()]


class InvitationAccepted(Event):
    """An invitation was used, once, to make the account ``account_id``."""

    invitation_id: Uuid
    account_id: Uuid


class PasswordChanged(Event):
    """An account's password changed (by its owner, ``actor``) and its sessions were closed."""

    account_id: Uuid
    sessions_closed: Count


class AccountDisabled(Event):
    """An operator disabled an account (``actor``); its sessions were closed."""

    account_id: Uuid
    sessions_closed: Count


class PersonalDataAccessed(Event):
    """Someone (``actor``) read personal data out of the gateway (a profile, a page of a list,
    an export, a document): what for, which resource, whose record (``subject_id``: the
    student, when the read was of one person's data) and how many people's records it held,
    if counted. A record of one subject is in that subject's stream, ``accesses-<subject id>``
    (docs/privacy.md, "Access records"); a record of many is in a stream of its own."""

    purpose: Annotated[str, fields.String(validate=validate.Regexp(PURPOSE_PATTERN))]
    resource: Annotated[str, fields.String(validate=validate.Regexp(RESOURCE_PATTERN))]
    subject_count: Annotated[
        int | None, WholeNumber(allow_none=True, validate=validate.Range(min=0))
    ] = None
    subject_id: Annotated[str | None, Id(allow_none=True)] = None  # added later: old ones lack it
