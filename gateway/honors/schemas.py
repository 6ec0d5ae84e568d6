"""Honours' response bodies and query strings (request bodies are the commands').

A holder's name and a diary's display name are personal: answered to operators and the
student themself (a featured diary's display name, which the student chose to show, to
anyone signed in); the public verification shows the holder's name masked.
A little past 200 lines: declarations only, one schema per answer, in the routes' order.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from gateway.core.schemas import PERSONAL, day, timestamp
from shared.contracts.honors.events import PURPOSES
from shared.contracts.schemas import StrictSchema

AWARD_STATUSES = ["nominated", "granted", "revoked"]
APPOINTMENT_STATUSES = ["active", "term_ended", "dismissed"]


class AwardResponse(Schema):
    award_id = fields.UUID(required=True)
    student_id = fields.UUID(required=True)
    campaign_id = fields.UUID(required=True)
    title_code = fields.String(required=True)
    citation = fields.String()
    status = fields.String(required=True, metadata={"enum": AWARD_STATUSES})
    serial = fields.String(
        allow_none=True, metadata={"description": "The certificate's; empty until granted."}
    )
    issued_at = timestamp(allow_none=True)
    revoked_at = timestamp(allow_none=True)
    reason = fields.String(metadata={"description": "A revocation's."})


class AwardEntryResponse(AwardResponse):
    """An award as the read models keep it."""

    title_name = fields.String(allow_none=True, metadata={"description": "Once granted."})
    holder_name = fields.String(metadata=PERSONAL | {"description": "Operators only."})
    revocation_reason = fields.String(allow_none=True)
    nominated_at = timestamp()


class AppointmentResponse(Schema):
    appointment_id = fields.UUID(required=True)
    serial = fields.String(required=True, metadata={"example": "APT-2023-0001"})
    student_id = fields.UUID(required=True)
    campaign_id = fields.UUID(required=True)
    committee = fields.String(required=True)
    term_starts_on = day(required=True)
    term_ends_on = day(required=True)
    status = fields.String(required=True, metadata={"enum": APPOINTMENT_STATUSES})
    ended_on = day(allow_none=True)
    reason = fields.String()


class AppointmentEntryResponse(AppointmentResponse):
    """An appointment as the read models keep it."""

    holder_name = fields.String(metadata=PERSONAL | {"description": "Operators and the holder."})
    end_reason = fields.String(allow_none=True)
    issued_at = timestamp()


class ConsentResponse(Schema):
    student_id = fields.UUID(required=True)
    purpose = fields.String(required=True, metadata={"enum": list(PURPOSES)})
    given = fields.Boolean(required=True)


class ConsentStateResponse(Schema):
    given = fields.Boolean(required=True)
    updated_at = timestamp(allow_none=True)  # null: never answered


class ConsentsResponse(Schema):
    """Each purpose's current answer (never answered counts as not given)."""

    student_id = fields.UUID(required=True)
    consents = fields.Dict(
        keys=fields.String(metadata={"enum": list(PURPOSES)}),
        values=fields.Nested(ConsentStateResponse),
        required=True,
    )


class RecommendationResponse(Schema):
    recommendation_id = fields.UUID(required=True)
    student_id = fields.UUID(required=True)
    campaign_id = fields.UUID(required=True)
    university = fields.String(required=True)
    transcript_hash = fields.String(
        required=True, metadata={"description": "SHA-256 of the transcript PDF as sent."}
    )


class DiaryResponse(Schema):
    diary_id = fields.UUID(required=True)
    student_id = fields.UUID(required=True)
    campaign_id = fields.UUID(required=True)
    title = fields.String()
    featured = fields.Boolean(required=True)


class ShowcaseQuery(StrictSchema):
    campaign_id = fields.UUID(required=True)


class ShowcaseDiaryResponse(Schema):
    diary_id = fields.UUID(required=True)
    campaign_id = fields.UUID(required=True)
    title = fields.String(required=True)
    text = fields.String(required=True)
    display_name = fields.String(
        required=True, metadata=PERSONAL | {"description": "The name the student chose to show."}
    )
    featured_at = timestamp(required=True)


class ShowcaseResponse(Schema):
    """Featured diaries of a campaign, first featured first; only with the student's
    current showcase consent (withdrawing it takes their diaries out)."""

    campaign_id = fields.UUID(required=True)
    diaries = fields.List(fields.Nested(ShowcaseDiaryResponse), required=True)


class TitleTallyResponse(Schema):
    name = fields.String(allow_none=True)
    nominated = fields.Integer(required=True, metadata={"description": "Not granted yet."})
    granted = fields.Integer(required=True, metadata={"description": "Certificates valid."})
    revoked = fields.Integer(required=True)


class AppointmentTallyResponse(Schema):
    made = fields.Integer(required=True)
    active = fields.Integer(required=True)
    term_ended = fields.Integer(required=True)
    dismissed = fields.Integer(required=True)
    committees = fields.Integer(required=True)


class DiaryTallyResponse(Schema):
    submitted = fields.Integer(required=True)
    featured = fields.Integer(required=True)


class RecommendationTallyResponse(Schema):
    sent = fields.Integer(required=True)
    students = fields.Integer(required=True)


class HonoursReportResponse(Schema):
    """A campaign's honours: awards by title code, appointments, diaries, recommendations."""

    campaign_id = fields.UUID(required=True)
    awards_by_title = fields.Dict(
        keys=fields.String(), values=fields.Nested(TitleTallyResponse), required=True
    )
    appointments = fields.Nested(AppointmentTallyResponse, required=True)
    diaries = fields.Nested(DiaryTallyResponse, required=True)
    recommendations = fields.Nested(RecommendationTallyResponse, required=True)
    as_of_position = fields.Integer(
        required=True, metadata={"description": "The event-log position the report reflects."}
    )


class VerificationResponse(Schema):
    """What anyone holding a document may learn: nothing else of the holder."""

    serial = fields.String(required=True)
    kind = fields.String(
        required=True, metadata={"enum": ["certificate", "appointment_letter", "transcript"]}
    )
    status = fields.String(
        required=True, metadata={"enum": ["valid", "revoked", "term_ended", "dismissed"]}
    )
    title = fields.String(required=True, metadata={"example": "先进个人"})
    campaign = fields.String(required=True)
    issued_on = day(required=True)
    revoked_on = day(allow_none=True)
    ended_on = day(allow_none=True)
    holder = fields.String(required=True, metadata={"example": "张*"})


class VerificationQuery(StrictSchema):
    code = fields.String(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "The code printed beside the serial (case does not matter)."},
    )


class DocumentKeyResponse(Schema):
    key_id = fields.String(
        required=True, metadata={"description": "First 16 hex digits of SHA-256(public key)."}
    )
    algorithm = fields.String(required=True, metadata={"enum": ["Ed25519"]})
    public_key = fields.String(required=True, metadata={"description": "Raw key, base64."})
    pem = fields.String(required=True, metadata={"description": "SubjectPublicKeyInfo PEM."})


class DocumentKeysResponse(Schema):
    """The public keys that check recommendation bundles: the one in use first."""

    keys = fields.List(fields.Nested(DocumentKeyResponse), required=True)
