"""Endpoints for operators' tooling: liveness, readiness and the OpenAPI document."""

from __future__ import annotations

from gateway import routes
from gateway.endpoints import Endpoints
from gateway.errors import ApiError
from gateway.openapi import openapi_document
from gateway.pipeline import ApiCall, Reply
from gateway.web import api


class OperationEndpoints(Endpoints):
    @api(routes.HEALTH)
    def healthz(self, _call: ApiCall) -> Reply:
        return Reply(200, {"status": "up"})

    @api(routes.READINESS)
    def readyz(self, _call: ApiCall) -> Reply:
        checks = self.app.probes.check()
        down = sorted(name for name, state in checks.items() if state != "up")
        if down:
            raise ApiError(
                "SERVICE_UNAVAILABLE",
                f"not ready: {', '.join(down)} unreachable",
                {"checks": checks, "down": down},
            )
        return Reply(
            200,
            {
                "status": "ready",
                "checks": checks,
                "read_model_position": self.app.queries.position(),
            },
        )

    @api(routes.OPENAPI)
    def openapi(self, _call: ApiCall) -> Reply:
        return Reply(200, openapi_document())
