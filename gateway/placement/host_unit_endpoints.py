"""Host unit and position endpoints. A host unit acts on and sees only its own positions;
another unit's positions, applicants and placements answer 404, as missing ones do."""

from __future__ import annotations

from typing import Any

from gateway import placement_routes
from gateway import selection_routes as routes
from gateway.auth import check_host_unit_access, host_unit_subject
from gateway.endpoints import Endpoints, wire
from gateway.errors import ApiError
from gateway.pipeline import ApiCall, Reply
from gateway.placement.tables import PLACEMENT_PERSONAL_COLUMNS
from gateway.schemas import dump
from gateway.schemas import placement_responses as responses
from gateway.web import api


def _registering_unit(call: ApiCall) -> str:
    """Whose registration this is: a host unit registers only itself."""
    claimed = call.body.get("host_unit_id")
    if call.caller.role != "host_unit":
        return str(claimed or call.new_id())
    own = host_unit_subject(call.caller)
    if own is None:
        raise ApiError("FORBIDDEN", "a host unit token's subject must be its host unit id (a UUID)")
    if claimed not in (None, own):
        raise ApiError("FORBIDDEN", "a host unit may only register itself")
    return own


def _without_contact(unit: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in unit.items() if name not in PLACEMENT_PERSONAL_COLUMNS}


class HostUnitEndpoints(Endpoints):
    @api(routes.REGISTER_HOST_UNIT)
    def register_host_unit(self, call: ApiCall) -> Reply:
        unit = call.body | {"host_unit_id": _registering_unit(call)}
        result = call.remote(self.placement.register_host_unit, unit)
        # The contact's name and phone stay out of the answer: the client has them already.
        body = _without_contact(unit | result)
        return Reply(201, dump(responses.HostUnitResponse, body))

    @api(routes.GET_HOST_UNIT)
    def get_host_unit(self, call: ApiCall) -> Reply:
        unit = self.app.placements.host_unit(call.path["host_unit_id"])
        if unit is None:
            raise ApiError("NOT_FOUND", "no such host unit", call.path)
        if call.caller.role != "operator":
            unit = _without_contact(unit)
        return Reply(200, dump(responses.HostUnitResponse, unit))

    @api(routes.POST_POSITION)
    def post_position(self, call: ApiCall) -> Reply:
        check_host_unit_access(call.caller, call.path["host_unit_id"])
        position = wire(call.body) | {
            "position_id": call.body.get("position_id") or call.new_id(),
            "host_unit_id": call.path["host_unit_id"],
        }
        result = call.remote(self.placement.post_position, position)
        return Reply(201, dump(responses.PositionResponse, position | {"status": "open"} | result))

    @api(routes.CLOSE_POSITION)
    def close_position(self, call: ApiCall) -> Reply:
        position_id = call.path["position_id"]
        result = call.remote(self.placement.close_position, position_id, call.body["reason"])
        return Reply(200, dump(responses.PositionResponse, call.path | result))

    @api(routes.WITHDRAW_POSITION)
    def withdraw_position(self, call: ApiCall) -> Reply:
        position_id = call.path["position_id"]
        result = call.remote(self.placement.withdraw_position, position_id, call.body["reason"])
        return Reply(200, dump(responses.PositionResponse, call.path | result))

    @api(routes.LIST_POSITIONS)
    def list_positions(self, call: ApiCall) -> Reply:
        campaign_id = call.path["campaign_id"]
        if self.app.queries.get_campaign(campaign_id) is None:
            raise ApiError("NOT_FOUND", "no such campaign", call.path)
        listing = {
            "campaign_id": campaign_id,
            "status": call.query["status"],
            "selection_window": self.app.placements.selection_window(campaign_id),
            "positions": self.app.placements.campaign_positions(campaign_id, call.query["status"]),
        }
        return Reply(200, dump(responses.PositionListResponse, listing))

    @api(routes.LIST_APPLICANTS)
    def list_applicants(self, call: ApiCall) -> Reply:
        position = self._own_position(call)
        listing = position | {"applicants": self.app.placements.applicants(position)}
        return Reply(200, dump(responses.ApplicantListResponse, listing))

    @api(placement_routes.LIST_HOST_UNIT_PLACEMENTS)
    def list_host_unit_placements(self, call: ApiCall) -> Reply:
        host_unit_id = call.path["host_unit_id"]
        check_host_unit_access(call.caller, host_unit_id)
        if self.app.placements.host_unit(host_unit_id) is None:
            raise ApiError("NOT_FOUND", "no such host unit", call.path)
        listing = {
            "host_unit_id": host_unit_id,
            "placements": self.app.placements.host_unit_placements(host_unit_id),
        }
        return Reply(200, dump(responses.HostUnitPlacementsResponse, listing))

    def _own_position(self, call: ApiCall) -> dict[str, Any]:
        """The path's position, if the caller may see it; 404 otherwise (missing or foreign)."""
        position = self.app.placements.position(call.path["position_id"])
        foreign = call.caller.role == "host_unit" and (
            position is None or host_unit_subject(call.caller) != position["host_unit_id"]
        )
        if position is None or foreign:
            raise ApiError("NOT_FOUND", "no such position", call.path)
        return position
