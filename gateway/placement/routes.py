"""Routes of offers and placements (in ``routes.ROUTES`` too).

Commands go to the placement service, which checks that the caller is a party from its
actor; reads come from the read models, where the endpoints check that a student sees only
its own offers and placements, and a host unit only those at its own positions.
"""

from __future__ import annotations

from marshmallow import Schema

from gateway.route import (
    OPERATOR,
    OPERATOR_OR_HOST_UNIT,
    OPERATOR_OR_STUDENT,
    PARTIES,
    PARTIES_AND_OPERATOR,
    Route,
    command,
    read,
)
from gateway.schemas import placement_requests as rq
from gateway.schemas import placement_responses as rs
from gateway.schemas.requests import EmptyRequest
from gateway.schemas.responses import PlacementsReportResponse

PLACEMENTS = "placements"
STATE = "OFFER_STATE_CONFLICT"


def _step(  # noqa: PLR0917 - positional like the routes it builds
    name: str,
    suffix: str,
    summary: str,
    roles: frozenset[str],
    body: type[Schema],
    errors: tuple[str, ...] = (),
) -> Route:
    """A command on one placement, answered with the placement."""
    path = f"/placements/{{placement_id}}/{suffix}"
    return command(
        name, path, summary, PLACEMENTS, roles, body, rs.PlacementResponse, (STATE, *errors)
    )


LIST_STUDENT_OFFERS = read(
    "list_student_offers",
    "/students/{student_id}/offers",
    "Every offer made to a student, newest first (the student, or an operator)",
    PLACEMENTS,
    OPERATOR_OR_STUDENT,
    rs.StudentOffersResponse,
)
LIST_HOST_UNIT_PLACEMENTS = read(
    "list_host_unit_placements",
    "/host-units/{host_unit_id}/placements",
    "Offers and placements at a host unit's positions (that unit, or an operator)",
    PLACEMENTS,
    OPERATOR_OR_HOST_UNIT,
    rs.HostUnitPlacementsResponse,
)
CONFIRM_OFFER = _step(
    "confirm_offer",
    "confirmation",
    "Confirm an offer (the student or the host unit; agreed once both have)",
    PARTIES,
    EmptyRequest,
    ("SEAT_UNAVAILABLE",),
)
DECLINE_OFFER = _step(
    "decline_offer",
    "declination",
    "Decline an offer (the student or the host unit)",
    PARTIES,
    rq.ReasonRequest,
)
PLACE_DIRECTLY = command(
    "place_directly",
    "/placements",
    "Place a student directly at a position (agreed at once)",
    PLACEMENTS,
    OPERATOR,
    rq.DirectPlacementRequest,
    rs.PlacementResponse,
    ("NOT_FOUND", "CANDIDATE_NOT_ELIGIBLE", "SEAT_UNAVAILABLE", "POSITION_STATE_CONFLICT", STATE),
    status=201,
)
RECORD_INSURANCE = _step(
    "record_insurance",
    "insurance",
    "Record the personal accident insurance (the host unit, or an operator)",
    OPERATOR_OR_HOST_UNIT,
    rq.InsuranceRequest,
    ("INVALID_INSURANCE_COVERAGE",),
)
RECORD_TRAINING = _step(
    "record_training",
    "training",
    "Record the pre-job training (the host unit, or an operator)",
    OPERATOR_OR_HOST_UNIT,
    rq.TrainingRequest,
)
SIGN_DOCUMENT = _step(
    "sign_document",
    "documents",
    "Sign the practice notice or the confidentiality commitment (the student, or an operator)",
    OPERATOR_OR_STUDENT,
    rq.SignDocumentRequest,
)
START_PLACEMENT = _step(
    "start_placement",
    "start",
    "Start the practice once every readiness gate is passed (the host unit, or an operator)",
    OPERATOR_OR_HOST_UNIT,
    rq.StartPlacementRequest,
    ("PLACEMENT_NOT_READY",),
)
COMPLETE_PLACEMENT = _step(
    "complete_placement",
    "completion",
    "Record the days and hours served (the host unit, or an operator)",
    OPERATOR_OR_HOST_UNIT,
    rq.CompletePlacementRequest,
    ("INVALID_ASSESSMENT",),
)
EVALUATE_PLACEMENT = _step(
    "evaluate_placement",
    "evaluation",
    "Evaluate the student's practice, 0-100 (the host unit, or an operator)",
    OPERATOR_OR_HOST_UNIT,
    rq.EvaluatePlacementRequest,
    ("INVALID_ASSESSMENT",),
)
SUBMIT_FEEDBACK = _step(
    "submit_feedback",
    "feedback",
    "Rate the placement 1-5 and make suggestions (the student, or an operator)",
    OPERATOR_OR_STUDENT,
    rq.FeedbackRequest,
    ("INVALID_ASSESSMENT",),
)
GET_PLACEMENT = read(
    "get_placement",
    "/placements/{placement_id}",
    "Read a placement (its student, its host unit, or an operator)",
    PLACEMENTS,
    PARTIES_AND_OPERATOR,
    rs.PlacementResponse,
)
PLACEMENTS_REPORT = read(
    "placements_report",
    "/campaigns/{campaign_id}/placements/report",
    "Agreements, host units involved, positions filled and open, readiness rates, evaluations",
    "reports",
    OPERATOR,
    PlacementsReportResponse,
)

PLACEMENT_ROUTES = (
    LIST_STUDENT_OFFERS,
    LIST_HOST_UNIT_PLACEMENTS,
    CONFIRM_OFFER,
    DECLINE_OFFER,
    PLACE_DIRECTLY,
    RECORD_INSURANCE,
    RECORD_TRAINING,
    SIGN_DOCUMENT,
    START_PLACEMENT,
    COMPLETE_PLACEMENT,
    EVALUATE_PLACEMENT,
    SUBMIT_FEEDBACK,
    GET_PLACEMENT,
    PLACEMENTS_REPORT,
)
