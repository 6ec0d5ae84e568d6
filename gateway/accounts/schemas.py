"""What the accounts routes answer. Secrets appear once: a token in the answer that made it."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from gateway.accounts.lists import ACCOUNT_SORTS
from gateway.accounts.rules import ROLES
from gateway.core.paging import page_query, page_response
from gateway.core.schemas import timestamp
from shared.contracts.fields import Text

ONCE = {"description": "Shown only in this answer; the gateway keeps only its hash."}


class SessionResponse(Schema):
    access_token = fields.String(
        required=True,
        metadata={"description": "A JWT for Authorization: Bearer, valid for expires_in seconds."},
    )
    token_type = fields.String(required=True, metadata={"enum": ["Bearer"]})
    expires_in = fields.Integer(required=True)
    refresh_token = fields.String(
        required=True,
        metadata={
            "description": "Trade it once at /api/v1/sessions/refresh. " + ONCE["description"]
        },
    )
    session_id = fields.UUID(required=True)
    session_expires_at = timestamp(required=True)
    account_id = fields.UUID(required=True)
    role = fields.String(required=True)
    subject_id = fields.String(required=True)


class InvitationResponse(Schema):
    invitation_id = fields.UUID(required=True)
    token = fields.String(required=True, metadata=ONCE)
    accept_path = fields.String(required=True)
    role = fields.String(required=True)
    subject_id = fields.String(allow_none=True, required=True)
    username = fields.String(allow_none=True, required=True)
    expires_at = timestamp(required=True)


class AccountResponse(Schema):
    account_id = fields.UUID(required=True)
    username = fields.String(required=True)
    role = fields.String(required=True)
    subject_id = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": ["active", "disabled"]})
    created_at = timestamp(required=True)


class SignedOutResponse(Schema):
    session_id = fields.UUID(required=True)
    signed_out_at = timestamp(required=True)


class PasswordChangedResponse(Schema):
    account_id = fields.UUID(required=True)
    password_changed_at = timestamp(required=True)
    sessions_closed = fields.Integer(required=True)


AccountListQuery = page_query(
    "AccountListQuery",
    ACCOUNT_SORTS,
    "created_at",
    {
        "role": fields.String(validate=validate.OneOf(ROLES)),
        "status": fields.String(validate=validate.OneOf(("active", "disabled"))),
        "subject_id": Text(
            200, metadata={"description": "The record the account acts as (a student's id)."}
        ),
    },
)
AccountPageResponse = page_response("AccountPage", AccountResponse)
