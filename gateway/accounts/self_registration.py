"""A student who recommends themself (the ``self`` channel) registers and makes their account
in one request, without a token: ``POST /api/v1/campaigns/{campaign_id}/self-registrations``.

The username and password are checked first (free, strong enough) so that a refusal leaves
nothing behind; then the registration goes to recruitment as the new student itself (actor
``student:<new id>``, channel ``self``), and only once recruitment has accepted it is the
account made, acting as that student. A username taken in the moment between the two is the
one case that leaves a registration without an account (409 USERNAME_TAKEN): an operator can
then invite the student. Each client address draws from the sign-in bucket.
"""

from __future__ import annotations

from dataclasses import replace

from marshmallow import fields

from gateway.accounts.cause import Cause
from gateway.accounts.requests import Password, Username
from gateway.accounts.store import AccountStore, check_strength
from gateway.core.call import ApiCall, Reply
from gateway.core.errors import ApiError
from gateway.core.route import BASE, PUBLIC, Route
from gateway.core.tokens import Principal
from gateway.recruitment.schemas import RegistrationResponse
from shared.contracts.recruitment.commands import RegisterStudent

# Stand-ins of what the gateway fills (see ``Route.filled``): a new id, the self channel.
FILLED = (("student_id", "00000000-0000-0000-0000-000000000000"), ("channel", "self"))


class RegisterWithAccount(RegisterStudent, service="gateway", refusals=RegisterStudent.refusals):
    """A self-channel registration and the account of the student it registers."""

    username: Username
    password: Password


class SelfRegistrationResponse(RegistrationResponse):
    account_id = fields.UUID(required=True)
    username = fields.String(required=True)


SELF_REGISTER = Route(
    name="register_with_account",
    method="POST",
    path=BASE + "/campaigns/{campaign_id}/self-registrations",
    summary="A student registers themself (channel self) and makes their account, without a "
    "token; then they sign in at /api/v1/sessions",
    tag="accounts",
    roles=PUBLIC,
    status=201,
    command=RegisterWithAccount,
    response=SelfRegistrationResponse,
    errors=("WEAK_PASSWORD", "USERNAME_TAKEN", "RATE_LIMITED"),
    filled=FILLED,
)


def register_with_account(call: ApiCall, accounts: AccountStore) -> Reply:
    """The route's action (after the rate limit)."""
    command = call.command
    assert isinstance(command, RegisterWithAccount)
    username = command.username.lower()
    check_strength(command.password, username)
    if accounts.by_username(username) is not None:
        raise ApiError("USERNAME_TAKEN", "another account has this username")
    student_id = call.new_id()
    values = {name: getattr(command, name) for name in RegisterStudent.field_names()}
    registration = RegisterStudent(**values | {"student_id": student_id, "channel": "self"})
    arguments = registration.arguments()
    as_student = replace(call, principal=Principal(student_id, "student"))
    result = as_student.send(registration, arguments)
    cause = Cause(as_student.caller.actor, call.correlation_id, "self_registration")
    account = accounts.create_account(
        username, command.password, "student", student_id, cause=cause
    )
    answer = registration.public_arguments(arguments) | result
    return call.answer(answer | {"account_id": account["account_id"], "username": username})
