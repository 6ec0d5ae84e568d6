"""Routes of host units, positions and the two-way selection (in ``routes.ROUTES`` too).

Commands go to the placement service, which also checks from the caller's actor that a host
unit acts only on its own positions; reads come from the read models.
"""

from __future__ import annotations

from gateway.core.auth import own_record
from gateway.core.route import (
    ANY_ROLE,
    OPERATOR,
    OPERATOR_OR_HOST_UNIT,
    OPERATOR_OR_STUDENT,
    command_route,
    read_route,
)
from gateway.placement import list_schemas as ls
from gateway.placement import selection_schemas as ss
from shared.contracts.placement import commands

HOST_UNITS, POSITIONS, SELECTION = "host units", "positions", "selection"
RANKING = "/campaigns/{campaign_id}/students/{student_id}/ranking"

REGISTER_HOST_UNIT = command_route(
    "register_host_unit",
    "/host-units",
    "Register a host unit (an operator, or a host unit registering itself with its own id)",
    HOST_UNITS,
    OPERATOR_OR_HOST_UNIT,
    commands.RegisterHostUnit,
    ss.HostUnitResponse,
    status=201,
    prepare=own_record("host_unit", "host_unit_id"),
)
GET_HOST_UNIT = read_route(
    "get_host_unit",
    "/host-units/{host_unit_id}",
    "Read a host unit (its contact person and phone: operators only)",
    HOST_UNITS,
    ANY_ROLE,
    ss.HostUnitResponse,
)
LIST_HOST_UNITS = read_route(
    "list_host_units",
    "/host-units",
    "Host units, cursor-paged, filtered by kind, township or a part of the name (contact "
    "person and phone: operators only)",
    HOST_UNITS,
    ANY_ROLE,
    ls.HostUnitPageResponse,
    ls.HostUnitListQuery,
)
POST_POSITION = command_route(
    "post_position",
    "/host-units/{host_unit_id}/positions",
    "Post a practice position (an operator, or that host unit)",
    POSITIONS,
    OPERATOR_OR_HOST_UNIT,
    commands.PostPosition,
    ss.PositionResponse,
    status=201,
    owner="host_unit_id",
)
CLOSE_POSITION = command_route(
    "close_position",
    "/positions/{position_id}/close",
    "Close a position to new rankings (an operator, or its host unit)",
    POSITIONS,
    OPERATOR_OR_HOST_UNIT,
    commands.ClosePosition,
    ss.PositionResponse,
)
WITHDRAW_POSITION = command_route(
    "withdraw_position",
    "/positions/{position_id}/withdrawal",
    "Withdraw a position (an operator, or its host unit)",
    POSITIONS,
    OPERATOR_OR_HOST_UNIT,
    commands.WithdrawPosition,
    ss.PositionResponse,
)
LIST_POSITIONS = read_route(
    "list_positions",
    "/campaigns/{campaign_id}/positions",
    "A campaign's positions (the open ones unless asked otherwise), cursor-paged, oldest "
    "posting first unless sorted otherwise, filtered by host unit; and its selection window",
    POSITIONS,
    ANY_ROLE,
    ls.PositionListResponse,
    ls.PositionListQuery,
)
LIST_APPLICANTS = read_route(
    "list_applicants",
    "/positions/{position_id}/applicants",
    "Students who ranked a position, with the unit's verdict (its host unit, or an operator)",
    POSITIONS,
    OPERATOR_OR_HOST_UNIT,
    ss.ApplicantListResponse,
)
RANK_APPLICANTS = command_route(
    "rank_applicants",
    "/positions/{position_id}/applicant-ranking",
    "The ranking of a position's applicants, best first (its host unit, or an operator)",
    SELECTION,
    OPERATOR_OR_HOST_UNIT,
    commands.RankApplicants,
    ss.ApplicantRankingResponse,
    method="PUT",
)
OPEN_SELECTION = command_route(
    "open_selection",
    "/campaigns/{campaign_id}/selection-window",
    "Open the campaign's two-way selection window",
    SELECTION,
    OPERATOR,
    commands.OpenSelection,
    ss.SelectionWindowResponse,
    status=201,
)
SUBMIT_RANKING = command_route(
    "submit_ranking",
    RANKING,
    "A student's ranking of positions, most wanted first (the student, or an operator)",
    SELECTION,
    OPERATOR_OR_STUDENT,
    commands.SubmitRanking,
    ss.RankingResponse,
    method="PUT",
    owner="student_id",
)
GET_RANKING = read_route(
    "get_ranking",
    RANKING,
    "Read a student's ranking (the student, or an operator)",
    SELECTION,
    OPERATOR_OR_STUDENT,
    ss.RankingResponse,
    owner="student_id",
)
PROPOSE_MATCHING = command_route(
    "propose_matching",
    "/campaigns/{campaign_id}/matching-rounds",
    "Propose a matching round: the assignments and their stability report",
    SELECTION,
    OPERATOR,
    commands.ProposeMatching,
    ss.MatchingRoundResponse,
    status=201,
)
GET_MATCHING_ROUND = read_route(
    "get_matching_round",
    "/matching-rounds/{round_id}",
    "Read a matching round's proposal and stability report",
    SELECTION,
    OPERATOR,
    ss.MatchingRoundResponse,
)
LIST_MATCHING_ROUNDS = read_route(
    "list_matching_rounds",
    "/campaigns/{campaign_id}/matching-rounds",
    "A campaign's matching rounds, cursor-paged, newest first unless sorted otherwise",
    SELECTION,
    OPERATOR,
    ls.MatchingRoundPageResponse,
    ls.MatchingRoundListQuery,
)
PUBLISH_MATCHING = command_route(
    "publish_matching",
    "/matching-rounds/{round_id}/publication",
    "Publish a round: each assignment becomes an offer to both sides",
    SELECTION,
    OPERATOR,
    commands.PublishMatching,
    ss.PublicationResponse,
)

SELECTION_ROUTES = (
    REGISTER_HOST_UNIT,
    LIST_HOST_UNITS,
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
    LIST_MATCHING_ROUNDS,
    PUBLISH_MATCHING,
)
