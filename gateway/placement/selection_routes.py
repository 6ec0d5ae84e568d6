"""Routes of host units, positions and the two-way selection (in ``routes.ROUTES`` too).

Commands go to the placement service, which checks ownership from the caller's actor; reads
come from the read models, where the endpoints check that a host unit sees only its own
positions' applicants.
"""

from __future__ import annotations

from gateway.route import (
    ANY_ROLE,
    OPERATOR,
    OPERATOR_OR_HOST_UNIT,
    OPERATOR_OR_STUDENT,
    command,
    read,
)
from gateway.schemas import placement_requests as rq
from gateway.schemas import placement_responses as rs
from gateway.schemas.requests import EmptyRequest

HOST_UNITS, POSITIONS, SELECTION = "host units", "positions", "selection"
RANKING = "/campaigns/{campaign_id}/students/{student_id}/ranking"

REGISTER_HOST_UNIT = command(
    "register_host_unit",
    "/host-units",
    "Register a host unit (an operator, or a host unit registering itself with its own id)",
    HOST_UNITS,
    OPERATOR_OR_HOST_UNIT,
    rq.RegisterHostUnitRequest,
    rs.HostUnitResponse,
    status=201,
)
GET_HOST_UNIT = read(
    "get_host_unit",
    "/host-units/{host_unit_id}",
    "Read a host unit (its contact person and phone: operators only)",
    HOST_UNITS,
    ANY_ROLE,
    rs.HostUnitResponse,
)
POST_POSITION = command(
    "post_position",
    "/host-units/{host_unit_id}/positions",
    "Post a practice position (an operator, or that host unit)",
    POSITIONS,
    OPERATOR_OR_HOST_UNIT,
    rq.PostPositionRequest,
    rs.PositionResponse,
    ("INVALID_POSITION",),
    status=201,
)
CLOSE_POSITION = command(
    "close_position",
    "/positions/{position_id}/close",
    "Close a position to new rankings (an operator, or its host unit)",
    POSITIONS,
    OPERATOR_OR_HOST_UNIT,
    rq.ReasonRequest,
    rs.PositionResponse,
    ("POSITION_STATE_CONFLICT",),
)
WITHDRAW_POSITION = command(
    "withdraw_position",
    "/positions/{position_id}/withdrawal",
    "Withdraw a position (an operator, or its host unit)",
    POSITIONS,
    OPERATOR_OR_HOST_UNIT,
    rq.ReasonRequest,
    rs.PositionResponse,
    ("POSITION_STATE_CONFLICT",),
)
LIST_POSITIONS = read(
    "list_positions",
    "/campaigns/{campaign_id}/positions",
    "A campaign's positions (the open ones unless asked otherwise) and its selection window",
    POSITIONS,
    ANY_ROLE,
    rs.PositionListResponse,
    rq.PositionListQuery,
)
LIST_APPLICANTS = read(
    "list_applicants",
    "/positions/{position_id}/applicants",
    "Students who ranked a position, with the unit's verdict (its host unit, or an operator)",
    POSITIONS,
    OPERATOR_OR_HOST_UNIT,
    rs.ApplicantListResponse,
)
RANK_APPLICANTS = command(
    "rank_applicants",
    "/positions/{position_id}/applicant-ranking",
    "The ranking of a position's applicants, best first (its host unit, or an operator)",
    SELECTION,
    OPERATOR_OR_HOST_UNIT,
    rq.RankApplicantsRequest,
    rs.ApplicantRankingResponse,
    ("INVALID_RANKING", "POSITION_STATE_CONFLICT"),
    method="PUT",
)
OPEN_SELECTION = command(
    "open_selection",
    "/campaigns/{campaign_id}/selection-window",
    "Open the campaign's two-way selection window",
    SELECTION,
    OPERATOR,
    rq.OpenSelectionRequest,
    rs.SelectionWindowResponse,
    ("INVALID_SELECTION_WINDOW",),
    status=201,
)
SUBMIT_RANKING = command(
    "submit_ranking",
    RANKING,
    "A student's ranking of positions, most wanted first (the student, or an operator)",
    SELECTION,
    OPERATOR_OR_STUDENT,
    rq.SubmitRankingRequest,
    rs.RankingResponse,
    ("CANDIDATE_NOT_ELIGIBLE", "SELECTION_CLOSED", "INVALID_RANKING"),
    method="PUT",
)
GET_RANKING = read(
    "get_ranking",
    RANKING,
    "Read a student's ranking (the student, or an operator)",
    SELECTION,
    OPERATOR_OR_STUDENT,
    rs.RankingResponse,
)
PROPOSE_MATCHING = command(
    "propose_matching",
    "/campaigns/{campaign_id}/matching-rounds",
    "Propose a matching round: the assignments and their stability report",
    SELECTION,
    OPERATOR,
    EmptyRequest,
    rs.MatchingRoundResponse,
    ("SELECTION_CLOSED", "MATCHING_ROUND_STATE_CONFLICT", "INVALID_RANKING"),
    status=201,
)
GET_MATCHING_ROUND = read(
    "get_matching_round",
    "/matching-rounds/{round_id}",
    "Read a matching round's proposal and stability report",
    SELECTION,
    OPERATOR,
    rs.MatchingRoundResponse,
)
PUBLISH_MATCHING = command(
    "publish_matching",
    "/matching-rounds/{round_id}/publication",
    "Publish a round: each assignment becomes an offer to both sides",
    SELECTION,
    OPERATOR,
    EmptyRequest,
    rs.PublicationResponse,
    ("MATCHING_ROUND_STATE_CONFLICT", "SEAT_UNAVAILABLE"),
)

SELECTION_ROUTES = (
    REGISTER_HOST_UNIT,
    GET_HOST_UNIT,
    POST_POSITION,
    CLOSE_POSITION,
    WITHDRAW_POSITION,
    LIST_POSITIONS,
    LIST_APPLICANTS,
    RANK_APPLICANTS,
    OPEN_SELECTION,
    SUBMIT_RANKING,
    GET_RANKING,
    PROPOSE_MATCHING,
    GET_MATCHING_ROUND,
    PUBLISH_MATCHING,
)
