"""The accounts routes, described once: the pipeline enforces them and OpenAPI publishes them.

Signing in, refreshing and accepting an invitation need no token (they are how one gets a
token); the others do. The gateway acts on these itself (``endpoints.py``): no service owns
accounts.
"""

from __future__ import annotations

from gateway.accounts import requests as rq
from gateway.accounts import schemas as sc
from gateway.accounts.rules import SECRET_PATTERN
from gateway.core.route import ANY_ROLE, BASE, OPERATOR, PUBLIC, Route

TAG = "accounts"
LIMITED = ("RATE_LIMITED", "ACCOUNT_LOCKED")

SIGN_IN = Route(
    name="sign_in",
    method="POST",
    path=BASE + "/sessions",
    summary="Sign in with a username and password: an access token (15 min, with the same "
    "claims as any token, and the session's sid) and a refresh token",
    tag=TAG,
    roles=PUBLIC,
    status=201,
    command=rq.SignIn,
    response=sc.SessionResponse,
    errors=("INVALID_CREDENTIALS", "ACCOUNT_DISABLED", *LIMITED),
)
REFRESH = Route(
    name="refresh_session",
    method="POST",
    path=BASE + "/sessions/refresh",
    summary="Trade a refresh token for a new access token and a new refresh token (each refresh "
    "token works once; presenting a used one signs its whole session out)",
    tag=TAG,
    roles=PUBLIC,
    command=rq.RefreshSession,
    response=sc.SessionResponse,
    errors=("REFRESH_TOKEN_INVALID",),
)
SIGN_OUT = Route(
    name="sign_out",
    method="DELETE",
    path=BASE + "/sessions/current",
    summary="Sign out: the session of this access token ends, with every token of it",
    tag=TAG,
    roles=ANY_ROLE,
    response=sc.SignedOutResponse,
    errors=("NOT_FOUND",),
)
INVITE = Route(
    name="invite_account",
    method="POST",
    path=BASE + "/invitations",
    summary="Invite someone to make an account of a role (a host unit or student acts as the "
    "record subject_id names): a one-time token, valid for 72 hours unless configured",
    tag=TAG,
    roles=OPERATOR,
    status=201,
    command=rq.InviteAccount,
    response=sc.InvitationResponse,
    errors=("SUBJECT_UNKNOWN",),
    idempotent=False,  # its answer holds the token, kept nowhere but in the answer
)
ACCEPT = Route(
    name="accept_invitation",
    method="POST",
    path=BASE + "/invitations/{token}/acceptance",
    summary="Accept an invitation with a username and password: the account is made, the "
    "invitation used up",
    tag=TAG,
    roles=PUBLIC,
    status=201,
    command=rq.AcceptInvitation,
    response=sc.AccountResponse,
    errors=(
        "INVITATION_NOT_FOUND",
        "INVITATION_USED",
        "INVITATION_EXPIRED",
        "WEAK_PASSWORD",
        "USERNAME_TAKEN",
    ),
    path_patterns=(("token", SECRET_PATTERN),),
)
CHANGE_PASSWORD = Route(
    name="change_password",
    method="PUT",
    path=BASE + "/accounts/current/password",
    summary="Change one's own password (a signed-in token): every session of the account ends",
    tag=TAG,
    roles=ANY_ROLE,
    command=rq.ChangePassword,
    response=sc.PasswordChangedResponse,
    errors=("NOT_FOUND", "WRONG_CURRENT_PASSWORD", "WEAK_PASSWORD", *LIMITED),
)
DISABLE = Route(
    name="disable_account",
    method="POST",
    path=BASE + "/accounts/{account_id}/disable",
    summary="Disable an account: it can no longer sign in, and its sessions end now",
    tag=TAG,
    roles=OPERATOR,
    command=rq.DisableAccount,
    response=sc.AccountResponse,
)

LIST_ACCOUNTS = Route(
    name="list_accounts",
    method="GET",
    path=BASE + "/accounts",
    summary="Accounts, cursor-paged, oldest first unless sorted otherwise, filtered by role, "
    "status or the record they act as (operators; never a password hash)",
    tag=TAG,
    roles=OPERATOR,
    query=sc.AccountListQuery,
    response=sc.AccountPageResponse,
)

ROUTES = (SIGN_IN, REFRESH, SIGN_OUT, INVITE, ACCEPT, CHANGE_PASSWORD, LIST_ACCOUNTS, DISABLE)
