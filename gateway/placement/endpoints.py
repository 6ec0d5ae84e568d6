"""Offer and placement endpoints. Commands go to placement, which checks from the actor that
the caller is a party; reads show a placement only to its student, its host unit and
operators (anyone else gets 404, as for a missing one)."""

from __future__ import annotations

from typing import Any

from gateway import placement_routes as routes
from gateway.auth import check_student_access, may_see_placement
from gateway.endpoints import Endpoints, wire
from gateway.errors import ApiError
from gateway.pipeline import ApiCall, Reply
from gateway.readmodels.placement_queries import student_placement_summary
from gateway.schemas import dump
from gateway.schemas import placement_responses as responses
from gateway.schemas.responses import PlacementsReportResponse
from gateway.web import api


def _placement(status: int, view: dict[str, Any]) -> Reply:
    return Reply(status, dump(responses.PlacementResponse, view))


class PlacementEndpoints(Endpoints):
    @api(routes.LIST_STUDENT_OFFERS)
    def list_student_offers(self, call: ApiCall) -> Reply:
        student_id = call.path["student_id"]
        check_student_access(call.caller, student_id)
        if self.app.queries.get_student(student_id) is None:
            raise ApiError("NOT_FOUND", "no such student", call.path)
        found = self.app.placements.student_placements(student_id)
        offers = {"student_id": student_id, "offers": student_placement_summary(found)["offers"]}
        return Reply(200, dump(responses.StudentOffersResponse, offers))

    @api(routes.CONFIRM_OFFER)
    def confirm_offer(self, call: ApiCall) -> Reply:
        return _placement(200, call.remote(self.placement.confirm_offer, self._id(call)))

    @api(routes.DECLINE_OFFER)
    def decline_offer(self, call: ApiCall) -> Reply:
        reason = call.body["reason"]
        return _placement(200, call.remote(self.placement.decline_offer, self._id(call), reason))

    @api(routes.PLACE_DIRECTLY)
    def place_directly(self, call: ApiCall) -> Reply:
        placement = call.body | {"placement_id": call.body.get("placement_id") or call.new_id()}
        return _placement(201, call.remote(self.placement.place_directly, placement))

    @api(routes.RECORD_INSURANCE)
    def record_insurance(self, call: ApiCall) -> Reply:
        insurance = wire(call.body)
        return _placement(
            200, call.remote(self.placement.record_insurance, self._id(call), insurance)
        )

    @api(routes.RECORD_TRAINING)
    def record_training(self, call: ApiCall) -> Reply:
        training = wire(call.body)
        return _placement(
            200, call.remote(self.placement.record_training, self._id(call), training)
        )

    @api(routes.SIGN_DOCUMENT)
    def sign_document(self, call: ApiCall) -> Reply:
        document = call.body
        return _placement(200, call.remote(self.placement.sign_document, self._id(call), document))

    @api(routes.START_PLACEMENT)
    def start_placement(self, call: ApiCall) -> Reply:
        started_on = call.body["started_on"].isoformat()
        return _placement(
            200, call.remote(self.placement.start_placement, self._id(call), started_on)
        )

    @api(routes.COMPLETE_PLACEMENT)
    def complete_placement(self, call: ApiCall) -> Reply:
        served = call.body
        return _placement(
            200, call.remote(self.placement.complete_placement, self._id(call), served)
        )

    @api(routes.EVALUATE_PLACEMENT)
    def evaluate_placement(self, call: ApiCall) -> Reply:
        evaluation = call.body
        return _placement(
            200, call.remote(self.placement.evaluate_placement, self._id(call), evaluation)
        )

    @api(routes.SUBMIT_FEEDBACK)
    def submit_feedback(self, call: ApiCall) -> Reply:
        feedback = call.body
        return _placement(
            200, call.remote(self.placement.submit_feedback, self._id(call), feedback)
        )

    @api(routes.GET_PLACEMENT)
    def get_placement(self, call: ApiCall) -> Reply:
        found = self.app.placements.placement(self._id(call))
        if found is None or not may_see_placement(call.caller, found):
            raise ApiError("NOT_FOUND", "no such placement", call.path)
        return _placement(200, found)

    @api(routes.PLACEMENTS_REPORT)
    def placements_report(self, call: ApiCall) -> Reply:
        campaign_id = call.path["campaign_id"]
        if self.app.queries.get_campaign(campaign_id) is None:
            raise ApiError("NOT_FOUND", "no such campaign", call.path)
        report = self.app.placements.report(campaign_id)
        return Reply(200, dump(PlacementsReportResponse, report))

    @staticmethod
    def _id(call: ApiCall) -> str:
        return call.path["placement_id"]
