"""The API's surface as clients see it: operations, their parameters, and every field of their
request and response bodies (nested fields as dotted paths). A client that works today keeps
working as long as nothing here disappears."""

from __future__ import annotations

from typing import Any

Surface = dict[str, dict[str, list[str]]]


def api_surface(document: dict[str, Any]) -> Surface:
    schemas = document["components"]["schemas"]
    surface: Surface = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            request = operation.get("requestBody", {}).get("content", {})
            responses = operation.get("responses", {})
            success = next(
                (answer for status, answer in responses.items() if status.startswith("2")), {}
            )
            surface[f"{method.upper()} {path}"] = {
                "parameters": sorted(_parameters(operation, schemas)),
                "request": sorted(_fields(_body_schema(request), schemas)),
                "response": sorted(_fields(_body_schema(success.get("content", {})), schemas)),
                "statuses": sorted(responses),
            }
    return surface


def missing_from(old: Surface, new: Surface) -> list[str]:
    """What ``old`` offers that ``new`` does not: each line names the operation and the item."""
    lost: list[str] = []
    for operation, parts in old.items():
        if operation not in new:
            lost.append(f"{operation}: the operation")
            continue
        for part, items in parts.items():
            kept = set(new[operation][part])
            lost += [f"{operation}: {part} {item}" for item in items if item not in kept]
    return lost


def _body_schema(content: dict[str, Any]) -> dict[str, Any]:
    return dict(content.get("application/json", {}).get("schema", {}))


def _parameters(operation: dict[str, Any], schemas: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for parameter in operation.get("parameters", []):
        if "$ref" in parameter:
            names.add(parameter["$ref"].rsplit("/", 1)[-1])
        else:
            names.add(f"{parameter['in']}:{parameter['name']}")
    return names


def _fields(schema: dict[str, Any], schemas: dict[str, Any], prefix: str = "") -> set[str]:
    schema = _resolve(schema, schemas)
    found: set[str] = set()
    for combined in ("allOf", "anyOf", "oneOf"):
        for alternative in schema.get(combined, []):
            found |= _fields(alternative, schemas, prefix)
    if schema.get("type") == "array":
        return _fields(schema.get("items", {}), schemas, prefix)
    for name, value in schema.get("properties", {}).items():
        found.add(prefix + name)
        found |= _fields(value, schemas, f"{prefix}{name}.")
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        found |= _fields(extra, schemas, f"{prefix}*.")
    return found


def _resolve(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
    return schema
