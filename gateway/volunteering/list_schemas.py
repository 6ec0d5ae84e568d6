"""Query strings and pages of volunteering's lists (``gateway.volunteering.lists``)."""

from __future__ import annotations

from marshmallow import fields, validate

from gateway.core.paging import id_filter, page_query, page_response
from gateway.volunteering.lists import ACTIVITY_SORTS, HOURS_SORTS
from gateway.volunteering.schemas import (
    ACTIVITY_STATUSES,
    HOURS_STATUSES,
    ActivityDetailResponse,
    HoursEntryResponse,
)
from shared.contracts.volunteering.events import KINDS

ActivityListQuery = page_query(
    "ActivityListQuery",
    ACTIVITY_SORTS,
    "starts_at",
    {
        "campaign_id": id_filter(),
        "host_unit_id": id_filter(),
        "kind": fields.String(validate=validate.OneOf(KINDS)),
        "status": fields.String(validate=validate.OneOf(ACTIVITY_STATUSES)),
    },
)
ActivityListResponse = page_response(
    "ActivityListResponse",
    ActivityDetailResponse,
    {
        "activities": fields.List(
            fields.Nested(ActivityDetailResponse),
            required=True,
            metadata={"description": "The same page as items (its name before lists were paged)."},
        ),
        "total": fields.Integer(required=True, metadata={"description": "How many match."}),
        "limit": fields.Integer(required=True),
    },
)

HoursListQuery = page_query(
    "HoursListQuery",
    HOURS_SORTS,
    "-logged_at",
    {
        "campaign_id": id_filter(),
        "activity_id": id_filter(),
        "student_id": id_filter(),
        "status": fields.String(validate=validate.OneOf(HOURS_STATUSES)),
    },
)
HoursPageResponse = page_response("HoursPage", HoursEntryResponse)
