"""The gateway's one error table: every status and code a client can receive, and where from.

Domain refusals cross RPC as ``CommandRejected`` whose ``error_type`` is the domain error's
class name; the gateway's own refusals are raised as ``ApiError`` with a code. Both are
answered from this table, and the OpenAPI document lists every row of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ErrorCode:
    """One row: the HTTP status, the stable code, what it means, and which domain errors."""

    status: int
    code: str
    description: str
    domain_errors: tuple[str, ...] = ()


ERROR_TABLE: tuple[ErrorCode, ...] = (
    ErrorCode(400, "MALFORMED_JSON", "The body is not a JSON document (or not UTF-8)."),
    ErrorCode(
        401,
        "UNAUTHENTICATED",
        "No valid bearer token: missing, expired, forged, "
        "wrong issuer, unsigned, or without the sub and role claims.",
    ),
    ErrorCode(403, "FORBIDDEN", "The token's role may not do this."),
    ErrorCode(
        404,
        "NOT_FOUND",
        "No such resource, or none that this caller may see.",
        (
            "CampaignNotFoundError",
            "StudentNotFoundError",
            "HostUnitNotFoundError",
            "PositionNotFoundError",
            "PlacementNotFoundError",
            "MatchingRoundNotFoundError",
        ),
    ),
    ErrorCode(405, "METHOD_NOT_ALLOWED", "The path exists but not with this method."),
    ErrorCode(
        409,
        "REGISTRATION_CLOSED",
        "The campaign is not open or its window has passed.",
        ("RegistrationClosedError",),
    ),
    ErrorCode(
        409,
        "DUPLICATE_REGISTRATION",
        "This ID number is already registered in the campaign.",
        ("DuplicateRegistrationError",),
    ),
    ErrorCode(
        409, "ALREADY_SCREENED", "The student has already been screened.", ("AlreadyScreenedError",)
    ),
    ErrorCode(
        409,
        "STUDENT_WITHDRAWN",
        "The student has withdrawn from the campaign.",
        ("StudentWithdrawnError",),
    ),
    ErrorCode(
        409,
        "ALLIANCE_MEMBERSHIP_CONFLICT",
        "Joining the Spark Alliance twice, or leaving it without being a member.",
        ("AllianceMembershipError",),
    ),
    ErrorCode(
        409,
        "CAMPAIGN_STATE_CONFLICT",
        "The campaign's status does not allow this (e.g. opening it twice).",
        ("CampaignStateError",),
    ),
    ErrorCode(
        409,
        "CONCURRENT_UPDATE",
        "The record changed meanwhile; retry the request.",
        ("ConcurrencyConflictError",),
    ),
    ErrorCode(
        409,
        "CANDIDATE_NOT_ELIGIBLE",
        "The student is not (or no longer) admitted to this campaign's two-way selection.",
        ("CandidateNotEligibleError",),
    ),
    ErrorCode(
        409,
        "SELECTION_CLOSED",
        "The campaign's selection window is not open (not yet opened, or already closed).",
        ("SelectionClosedError",),
    ),
    ErrorCode(
        409,
        "POSITION_STATE_CONFLICT",
        "The position's status does not allow this (e.g. closing it twice).",
        ("PositionStateError",),
    ),
    ErrorCode(
        409,
        "OFFER_STATE_CONFLICT",
        "The offer or placement is not in a state that allows this (e.g. confirming twice).",
        ("OfferStateError",),
    ),
    ErrorCode(
        409,
        "MATCHING_ROUND_STATE_CONFLICT",
        "The matching round's status does not allow this (e.g. publishing it twice).",
        ("MatchingRoundStateError",),
    ),
    ErrorCode(
        409,
        "SEAT_UNAVAILABLE",
        "The position has no free seat, or the student already holds a placement.",
        ("SeatUnavailableError",),
    ),
    ErrorCode(
        409,
        "PLACEMENT_NOT_READY",
        "A readiness gate is still missing; details.missing lists which "
        "(insurance, training, practice_notice, confidentiality_commitment).",
        ("PlacementNotReadyError",),
    ),
    ErrorCode(
        409,
        "IDEMPOTENCY_KEY_IN_USE",
        "A request with this Idempotency-Key is still being processed; retry later.",
    ),
    ErrorCode(413, "PAYLOAD_TOO_LARGE", "The body exceeds the gateway's size limit."),
    ErrorCode(415, "UNSUPPORTED_MEDIA_TYPE", "A body must be sent as application/json."),
    ErrorCode(
        422,
        "VALIDATION_FAILED",
        "Unknown fields, wrong types or invalid values; details map each field to its messages.",
        ("ValidationError", "InvalidApplicationError", "InvalidScreeningError"),
    ),
    ErrorCode(
        422,
        "INVALID_ID_NUMBER",
        "Not a valid 18-character resident ID number (shape, birth date or check digit).",
        ("InvalidResidentIdError",),
    ),
    ErrorCode(
        422,
        "INVALID_CAMPAIGN",
        "The campaign contradicts itself (e.g. its window).",
        ("InvalidCampaignError",),
    ),
    ErrorCode(
        422,
        "INVALID_SELECTION_WINDOW",
        "The selection window closes before it opens, or its max_choices is out of range.",
        ("InvalidSelectionWindowError",),
    ),
    ErrorCode(
        422,
        "INVALID_RANKING",
        "A ranking repeats, exceeds the window's max_choices or names what is not in the round.",
        ("InvalidRankingError", "InvalidPreferencesError"),
    ),
    ErrorCode(
        422,
        "INVALID_INSURANCE_COVERAGE",
        "The insurance does not cover the whole placement period.",
        ("InsuranceCoverageError",),
    ),
    ErrorCode(
        422,
        "INVALID_POSITION",
        "The position contradicts itself (e.g. it ends before it starts).",
        ("InvalidPositionError",),
    ),
    ErrorCode(
        422,
        "INVALID_ASSESSMENT",
        "An evaluation or feedback is out of range or incomplete.",
        ("InvalidAssessmentError",),
    ),
    ErrorCode(
        422,
        "IDEMPOTENCY_KEY_REUSED",
        "This Idempotency-Key was used before with a different request.",
    ),
    ErrorCode(500, "INTERNAL", "An unexpected failure; the correlation id locates its logs."),
    ErrorCode(
        503,
        "SERVICE_UNAVAILABLE",
        "The broker, a database or a backing service did not answer in time.",
    ),
)

BY_CODE: dict[str, ErrorCode] = {row.code: row for row in ERROR_TABLE}
BY_DOMAIN_ERROR: dict[str, ErrorCode] = {
    name: row for row in ERROR_TABLE for name in row.domain_errors
}


@dataclass
class ApiError(Exception):
    """A refusal to answer with ``{"error": code, "message": ..., "details": {...}}``."""

    code: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in BY_CODE:
            raise ValueError(f"{self.code} is not in the error table")
        super().__init__(self.code, self.message)

    @property
    def status(self) -> int:
        return BY_CODE[self.code].status

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, "details": self.details}


def from_domain_error(error_type: str, message: str, details: dict[str, Any]) -> ApiError:
    """The answer to a remote refusal; an unknown refusal is the gateway's fault (500)."""
    row = BY_DOMAIN_ERROR.get(error_type)
    if row is None:
        return ApiError("INTERNAL", "the request could not be completed")
    return ApiError(row.code, message, details)
