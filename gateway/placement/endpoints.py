"""Placement's read endpoints (its command routes need none). A student sees only its own
offers, ranking and placements, a host unit only its own positions' applicants and its
placements; anything else answers 404, as a missing record does."""

from __future__ import annotations

from typing import Any

from gateway.core.auth import host_unit_subject, may_see_placement
from gateway.core.call import ApiCall, Reply
from gateway.core.endpoints import Endpoints
from gateway.core.tables import personal_columns
from gateway.core.web import api
from gateway.placement import routes
from gateway.placement import selection_routes as srs
from gateway.placement.lists import PlacementLists
from gateway.placement.queries import PlacementReads, student_placement_summary
from gateway.placement.tables import host_units
from gateway.recruitment.queries import RecruitmentReads

CONTACT = personal_columns([host_units])


def _without_contact(unit: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in unit.items() if name not in CONTACT}


class PlacementEndpoints(Endpoints):
    @api(srs.GET_HOST_UNIT)
    def get_host_unit(self, call: ApiCall) -> Reply:
        unit = call.found(
            self.app.read(PlacementReads).host_unit(call.path["host_unit_id"]), "host unit"
        )
        return call.answer(unit if call.caller.role == "operator" else _without_contact(unit))

    @api(srs.LIST_HOST_UNITS)
    def list_host_units(self, call: ApiCall) -> Reply:
        units, next_cursor = self.app.read(PlacementLists).host_units_page(**call.query)
        if call.caller.role != "operator":
            units = [_without_contact(unit) for unit in units]
        return call.answer({"items": units, "next_cursor": next_cursor})

    @api(srs.LIST_POSITIONS)
    def list_positions(self, call: ApiCall) -> Reply:
        campaign_id, status = call.path["campaign_id"], call.query["status"]
        call.found(self.app.read(RecruitmentReads).get_campaign(campaign_id), "campaign")
        found, next_cursor = self.app.read(PlacementLists).positions_page(campaign_id, **call.query)
        return call.answer(
            {
                "campaign_id": campaign_id,
                "status": status,
                "selection_window": self.app.read(PlacementReads).selection_window(campaign_id),
                "items": found,
                "next_cursor": next_cursor,
                "positions": found,
            }
        )

    @api(srs.LIST_APPLICANTS)
    def list_applicants(self, call: ApiCall) -> Reply:
        reads = self.app.read(PlacementReads)
        position = reads.position(call.path["position_id"])
        if call.caller.role == "host_unit" and position is not None:
            position = (
                position if host_unit_subject(call.caller) == position["host_unit_id"] else None
            )
        position = call.found(position, "position")
        return call.answer(position | {"applicants": reads.applicants(position)})

    @api(srs.GET_RANKING)
    def get_ranking(self, call: ApiCall) -> Reply:
        reads = self.app.read(PlacementReads)
        ranking = reads.ranking(call.path["campaign_id"], call.path["student_id"])
        return call.answer(call.found(ranking, "ranking"))

    @api(srs.GET_MATCHING_ROUND)
    def get_matching_round(self, call: ApiCall) -> Reply:
        found = self.app.read(PlacementReads).matching_round(call.path["round_id"])
        return call.answer(call.found(found, "matching round"))

    @api(routes.LIST_STUDENT_OFFERS)
    def list_student_offers(self, call: ApiCall) -> Reply:
        student_id = call.path["student_id"]
        call.found(self.app.read(RecruitmentReads).get_student(student_id), "student")
        found = self.app.read(PlacementReads).student_placements(student_id)
        return call.answer(
            {"student_id": student_id, "offers": student_placement_summary(found)["offers"]}
        )

    @api(routes.LIST_HOST_UNIT_PLACEMENTS)
    def list_host_unit_placements(self, call: ApiCall) -> Reply:
        host_unit_id = call.path["host_unit_id"]
        reads = self.app.read(PlacementReads)
        call.found(reads.host_unit(host_unit_id), "host unit")
        placements = reads.host_unit_placements(host_unit_id)
        return call.answer({"host_unit_id": host_unit_id, "placements": placements})

    @api(routes.LIST_CAMPAIGN_PLACEMENTS)
    def list_campaign_placements(self, call: ApiCall) -> Reply:
        campaign_id, query = call.path["campaign_id"], dict(call.query)
        call.found(self.app.read(RecruitmentReads).get_campaign(campaign_id), "campaign")
        if call.caller.role == "host_unit":
            own = host_unit_subject(call.caller)
            if own is None or query.setdefault("host_unit_id", own) != own:
                return call.answer({"items": [], "next_cursor": None})
        found, next_cursor = self.app.read(PlacementLists).placements_page(campaign_id, **query)
        return call.answer({"items": found, "next_cursor": next_cursor})

    @api(srs.LIST_MATCHING_ROUNDS)
    def list_matching_rounds(self, call: ApiCall) -> Reply:
        campaign_id = call.path["campaign_id"]
        call.found(self.app.read(RecruitmentReads).get_campaign(campaign_id), "campaign")
        reads = self.app.read(PlacementLists)
        rounds, next_cursor = reads.matching_rounds_page(campaign_id, **call.query)
        return call.answer({"items": rounds, "next_cursor": next_cursor})

    @api(routes.GET_PLACEMENT)
    def get_placement(self, call: ApiCall) -> Reply:
        found = self.app.read(PlacementReads).placement(call.path["placement_id"])
        visible = found if found is not None and may_see_placement(call.caller, found) else None
        return call.answer(call.found(visible, "placement"))

    @api(routes.LIST_DOCUMENTS)
    def list_documents(self, call: ApiCall) -> Reply:
        return call.answer({"documents": self.app.read(PlacementReads).published_documents()})

    @api(routes.PLACEMENTS_REPORT)
    def placements_report(self, call: ApiCall) -> Reply:
        campaign_id = call.path["campaign_id"]
        call.found(self.app.read(RecruitmentReads).get_campaign(campaign_id), "campaign")
        return call.answer(self.app.read(PlacementReads).report(campaign_id))
