"""What accounts add to the gateway (registered in ``gateway.sections``): routes, their own
tables (not read models: no projection), and the check of a signed-in token's session."""

from __future__ import annotations

from gateway.accounts.endpoints import AccountsEndpoints
from gateway.accounts.invitations import InvitationStore
from gateway.accounts.lists import AccountLists
from gateway.accounts.routes import ROUTES
from gateway.accounts.self_registration import SELF_REGISTER
from gateway.accounts.sessions import SessionStore
from gateway.accounts.store import AccountStore
from gateway.core.section import Section

SECTION = Section(
    "accounts",
    (*ROUTES, SELF_REGISTER),
    AccountsEndpoints,
    projection={},
    tables=(),
    reads=(AccountStore, InvitationStore, SessionStore, AccountLists),
    sessions=lambda engine: SessionStore(engine).is_open,
)
