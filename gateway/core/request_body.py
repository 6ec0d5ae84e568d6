"""Reading what a client sent: size, media type, JSON syntax, then the route's schema.

Each failure is a 4xx raised before anything is acted on; none of the messages repeat
the submitted values (they may be personal data).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError
from werkzeug.wrappers import Request

from gateway.core.errors import ApiError
from gateway.core.route import Route
from gateway.core.schemas import schema_of
from shared.contracts.fields import Id
from shared.contracts.records import Command
from shared.contracts.schemas import InvalidArgumentsError, invalid_arguments

MAX_BODY_BYTES = 64 * 1024
JSON_TYPES = ("application/json",)


def read_json(request: Request, max_bytes: int = MAX_BODY_BYTES) -> Any:
    """The parsed JSON body, or None when the body is empty."""
    too_large = ApiError(
        "PAYLOAD_TOO_LARGE",
        f"the body may hold at most {max_bytes} bytes",
        {"limit_bytes": max_bytes},
    )
    if request.content_length is not None and request.content_length > max_bytes:
        raise too_large
    raw = _body_prefix(request, max_bytes + 1)
    if len(raw) > max_bytes:
        raise too_large
    if not raw.strip():
        return None
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if request.mimetype not in JSON_TYPES or charset not in ("utf-8", "utf8"):
        raise ApiError("UNSUPPORTED_MEDIA_TYPE", "send the body as application/json (UTF-8)")
    try:
        parsed = json.loads(
            raw.decode("utf-8"),
            parse_constant=_refuse_constant,
            object_pairs_hook=_refuse_duplicate_keys,
        )
    except DuplicateKeyError as duplicate:
        raise ApiError(
            "MALFORMED_JSON", "the body names a key twice in one object", {"key": str(duplicate)}
        ) from None
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ApiError("MALFORMED_JSON", "the body is not valid JSON") from None
    if parsed is None:  # a JSON null is a body, and not an object: never an empty body
        raise ApiError(
            "VALIDATION_FAILED",
            "the body must be a JSON object",
            {"fields": {"_schema": ["Invalid input type."]}},
        )
    return parsed


def _body_prefix(request: Request, limit: int) -> bytes:
    """Up to ``limit`` bytes of the body, whether sized or chunked.

    werkzeug reads nothing from a body without Content-Length unless the server vouches for
    its end; eventlet's input stream de-chunks by itself, so chunked bodies are read there.
    """
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    stream = request.environ["wsgi.input"] if chunked else request.stream
    data: bytes = stream.read(limit)
    return data


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class DuplicateKeyError(ValueError):
    """An object names a key twice: JSON parsers disagree on which one wins, so neither does."""


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise DuplicateKeyError(key[:64])
            seen.add(key)
    return found


def load(schema_class: type[Schema], data: Any) -> dict[str, Any]:
    """Validate with the route's (query) schema; the failure names fields, never values."""
    schema = schema_of(schema_class)
    try:
        loaded: dict[str, Any] = schema.load({} if data is None else data)
    except ValidationError as error:
        raise ApiError.from_domain_error(invalid_arguments(schema, error)) from None
    return loaded


def load_command(route: Route, body: Any, path: Mapping[str, str]) -> Command:
    """The route's command from its body and path, validated by the command's contract.

    The body may hold the command's fields that the path does not supply; an empty body is
    ``{}``. The failure names fields, never values.
    """
    command, accepted = route.command, route.body
    assert command is not None, "only a command route has a command body"
    assert accepted is not None
    data = {} if body is None else body
    unknown: dict[str, list[str]] = {}
    if isinstance(data, dict):
        declared = accepted._declared_fields
        unknown = {name: ["Unknown field."] for name in data if name not in declared}
        # Over RPC an optional id may travel empty; a client leaves it out instead.
        unknown |= {
            name: ["not a valid UUID"]
            for name, value in data.items()
            if value == "" and isinstance(declared.get(name), Id)
        }
        data = {name: value for name, value in data.items() if name not in unknown}
        data |= {name: path[name] for name in route.path_parameters}
        data |= dict(route.filled)  # stand-ins; the route's endpoint fills the real values
    try:
        parsed = command.parse(data)
    except InvalidArgumentsError as refused:
        if not unknown:
            raise ApiError.from_domain_error(refused) from None
        unknown |= refused.details["fields"]
    if unknown:
        raise ApiError.from_domain_error(
            InvalidArgumentsError("the request has invalid or unknown fields", {"fields": unknown})
        )
    return parsed


def query_values(args: Mapping[str, str]) -> dict[str, str]:
    return dict(args.items())


def path_ids(
    values: Mapping[str, str], patterns: tuple[tuple[str, str], ...] = ()
) -> dict[str, str]:
    """Path ids in canonical UUID form; a non-UUID id names nothing, so it is a 404. A
    parameter with a pattern of its own (a serial) must match it in full, else 404."""
    ids: dict[str, str] = {}
    own = dict(patterns)
    for name, value in values.items():
        if name in own:
            if not re.fullmatch(own[name], value):
                raise ApiError("NOT_FOUND", "no such resource", {name: "not a valid value"})
            ids[name] = value
            continue
        try:
            ids[name] = str(uuid.UUID(value))
        except ValueError:
            raise ApiError("NOT_FOUND", "no such resource", {name: "not a UUID"}) from None
    return ids
