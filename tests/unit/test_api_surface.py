"""Nothing a client relies on disappears from the API: every operation, parameter, status and
body field of the first published document (tests/data/api_surface_v1.json) is still there."""

from __future__ import annotations

import json
from pathlib import Path

from gateway.core.openapi import openapi_document
from gateway.sections import ROUTES
from tests.api_surface import api_surface, missing_from

PUBLISHED = Path(__file__).resolve().parents[1] / "data" / "api_surface_v1.json"


def test_no_operation_parameter_status_or_field_of_the_published_api_disappears() -> None:
    published = json.loads(PUBLISHED.read_text(encoding="utf-8"))
    assert missing_from(published, api_surface(openapi_document(ROUTES))) == []


def test_the_surface_sees_nested_fields_and_a_removed_one_is_reported() -> None:
    surface = api_surface(openapi_document(ROUTES))
    profile = surface["GET /api/v1/students/{student_id}"]["response"]
    assert {"name", "screening.decision", "campaign.year"} <= set(profile)
    trimmed = {
        operation: {
            part: [item for item in items if item != "screening.decision"]
            for part, items in parts.items()
        }
        for operation, parts in surface.items()
    }
    assert missing_from(surface, trimmed) == [
        "GET /api/v1/students/{student_id}: response screening.decision"
    ]
