"""Query strings and pages of honours' lists (``gateway.honors.lists``)."""

from __future__ import annotations

from marshmallow import fields, validate

from gateway.core.paging import id_filter, page_query, page_response
from gateway.honors.lists import APPOINTMENT_SORTS, AWARD_SORTS
from gateway.honors.schemas import (
    APPOINTMENT_STATUSES,
    AWARD_STATUSES,
    AppointmentEntryResponse,
    AwardEntryResponse,
)

AwardListQuery = page_query(
    "AwardListQuery",
    AWARD_SORTS,
    "nominated_at",
    {
        "campaign_id": id_filter(),
        "student_id": id_filter(),
        "status": fields.String(validate=validate.OneOf(AWARD_STATUSES)),
    },
)
AwardListResponse = page_response(
    "AwardListResponse",
    AwardEntryResponse,
    {
        "awards": fields.List(
            fields.Nested(AwardEntryResponse),
            required=True,
            metadata={"description": "The same page as items (its name before lists were paged)."},
        )
    },
)

AppointmentListQuery = page_query(
    "AppointmentListQuery",
    APPOINTMENT_SORTS,
    "-issued_at",
    {
        "campaign_id": id_filter(),
        "student_id": id_filter(),
        "status": fields.String(validate=validate.OneOf(APPOINTMENT_STATUSES)),
    },
)
AppointmentPageResponse = page_response("AppointmentPage", AppointmentEntryResponse)
