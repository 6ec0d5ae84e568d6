"""The OpenAPI document, generated from the routes, the schemas the pipeline validates and
dumps with (a command route's body is its command's contract), and the error catalogue."""

from __future__ import annotations

import functools
from collections import defaultdict
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from gateway.core.errors import error_catalogue
from gateway.core.pipeline import IDEMPOTENCY_KEY_MAX, IDEMPOTENCY_KEY_PATTERN
from gateway.core.request_body import MAX_BODY_BYTES
from gateway.core.route import Route
from gateway.core.schemas import error_response

DESCRIPTION = f"""\
The Gravity Plan's HTTP API. JSON in and out, UTC ISO 8601 timestamps, UUID ids.

* **Auth**: every `/api` route needs `Authorization: Bearer <JWT>` (HS256, with `sub`, `role`
  and `exp`); roles are operator, host_unit, student and auditor. A student sees and acts on
  its own record, rankings, offers, placements, sign-ups and hours only; a host unit only its
  own positions, their applicants, its placements, the activities it runs and the awards of
  students placed with it (its token subject is its host unit id); a student also its own
  transcript, consents, diaries and documents. Anything else answers 404, as a missing
  record does. `/verify/{{serial}}` needs no token (rate-limited per client address).
* **Single sign-on**: where a deployment names an OpenID Connect provider, that provider's
  access tokens work too (RS256, ES256 or EdDSA, checked against its published keys, for
  Gravity's audience): one claim names the role (exactly one of the four, else 403
  SSO_ROLE_UNMAPPED), another the subject (a student's or host unit's own id, else 403
  SSO_SUBJECT_MISSING); while the provider's keys cannot be fetched such a token answers 503
  IDENTITY_PROVIDER_UNAVAILABLE.
* **Sign-in**: `POST /api/v1/sessions` with a username and password answers a 15-minute
  access token (the claims above plus `sid`, its session) and a refresh token that works once
  (`POST /api/v1/sessions/refresh`; a reused one ends the session). Signing in, refreshing,
  accepting an invitation and a student's self-registration need no token; sign-in is
  rate-limited per client address and username, and locks an account after failures in a
  row (423). A token of a signed-out session or a disabled account answers 401.
* **Errors**: `{{"error": CODE, "message": ..., "details": {{...}}}}`; `x-error-codes` lists
  every code. Invalid input gets a 4xx and nothing is written. Bodies are limited to
  {MAX_BODY_BYTES} bytes.
* **Text**: every free-text field is NFC-normalised and refuses control characters,
  invisible format characters (bidi controls, zero-width characters, tag characters), line
  and paragraph separators, noncharacters and lone surrogates; prose fields may hold line
  feeds (LF, not CR); lengths count code points after normalisation. The `pattern` of a
  field states the rule for the Basic Multilingual Plane.
* **Timestamps**: ISO 8601 with a time zone, from 1900-01-01T00:00:00Z to
  9999-12-31T23:59:59.999999Z once converted to UTC; answered as `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
* **Bodies**: JSON without duplicate keys (a key twice in one object answers 400); a request
  line and headers must arrive within the server's header deadline and a body within its
  body deadline (408), a header line is at most 8 KB (431).
* **Idempotency**: a POST with an `Idempotency-Key` header that is retried returns the first
  answer (header `Idempotent-Replayed: true`) without acting twice; the same key with a
  different request answers 422 IDEMPOTENCY_KEY_REUSED.
* **Correlation**: `X-Correlation-Id` is accepted (or generated) and echoed on every answer.
* **Lists** are cursor-paged: `limit` (1 to 200), `sort` and `cursor` answer `items` and
  `next_cursor` (null on the last page); pass the cursor back as it came, with the same
  filters and sort (a cursor of another sort answers 422). The cursor is a keyset on a key
  that never changes, so a walk through the pages shows each item once while others are
  written.
* **CORS**: browser origins on the gateway's allow-list are answered (preflights included);
  others get no CORS header, never `*`.
* **Consistency**: commands are acknowledged once the owning service (recruitment,
  placement, volunteering or honors) has committed them. Reads (GET) come from read models that
  follow the global event log, so they are *eventually consistent*: a GET right after a POST
  may not show it yet (usually within a fraction of a second). Poll, or compare a report's
  `as_of_position`.
"""


def _error_responses(route: Route) -> dict[str, Any]:
    catalogue = error_catalogue()
    by_status: dict[int, list[str]] = defaultdict(list)
    for code in route.error_codes:
        by_status[catalogue[code].status].append(code)
    return {
        str(status): {
            "description": "; ".join(f"`{code}`: {catalogue[code].description}" for code in codes),
            "content": {"application/json": {"schema": "Error"}},
        }
        for status, codes in sorted(by_status.items())
    }


def _operation(route: Route) -> dict[str, Any]:
    success: dict[str, Any] = {"description": route.summary}
    if route.response is not None:
        success["content"] = {"application/json": {"schema": route.response}}
    elif route.media_type != "application/json":
        success["content"] = {route.media_type: {"schema": {"type": "string", "format": "binary"}}}
    patterns = dict(route.path_patterns)
    parameters: list[Any] = [
        {
            "in": "path",
            "name": name,
            "required": True,
            "schema": {"type": "string", "pattern": patterns[name]}
            if name in patterns
            else {"type": "string", "format": "uuid"},
        }
        for name in route.path_parameters
    ]
    if route.query is not None:
        parameters.append({"in": "query", "schema": route.query})
    if route.takes_idempotency_key:
        parameters.append("IdempotencyKey")
    parameters.append("CorrelationId")
    operation: dict[str, Any] = {
        "operationId": route.name,
        "summary": route.summary,
        "tags": [route.tag],
        "parameters": parameters,
        "responses": {str(route.status): success} | _error_responses(route),
        "security": [{"bearerAuth": []}] if route.roles else [],
    }
    if route.roles:
        operation["description"] = "Roles: " + ", ".join(sorted(route.roles)) + "."
    if route.body is not None:
        operation["requestBody"] = {
            "required": bool(route.body._declared_fields),
            "content": {"application/json": {"schema": route.body}},
        }
    return operation


@functools.cache
def openapi_document(routes: tuple[Route, ...]) -> dict[str, Any]:
    """The whole document as a JSON-ready dict (built once per process)."""
    spec = APISpec(
        title="Gravity gateway",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": DESCRIPTION},
    )
    spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    spec.components.schema("Error", schema=error_response())
    spec.components.parameter(
        "IdempotencyKey",
        "header",
        {
            "name": "Idempotency-Key",
            "required": False,
            "schema": {
                "type": "string",
                "minLength": 1,
                "maxLength": IDEMPOTENCY_KEY_MAX,
                "pattern": IDEMPOTENCY_KEY_PATTERN,
            },
            "description": "Makes a retried POST return its first answer instead of acting "
            f"twice: 1 to {IDEMPOTENCY_KEY_MAX} visible ASCII characters.",
        },
    )
    spec.components.parameter(
        "CorrelationId",
        "header",
        {
            "name": "X-Correlation-Id",
            "required": False,
            "schema": {"type": "string"},
            "description": "Echoed on the answer and carried by the events the request causes.",
        },
    )
    for route in routes:
        spec.path(path=route.path, operations={route.method.lower(): _operation(route)})
    document: dict[str, Any] = spec.to_dict()
    document["x-error-codes"] = [
        {
            "code": row.code,
            "status": row.status,
            "description": row.description,
            "domain_errors": list(row.domain_errors),
        }
        for row in error_catalogue().values()
    ]
    return document
