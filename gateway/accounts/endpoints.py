"""The accounts routes' endpoints: the gateway acts on these itself (no service owns
accounts). Sign-in draws from the rate limits before anything is checked; a locked account
answers 423 and a limit 429, each with Retry-After."""

from __future__ import annotations

from typing import cast

from werkzeug.wrappers import Request, Response

from gateway.accounts import requests as rq
from gateway.accounts import routes
from gateway.accounts.cause import Cause
from gateway.accounts.invitations import InvitationStore
from gateway.accounts.limits import SignInLimits, SignInLimitsProvider
from gateway.accounts.lists import AccountLists
from gateway.accounts.rules import SUBJECT_ROLES
from gateway.accounts.self_registration import SELF_REGISTER, register_with_account
from gateway.accounts.sessions import SessionStore
from gateway.accounts.signin import AccountLockedError, check_credentials, session_answer, sign_in
from gateway.accounts.store import AccountStore, Row, account_view
from gateway.core.call import ApiCall, Reply
from gateway.core.endpoints import Endpoints
from gateway.core.errors import ApiError
from gateway.core.web import ApiEndpoint, api
from gateway.honors.verification import retry_after
from gateway.placement.queries import PlacementReads
from gateway.recruitment.queries import RecruitmentReads


def _locked(error: AccountLockedError) -> Reply:
    refusal = error.api_error()
    return Reply(refusal.status, refusal.body(), {"Retry-After": error.retry_after()})


class AccountsEndpoints(Endpoints):
    # a nameko dependency provider; a worker sees what it provides.
    sign_in_limits: SignInLimits = cast("SignInLimits", SignInLimitsProvider())

    @ApiEndpoint.decorator(routes.SIGN_IN)  # type: ignore[untyped-decorator] # nameko is untyped
    def sign_in(self, request: Request, **_path: str) -> Response:
        """``POST /api/v1/sessions``: see ``gateway.accounts.signin``."""
        address = request.remote_addr or "-"

        def action(call: ApiCall) -> Reply:
            command = call.command
            assert isinstance(command, rq.SignIn)
            wait = self.sign_in_limits.wait(address, command.username)
            if wait > 0:
                error = ApiError("RATE_LIMITED", "too many sign-in attempts; retry later")
                return Reply(error.status, error.body(), {"Retry-After": retry_after(wait)})
            stores = (self.app.read(AccountStore), self.app.read(SessionStore))
            policy = self.sign_in_limits.policy
            try:
                answer = sign_in(
                    self.app.settings, policy, stores, command.username, command.password
                )
            except AccountLockedError as locked:
                return _locked(locked)
            return call.answer(answer)

        response: Response = self.app.edge.handle(request, routes.SIGN_IN, action)
        return response

    @ApiEndpoint.decorator(SELF_REGISTER)  # type: ignore[untyped-decorator] # nameko is untyped
    def register_with_account(self, request: Request, **_path: str) -> Response:
        """``POST /api/v1/campaigns/{campaign_id}/self-registrations``: see
        ``gateway.accounts.self_registration``."""
        address = request.remote_addr or "-"

        def action(call: ApiCall) -> Reply:
            wait = self.sign_in_limits.addresses.take(address)
            if wait > 0:
                error = ApiError("RATE_LIMITED", "too many attempts from here; retry later")
                return Reply(error.status, error.body(), {"Retry-After": retry_after(wait)})
            return register_with_account(call, self.app.read(AccountStore))

        response: Response = self.app.edge.handle(request, SELF_REGISTER, action, self.services)
        return response

    @api(routes.REFRESH)
    def refresh_session(self, call: ApiCall) -> Reply:
        command = call.command
        assert isinstance(command, rq.RefreshSession)
        session, token = self.app.read(SessionStore).rotate(command.refresh_token)
        policy = self.sign_in_limits.policy
        return call.answer(session_answer(self.app.settings, policy, session, token))

    @api(routes.SIGN_OUT)
    def sign_out(self, call: ApiCall) -> Reply:
        session_id = call.caller.session_id
        if session_id is None:
            raise ApiError("NOT_FOUND", "this token was not issued at sign-in: no session")
        closed = call.found(self.app.read(SessionStore).close(session_id, "signed_out"), "session")
        return call.answer({"session_id": session_id, "signed_out_at": closed["revoked_at"]})

    @api(routes.INVITE)
    def invite_account(self, call: ApiCall) -> Reply:
        command = call.command
        assert isinstance(command, rq.InviteAccount)
        self._check_subject(command.role, command.subject_id)
        ttl = self.sign_in_limits.policy.invitation_ttl
        invitation, token = self.app.read(InvitationStore).invite(
            command.role,
            command.subject_id or None,
            command.username or None,
            call.caller.actor,
            ttl,
            correlation_id=call.correlation_id,
        )
        return call.answer(
            {
                "invitation_id": invitation["invitation_id"],
                "token": token,
                "accept_path": routes.ACCEPT.path.replace("{token}", token),
                "role": invitation["role"],
                "subject_id": invitation["subject"],
                "username": invitation["username"],
                "expires_at": invitation["expires_at"],
            }
        )

    def _check_subject(self, role: str, subject_id: str) -> None:
        if role not in SUBJECT_ROLES:
            if subject_id:
                raise ApiError("SUBJECT_UNKNOWN", f"a {role} account is its own subject")
            return
        if not subject_id:
            raise ApiError(
                "VALIDATION_FAILED",
                "the request has invalid or unknown fields",
                {"fields": {"subject_id": [f"required for a {role.replace('_', ' ')}"]}},
            )
        found: Row | None
        if role == "host_unit":
            found = self.app.read(PlacementReads).host_unit(subject_id)
        else:
            found = self.app.read(RecruitmentReads).get_student(subject_id)
        if found is None:
            what = role.replace("_", " ")
            raise ApiError("SUBJECT_UNKNOWN", f"no such {what}", {"subject_id": subject_id})

    @api(routes.ACCEPT)
    def accept_invitation(self, call: ApiCall) -> Reply:
        command = call.command
        assert isinstance(command, rq.AcceptInvitation)
        store = self.app.read(InvitationStore)
        account = store.accept(
            command.token, command.username, command.password, correlation_id=call.correlation_id
        )
        return call.answer(account_view(account))

    @api(routes.CHANGE_PASSWORD)
    def change_password(self, call: ApiCall) -> Reply:
        command = call.command
        assert isinstance(command, rq.ChangePassword)
        account = self._own_account(call)
        accounts = self.app.read(AccountStore)
        try:
            check_credentials(
                accounts, self.sign_in_limits.policy, account["username"], command.current_password
            )
        except AccountLockedError as locked:
            return _locked(locked)
        except ApiError as refused:
            if refused.code != "INVALID_CREDENTIALS":
                raise
            raise ApiError("WRONG_CURRENT_PASSWORD", "the current password is wrong") from None
        cause = Cause(call.caller.actor, call.correlation_id)
        changed_at, closed = accounts.change_password(account, command.new_password, cause)
        return call.answer(
            {
                "account_id": account["account_id"],
                "password_changed_at": changed_at,
                "sessions_closed": closed,
            }
        )

    def _own_account(self, call: ApiCall) -> Row:
        session_id = call.caller.session_id
        session = None if session_id is None else self.app.read(SessionStore).session(session_id)
        account = (
            None if session is None else self.app.read(AccountStore).account(session["account_id"])
        )
        if account is None:
            raise ApiError("NOT_FOUND", "this token was not issued at sign-in: no account")
        return account

    @api(routes.LIST_ACCOUNTS)
    def list_accounts(self, call: ApiCall) -> Reply:
        found, next_cursor = self.app.read(AccountLists).accounts_page(**call.query)
        return call.answer({"items": found, "next_cursor": next_cursor})

    @api(routes.DISABLE)
    def disable_account(self, call: ApiCall) -> Reply:
        account_id = call.path["account_id"]
        cause = Cause(call.caller.actor, call.correlation_id)
        disabled = call.found(self.app.read(AccountStore).disable(account_id, cause), "account")
        return call.answer(account_view(disabled))
