"""Endpoints for operators' tooling: liveness, readiness and the OpenAPI document.

Liveness and readiness answer inline (no worker of the pool), so they never queue behind
API work."""

from __future__ import annotations

from gateway.core.call import ApiCall, Reply
from gateway.core.endpoints import Endpoints
from gateway.core.errors import ApiError
from gateway.core.openapi import openapi_document
from gateway.core.route import PUBLIC, Route
from gateway.core.schemas import HealthResponse, ReadinessResponse
from gateway.core.web import api

HEALTH = Route(
    "healthz", "GET", "/healthz", "The process is up", "operations", PUBLIC, response=HealthResponse
)
READINESS = Route(
    "readyz",
    "GET",
    "/readyz",
    "The broker and databases are reachable",
    "operations",
    PUBLIC,
    response=ReadinessResponse,
    errors=("SERVICE_UNAVAILABLE",),
)
OPENAPI = Route("openapi", "GET", "/openapi.json", "This document", "operations", PUBLIC)
OPERATION_ROUTES = (HEALTH, READINESS, OPENAPI)


class OperationEndpoints(Endpoints):
    @api(HEALTH, inline=True)
    def healthz(self, _call: ApiCall) -> Reply:
        return Reply(200, {"status": "up"})

    @api(READINESS, inline=True)
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
                "read_model_position": self.app.projector.position(),
            },
        )

    @api(OPENAPI)
    def openapi(self, _call: ApiCall) -> Reply:
        return Reply(200, openapi_document(self.app.routes))
