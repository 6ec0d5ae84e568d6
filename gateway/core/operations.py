"""Endpoints for operators' tooling: liveness, readiness and the OpenAPI document.

Liveness and readiness answer inline (no worker of the pool), so they never queue behind
API work."""

from __future__ import annotations

from werkzeug.wrappers import Request

from gateway.core.call import ApiCall, Reply
from gateway.core.endpoints import Endpoints
from gateway.core.errors import ApiError
from gateway.core.metrics import CONTENT_TYPE, check_scraper
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
    "The broker, the databases and every service (by an RPC ping) answer",
    "operations",
    PUBLIC,
    response=ReadinessResponse,
    errors=("SERVICE_UNAVAILABLE",),
)
OPENAPI = Route("openapi", "GET", "/openapi.json", "This document", "operations", PUBLIC)
METRICS = Route(
    "metrics",
    "GET",
    "/metrics",
    "This process's metrics in Prometheus' text format: open in development; with "
    "GRAVITY_METRICS_TOKEN set (needed in production) only with it as the bearer token",
    "operations",
    PUBLIC,
    errors=("UNAUTHENTICATED",),
    media_type="text/plain",
)
OPERATION_ROUTES = (HEALTH, READINESS, OPENAPI, METRICS)


class OperationEndpoints(Endpoints):
    request: Request  # of an inline endpoint's call (``gateway.core.web.api``)

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
                "read_model_position": self.app.checkpoint.position(),
            },
        )

    @api(OPENAPI)
    def openapi(self, _call: ApiCall) -> Reply:
        return Reply(200, openapi_document(self.app.routes))

    @api(METRICS, inline=True)
    def metrics(self, _call: ApiCall) -> Reply:
        check_scraper(self.app.settings, self.request.headers.get("Authorization"))
        exposition = self.app.metrics.exposition()
        return Reply(200, {}, content=exposition, media_type=CONTENT_TYPE)
