"""Two-way selection endpoints: the window, both sides' rankings, matching rounds.

A student ranks and reads only its own ranking (another's answers 404); the placement
service checks from the actor that a host unit ranks only its own positions' applicants.
"""

from __future__ import annotations

from gateway import selection_routes as routes
from gateway.auth import check_student_access
from gateway.endpoints import Endpoints, wire
from gateway.errors import ApiError
from gateway.pipeline import ApiCall, Reply
from gateway.schemas import dump
from gateway.schemas import placement_responses as responses
from gateway.web import api


class SelectionEndpoints(Endpoints):
    @api(routes.OPEN_SELECTION)
    def open_selection(self, call: ApiCall) -> Reply:
        campaign_id = call.path["campaign_id"]
        window = wire(call.body)
        result = call.remote(self.placement.open_selection, campaign_id, window)
        return Reply(201, dump(responses.SelectionWindowResponse, call.path | window | result))

    @api(routes.SUBMIT_RANKING)
    def submit_ranking(self, call: ApiCall) -> Reply:
        campaign_id, student_id = call.path["campaign_id"], call.path["student_id"]
        check_student_access(call.caller, student_id)
        chosen = call.body["position_ids"]
        result = call.remote(self.placement.submit_ranking, campaign_id, student_id, chosen)
        ranking = call.path | {"position_ids": chosen} | result
        return Reply(200, dump(responses.RankingResponse, ranking))

    @api(routes.GET_RANKING)
    def get_ranking(self, call: ApiCall) -> Reply:
        check_student_access(call.caller, call.path["student_id"])
        ranking = self.app.placements.ranking(call.path["campaign_id"], call.path["student_id"])
        if ranking is None:
            raise ApiError("NOT_FOUND", "no ranking submitted", call.path)
        return Reply(200, dump(responses.RankingResponse, ranking))

    @api(routes.RANK_APPLICANTS)
    def rank_applicants(self, call: ApiCall) -> Reply:
        position_id = call.path["position_id"]
        best_first, refused = call.body["student_ids"], call.body["unacceptable"]
        result = call.remote(self.placement.rank_applicants, position_id, best_first, refused)
        ranking = call.path | {"student_ids": best_first, "unacceptable": refused} | result
        return Reply(200, dump(responses.ApplicantRankingResponse, ranking))

    @api(routes.PROPOSE_MATCHING)
    def propose_matching(self, call: ApiCall) -> Reply:
        result = call.remote(self.placement.propose_matching, call.path["campaign_id"])
        proposal = {"status": "proposed"} | result
        proposal.setdefault("stable", not proposal.get("blocking_pairs"))
        return Reply(201, dump(responses.MatchingRoundResponse, proposal))

    @api(routes.GET_MATCHING_ROUND)
    def get_matching_round(self, call: ApiCall) -> Reply:
        found = self.app.placements.matching_round(call.path["round_id"])
        if found is None:
            raise ApiError("NOT_FOUND", "no such matching round", call.path)
        return Reply(200, dump(responses.MatchingRoundResponse, found))

    @api(routes.PUBLISH_MATCHING)
    def publish_matching(self, call: ApiCall) -> Reply:
        result = call.remote(self.placement.publish_matching, call.path["round_id"])
        return Reply(200, dump(responses.PublicationResponse, call.path | result))
