"""The gateway's Prometheus metrics: requests by route template and status, their latency,
RPC latency per service and method, and the figures read at scrape time
(``gateway.core.metrics_figures``).

Labels are bounded and hold no personal data: a route is its template
(``/api/v1/students/{student_id}``, never the path with an id in it), a path no route
matches is ``unmatched``, a service and method come from the command's class.

One registry per gateway app, in memory: the gateway is one OS process (one nameko container
whose workers are green threads; password hashing runs in native threads of the same process),
so prometheus_client's multiprocess mode has nothing to add. More gateways are more processes
(compose replicas, Kubernetes pods), each scraped on its own, the ``instance`` label apart.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Mapping

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.registry import Collector

from gateway.core.errors import ApiError
from shared.config import Settings
from shared.contracts.records import Command, Result
from shared.kit.client import CommandSender
from shared.rpc import CommandRejected

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
# ``*_created`` samples (when each label set first appeared) double the text for nothing an
# operator reads; Prometheus derives resets from the counters themselves.
disable_created_metrics()  # type: ignore[no-untyped-call] # untyped in prometheus_client
UNMATCHED = "unmatched"  # the route label of a path no route matches (404 or 405)
# Seconds; from a health check's milliseconds to an RPC that times out (10 s by default).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class GatewayMetrics:
    """The instruments of one gateway app and the registry they are exposed from."""

    def __init__(self, figures: Collector | None = None) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.requests = Counter(
            "gravity_http_requests",
            "HTTP requests answered, by route template, method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "gravity_http_request_duration_seconds",
            "Time from a whole request to its answer, by route template and method",
            ["route", "method"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.rpc_latency = Histogram(
            "gravity_rpc_duration_seconds",
            "Round trip of a command to its service over RPC, by outcome "
            "(ok, refused: a domain refusal, failed: no answer or an error)",
            ["service", "method", "outcome"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        if figures is not None:
            self.registry.register(figures)

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.latency.labels(route, method).observe(seconds)

    def observe_rpc(self, command: Command, outcome: str, seconds: float) -> None:
        self.rpc_latency.labels(command.service, command.rpc_name, outcome).observe(seconds)

    def timed(self, sender: CommandSender) -> CommandSender:
        """``sender``, its round trips observed."""
        return TimedSender(sender, self)

    def exposition(self) -> bytes:
        """Every metric in Prometheus' text format (0.0.4)."""
        return generate_latest(self.registry)


class TimedSender(CommandSender):
    """A command sender whose every round trip is observed, whatever its outcome."""

    def __init__(self, sender: CommandSender, metrics: GatewayMetrics) -> None:
        super().__init__(sender._call)  # the same transport; ``send`` is observed
        self._inner = sender
        self._metrics = metrics

    def send(
        self,
        command: Command,
        context: Mapping[str, str],
        arguments: dict[str, object] | None = None,
    ) -> Result:
        started, outcome = time.perf_counter(), "failed"
        try:
            result = self._inner.send(command, context, arguments)
            outcome = "ok"
            return result
        except CommandRejected:
            outcome = "refused"
            raise
        finally:
            # A timeout (eventlet's, raised in here) is ``failed``, observed with its full wait.
            self._metrics.observe_rpc(command, outcome, time.perf_counter() - started)


def check_scraper(settings: Settings, authorization: str | None) -> None:
    """Who may read ``/metrics``: with ``metrics.token`` configured (``GRAVITY_METRICS_TOKEN``),
    only a bearer of it, in any environment; without one, anyone in development and nobody in
    production (401 until a token is set)."""
    token = str((settings.metrics or {}).get("token") or "")
    if not token:
        if settings.is_production:
            raise ApiError("UNAUTHENTICATED", "set GRAVITY_METRICS_TOKEN to scrape /metrics")
        return
    scheme, _, offered = (authorization or "").partition(" ")
    if scheme != "Bearer" or not hmac.compare_digest(offered.strip().encode(), token.encode()):
        raise ApiError("UNAUTHENTICATED", "/metrics needs the bearer token GRAVITY_METRICS_TOKEN")
