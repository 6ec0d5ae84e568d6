"""Placement's read endpoints (its command routes need none). A student sees only its own
offers, ranking and placements, a host unit only its own positions' applicants and its
placements; anything else answers 404, as a missing record does."""

from __future__ import annotations

from typing import Any

from gateway.core.auth import (
    check_host_unit_access,
    check_student_access,
    host_unit_subject,
    may_see_placement,
)
from gateway.core.endpoints import Endpoints
from gateway.core.errors import ApiError
from gateway.core.pipeline import ApiCall, Reply
from gateway.core.schemas import dump
from gateway.core.web import api
from gateway.placement import routes
from gateway.placement import schemas as ps
from gateway.placement import selection_routes as srs
from gateway.placement import selection_schemas as ss
from gateway.placement.queries import PlacementReads, student_placement_summary
from gateway.placement.tables import PLACEMENT_PERSONAL_COLUMNS
from gateway.recruitment.queries import RecruitmentReads


def _without_contact(unit: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in unit.items() if name not in PLACEMENT_PERSONAL_COLUMNS}


class PlacementEndpoints(Endpoints):
    @api(srs.GET_HOST_UNIT)
    def get_host_unit(self, call: ApiCall) -> Reply:
        unit = self.app.read(PlacementReads).host_unit(call.path["host_unit_id"])
        if unit is None:
            raise ApiError("NOT_FOUND", "no such host unit", call.path)
        if call.caller.role != "operator":
            unit = _without_contact(unit)
        return Reply(200, dump(ss.HostUnitResponse, unit))

    @api(srs.LIST_POSITIONS)
    def list_positions(self, call: ApiCall) -> Reply:
        campaign_id, status = call.path["campaign_id"], call.query["status"]
        if self.app.read(RecruitmentReads).get_campaign(campaign_id) is None:
            raise ApiError("NOT_FOUND", "no such campaign", call.path)
        reads = self.app.read(PlacementReads)
        listing = {
            "campaign_id": campaign_id,
            "status": status,
            "selection_window": reads.selection_window(campaign_id),
            "positions": reads.campaign_positions(campaign_id, status),
        }
        return Reply(200, dump(ss.PositionListResponse, listing))

    @api(srs.LIST_APPLICANTS)
    def list_applicants(self, call: ApiCall) -> Reply:
        reads = self.app.read(PlacementReads)
        position = reads.position(call.path["position_id"])
        foreign = call.caller.role == "host_unit" and (
            position is None or host_unit_subject(call.caller) != position["host_unit_id"]
        )
        if position is None or foreign:
            raise ApiError("NOT_FOUND", "no such position", call.path)
        listing = position | {"applicants": reads.applicants(position)}
        return Reply(200, dump(ss.ApplicantListResponse, listing))

    @api(srs.GET_RANKING)
    def get_ranking(self, call: ApiCall) -> Reply:
        campaign_id, student_id = call.path["campaign_id"], call.path["student_id"]
        check_student_access(call.caller, student_id)
        ranking = self.app.read(PlacementReads).ranking(campaign_id, student_id)
        if ranking is None:
            raise ApiError("NOT_FOUND", "no ranking submitted", call.path)
        return Reply(200, dump(ss.RankingResponse, ranking))

    @api(srs.GET_MATCHING_ROUND)
    def get_matching_round(self, call: ApiCall) -> Reply:
        found = self.app.read(PlacementReads).matching_round(call.path["round_id"])
        if found is None:
            raise ApiError("NOT_FOUND", "no such matching round", call.path)
        return Reply(200, dump(ss.MatchingRoundResponse, found))

    @api(routes.LIST_STUDENT_OFFERS)
    def list_student_offers(self, call: ApiCall) -> Reply:
        student_id = call.path["student_id"]
        check_student_access(call.caller, student_id)
        if self.app.read(RecruitmentReads).get_student(student_id) is None:
            raise ApiError("NOT_FOUND", "no such student", call.path)
        found = self.app.read(PlacementReads).student_placements(student_id)
        offers = {"student_id": student_id, "offers": student_placement_summary(found)["offers"]}
        return Reply(200, dump(ps.StudentOffersResponse, offers))

    @api(routes.LIST_HOST_UNIT_PLACEMENTS)
    def list_host_unit_placements(self, call: ApiCall) -> Reply:
        host_unit_id = call.path["host_unit_id"]
        check_host_unit_access(call.caller, host_unit_id)
        reads = self.app.read(PlacementReads)
        if reads.host_unit(host_unit_id) is None:
            raise ApiError("NOT_FOUND", "no such host unit", call.path)
        listing = {
            "host_unit_id": host_unit_id,
            "placements": reads.host_unit_placements(host_unit_id),
        }
        return Reply(200, dump(ps.HostUnitPlacementsResponse, listing))

    @api(routes.GET_PLACEMENT)
    def get_placement(self, call: ApiCall) -> Reply:
        found = self.app.read(PlacementReads).placement(call.path["placement_id"])
        if found is None or not may_see_placement(call.caller, found):
            raise ApiError("NOT_FOUND", "no such placement", call.path)
        return Reply(200, dump(ps.PlacementResponse, found))

    @api(routes.PLACEMENTS_REPORT)
    def placements_report(self, call: ApiCall) -> Reply:
        campaign_id = call.path["campaign_id"]
        if self.app.read(RecruitmentReads).get_campaign(campaign_id) is None:
            raise ApiError("NOT_FOUND", "no such campaign", call.path)
        report = self.app.read(PlacementReads).report(campaign_id)
        return Reply(200, dump(ps.PlacementsReportResponse, report))
