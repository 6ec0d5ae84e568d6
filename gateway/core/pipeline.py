"""One way in for every HTTP request: correlate, authenticate, validate, dedupe, act, answer.

A command route's body and path become its command here, validated by the command's own
contract; its action is ``gateway.core.call.send_command``.
"""

from __future__ import annotations

import json
import re
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from werkzeug.wrappers import Request, Response

from gateway.core.auth import SessionCheck, authenticate, authorize, check_owner
from gateway.core.call import ApiCall, Reply
from gateway.core.errors import ApiError
from gateway.core.idempotency import IdempotencyStore
from gateway.core.metrics import GatewayMetrics
from gateway.core.request_body import load, load_command, path_ids, query_values, read_json
from gateway.core.route import Route
from shared.config import Settings
from shared.kit.client import CommandSender
from shared.logging import correlation_scope, get_logger
from shared.worker_logs import traceback_frames

log = get_logger(__name__)

CORRELATION_HEADER = "X-Correlation-Id"
IDEMPOTENCY_HEADER = "Idempotency-Key"
_CORRELATION_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
IDEMPOTENCY_KEY_MAX = 255
IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]+$"
_IDEMPOTENCY_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)
# Every 503 says when to try again: a broker or database fault passes, a retry is safe.
RETRY_AFTER_SECONDS = "2"
# The gateway's own database away, full or locked: a passing fault, not a bug.
_PASSING_DATABASE_FAULTS = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)


Action = Callable[[ApiCall], Reply]


class Edge:
    """Runs the request pipeline around an endpoint's action."""

    def __init__(
        self,
        settings: Settings,
        idempotency: IdempotencyStore,
        sessions: SessionCheck | None = None,
        metrics: GatewayMetrics | None = None,
    ) -> None:
        self.settings = settings
        self.idempotency = idempotency
        self.sessions = sessions
        self.metrics = metrics

    def handle(
        self,
        request: Request,
        route: Route,
        action: Action,
        sender: CommandSender | None = None,
    ) -> Response:
        started = time.perf_counter()
        correlation_id = correlation_id_of(request)
        if sender is not None and self.metrics is not None:
            sender = self.metrics.timed(sender)  # every RPC round trip observed
        with correlation_scope(correlation_id, route=route.name):
            reply = self._reply(request, route, action, correlation_id, sender)
            log.info(
                "http.request",
                method=request.method,
                status=reply.status,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
            )
        return render(reply, correlation_id)

    def _reply(
        self, request: Request, route: Route, action: Action, cid: str, sender: CommandSender | None
    ) -> Reply:
        try:
            principal = None
            if route.roles:
                header = request.headers.get("Authorization")
                principal = authenticate(self.settings, header, self.sessions)
                authorize(principal, route.roles)
            path = path_ids(getattr(request, "path_values", {}), route.path_patterns)
            query = load(route.query, query_values(request.args)) if route.query else {}
            raw = read_json(request) if route.command else None
            command = load_command(route, raw, path) if route.command else None
            if route.owner is not None and principal is not None:
                check_owner(principal, route.owner, path[route.owner])
            call = ApiCall(
                route, principal, path, query, command, cid, self.settings.rpc_timeout, sender
            )
            key = request.headers.get(IDEMPOTENCY_HEADER)
            if route.takes_idempotency_key and principal is not None and key is not None:
                return self._once(call, request, key, raw, action)
            return action(call)
        except ApiError as error:
            return Reply(error.status, error.body())
        except _PASSING_DATABASE_FAULTS as error:
            log.warning("http.database_unavailable", error=type(error).__name__)
            unavailable = ApiError("SERVICE_UNAVAILABLE", "the database is unavailable; retry")
            return Reply(unavailable.status, unavailable.body())
        except Exception as error:
            # The class and where, not the message: driver errors quote their parameters.
            frame = traceback.extract_tb(error.__traceback__)[-1]
            log.error(
                "http.failed",
                error=type(error).__name__,
                where=f"{frame.filename}:{frame.lineno}",
                traceback=traceback_frames(error),
            )
            return internal_error()

    def _once(self, call: ApiCall, request: Request, key: str, raw: Any, action: Action) -> Reply:
        if len(key) > IDEMPOTENCY_KEY_MAX or not _IDEMPOTENCY_KEY.fullmatch(key):
            raise ApiError(
                "VALIDATION_FAILED",
                "the Idempotency-Key header is malformed",
                {"fields": {IDEMPOTENCY_HEADER: ["1 to 255 visible ASCII chars"]}},
            )
        actor = call.caller.actor
        fingerprint = self.idempotency.fingerprint(request.method, request.path, raw)
        stored = self.idempotency.claim(actor, key, fingerprint)
        if stored is not None:
            log.info("idempotency.replayed", status=stored.status)
            return Reply(stored.status, stored.body, {"Idempotent-Replayed": "true"})
        seeded = replace(call, id_seed=f"{actor}\n{key}\n{request.path}")
        try:
            reply = action(seeded)
        except ApiError as error:
            reply = Reply(error.status, error.body())
        except BaseException:
            self.idempotency.release(actor, key)
            raise
        if reply.status >= 500:
            self.idempotency.release(actor, key)
        else:
            self.idempotency.record(actor, key, reply.status, reply.body)
        return reply


def correlation_id_of(request: Request) -> str:
    """The caller's correlation id when it is sane, else a new one."""
    offered = request.headers.get(CORRELATION_HEADER, "")
    return offered if _CORRELATION_ID.match(offered) else str(uuid.uuid4())


def internal_error() -> Reply:
    error = ApiError("INTERNAL", "the request could not be completed")
    return Reply(error.status, error.body())


def render(reply: Reply, correlation_id: str) -> Response:
    headers = {CORRELATION_HEADER: correlation_id, **reply.headers}
    if reply.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="gravity"'
    if reply.status == 503:
        headers.setdefault("Retry-After", RETRY_AFTER_SECONDS)
    if reply.content is not None:  # a document (PDF) or a streamed export, not JSON
        return Response(
            reply.content, status=reply.status, headers=headers, mimetype=reply.media_type
        )
    return Response(
        json.dumps(reply.body, ensure_ascii=False),
        status=reply.status,
        headers=headers,
        mimetype="application/json",
    )
