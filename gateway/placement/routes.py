"""Placement's routes, described once: the pipeline enforces them and OpenAPI publishes them.

Here: offers and placements. Commands go to the placement service, which checks from the
caller's actor that it is a party; reads come from the read models, where the endpoints show
a student only its own offers and placements, and a host unit only those at its positions.
Host units, positions and the two-way selection: ``selection_routes``.
"""

from __future__ import annotations

from gateway.core.route import (
    ANY_ROLE,
    OPERATOR,
    OPERATOR_OR_HOST_UNIT,
    OPERATOR_OR_STUDENT,
    PARTIES,
    PARTIES_AND_OPERATOR,
    REPORT_READERS,
    Route,
    command_route,
    read_route,
)
from gateway.placement import list_schemas as ls
from gateway.placement import schemas as ps
from gateway.placement.selection_routes import SELECTION_ROUTES
from shared.contracts.placement import documents, placements
from shared.contracts.records import Command

PLACEMENTS = "placements"


def _step(
    name: str, suffix: str, summary: str, roles: frozenset[str], command: type[Command]
) -> Route:
    """A command on one placement, answered with the placement."""
    path = f"/placements/{{placement_id}}/{suffix}"
    return command_route(name, path, summary, PLACEMENTS, roles, command, ps.PlacementResponse)


LIST_STUDENT_OFFERS = read_route(
    "list_student_offers",
    "/students/{student_id}/offers",
    "Every offer made to a student, newest first (the student, or an operator)",
    PLACEMENTS,
    OPERATOR_OR_STUDENT,
    ps.StudentOffersResponse,
    owner="student_id",
)
LIST_HOST_UNIT_PLACEMENTS = read_route(
    "list_host_unit_placements",
    "/host-units/{host_unit_id}/placements",
    "Offers and placements at a host unit's positions (that unit, or an operator)",
    PLACEMENTS,
    OPERATOR_OR_HOST_UNIT,
    ps.HostUnitPlacementsResponse,
    owner="host_unit_id",
)
LIST_CAMPAIGN_PLACEMENTS = read_route(
    "list_campaign_placements",
    "/campaigns/{campaign_id}/placements",
    "A campaign's offers and placements, cursor-paged and filtered (an operator: all; a host "
    "unit: its own)",
    PLACEMENTS,
    OPERATOR_OR_HOST_UNIT,
    ls.PlacementPageResponse,
    ls.PlacementListQuery,
)
CONFIRM_OFFER = _step(
    "confirm_offer",
    "confirmation",
    "Confirm an offer (the student or the host unit; agreed once both have)",
    PARTIES,
    placements.ConfirmOffer,
)
DECLINE_OFFER = _step(
    "decline_offer",
    "declination",
    "Decline an offer (the student or the host unit)",
    PARTIES,
    placements.DeclineOffer,
)
PLACE_DIRECTLY = command_route(
    "place_directly",
    "/placements",
    "Place a student directly at a position (agreed at once; the reason is kept)",
    PLACEMENTS,
    OPERATOR,
    placements.PlaceDirectly,
    ps.PlacementResponse,
    status=201,
)
RECORD_INSURANCE = _step(
    "record_insurance",
    "insurance",
    "Record the personal accident insurance (the host unit, or an operator)",
    OPERATOR_OR_HOST_UNIT,
    placements.RecordInsurance,
)
RECORD_TRAINING = _step(
    "record_training",
    "training",
    "Record the pre-job training (the host unit, or an operator)",
    OPERATOR_OR_HOST_UNIT,
    placements.RecordTraining,
)
PUBLISH_DOCUMENT = command_route(
    "publish_document",
    "/documents",
    "Publish a version of the practice notice or the confidentiality commitment (operators)",
    "documents",
    OPERATOR,
    documents.PublishDocument,
    ps.DocumentVersionResponse,
    status=201,
)
LIST_DOCUMENTS = read_route(
    "list_documents",
    "/documents",
    "The published versions of the documents students sign, with their text and hash",
    "documents",
    ANY_ROLE,
    ps.DocumentListResponse,
)
SIGN_DOCUMENT = _step(
    "sign_document",
    "documents",
    "Sign the practice notice or the confidentiality commitment (the student, or an operator)",
    OPERATOR_OR_STUDENT,
    placements.SignDocument,
)
START_PLACEMENT = _step(
    "start_placement",
    "start",
    "Start the practice once every readiness gate is passed (the host unit, or an operator)",
    OPERATOR_OR_HOST_UNIT,
    placements.StartPlacement,
)
COMPLETE_PLACEMENT = _step(
    "complete_placement",
    "completion",
    "Record the days and hours served (the host unit, or an operator)",
    OPERATOR_OR_HOST_UNIT,
    placements.CompletePlacement,
)
EVALUATE_PLACEMENT = _step(
    "evaluate_placement",
    "evaluation",
    "Evaluate the student's practice, 0-100 (the host unit, or an operator)",
    OPERATOR_OR_HOST_UNIT,
    placements.EvaluatePlacement,
)
SUBMIT_FEEDBACK = _step(
    "submit_feedback",
    "feedback",
    "Rate the placement 1-5 and make suggestions (the student, or an operator)",
    OPERATOR_OR_STUDENT,
    placements.SubmitFeedback,
)
GET_PLACEMENT = read_route(
    "get_placement",
    "/placements/{placement_id}",
    "Read a placement (its student, its host unit, or an operator)",
    PLACEMENTS,
    PARTIES_AND_OPERATOR,
    ps.PlacementResponse,
)
PLACEMENTS_REPORT = read_route(
    "placements_report",
    "/campaigns/{campaign_id}/placements/report",
    "Agreements, host units involved, positions filled and open, readiness rates, evaluations",
    "reports",
    REPORT_READERS,
    ps.PlacementsReportResponse,
)

PLACEMENT_ROUTES = (
    PUBLISH_DOCUMENT,
    LIST_DOCUMENTS,
    LIST_STUDENT_OFFERS,
    LIST_HOST_UNIT_PLACEMENTS,
    LIST_CAMPAIGN_PLACEMENTS,
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
ROUTES = (*SELECTION_ROUTES, *PLACEMENT_ROUTES)
