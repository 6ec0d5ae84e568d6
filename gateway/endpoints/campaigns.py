"""Campaign endpoints: commands go to recruitment over RPC, reads come from the read models."""

from __future__ import annotations

from gateway import routes
from gateway.endpoints import Endpoints
from gateway.errors import ApiError
from gateway.pipeline import ApiCall, Reply
from gateway.schemas import dump, responses
from gateway.web import api
from shared.events.canonical import format_timestamp

WINDOW = ("registration_opens_at", "registration_closes_at")


class CampaignEndpoints(Endpoints):
    @api(routes.CREATE_CAMPAIGN)
    def create_campaign(self, call: ApiCall) -> Reply:
        plan = dict(call.body)
        plan["campaign_id"] = plan.get("campaign_id") or call.new_id()
        for name in WINDOW:
            plan[name] = format_timestamp(plan[name])
        result = call.remote(self.recruitment.create_campaign, plan)
        return Reply(201, dump(responses.CampaignResponse, plan | result))

    @api(routes.LIST_CAMPAIGNS)
    def list_campaigns(self, call: ApiCall) -> Reply:
        found, total = self.app.queries.list_campaigns(**call.query)
        page = {"campaigns": found, "total": total} | {
            "limit": call.query["limit"],
            "offset": call.query["offset"],
        }
        return Reply(200, dump(responses.CampaignListResponse, page))

    @api(routes.GET_CAMPAIGN)
    def get_campaign(self, call: ApiCall) -> Reply:
        campaign = self.app.queries.get_campaign(call.path["campaign_id"])
        if campaign is None:
            raise ApiError("NOT_FOUND", "no such campaign", call.path)
        return Reply(200, dump(responses.CampaignResponse, campaign))

    @api(routes.OPEN_CAMPAIGN)
    def open_campaign(self, call: ApiCall) -> Reply:
        result = call.remote(self.recruitment.open_campaign, call.path["campaign_id"])
        return Reply(200, dump(responses.CampaignStatusResponse, result))

    @api(routes.CLOSE_CAMPAIGN)
    def close_campaign(self, call: ApiCall) -> Reply:
        result = call.remote(self.recruitment.close_campaign, call.path["campaign_id"])
        return Reply(200, dump(responses.CampaignStatusResponse, result))

    @api(routes.CAMPAIGN_REPORT)
    def campaign_report(self, call: ApiCall) -> Reply:
        report = self.app.queries.campaign_report(call.path["campaign_id"])
        if report is None:
            raise ApiError("NOT_FOUND", "no such campaign", call.path)
        return Reply(200, dump(responses.CampaignReportResponse, report))
