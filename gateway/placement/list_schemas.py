"""Query strings and pages of placement's lists (``gateway.placement.lists``)."""

from __future__ import annotations

from marshmallow import fields, validate

from gateway.core.paging import filter_of, id_filter, page_query, page_response
from gateway.placement.lists import HOST_UNIT_SORTS, PLACEMENT_SORTS, POSITION_SORTS, ROUND_SORTS
from gateway.placement.schemas import PLACEMENT_STATUSES, PlacementResponse
from gateway.placement.selection_schemas import (
    POSITION_STATUSES,
    HostUnitResponse,
    MatchingRoundResponse,
    PositionResponse,
    SelectionWindowResponse,
)
from shared.contracts.fields import Text
from shared.contracts.placement.commands import RegisterHostUnit

HostUnitListQuery = page_query(
    "HostUnitListQuery",
    HOST_UNIT_SORTS,
    "name",
    {
        "kind": filter_of(RegisterHostUnit, "kind"),
        "township": filter_of(RegisterHostUnit, "township"),
        "q": Text(120, metadata={"description": "A part of the unit's name, in any case."}),
    },
)
HostUnitPageResponse = page_response("HostUnitPage", HostUnitResponse)

PositionListQuery = page_query(
    "PositionListQuery",
    POSITION_SORTS,
    "posted_at",
    {
        "status": fields.String(load_default="open", validate=validate.OneOf(POSITION_STATUSES)),
        "host_unit_id": id_filter(),
    },
)
PositionListResponse = page_response(
    "PositionListResponse",
    PositionResponse,
    {
        "campaign_id": fields.UUID(required=True),
        "status": fields.String(required=True),
        "selection_window": fields.Nested(SelectionWindowResponse, required=True, allow_none=True),
        "positions": fields.List(
            fields.Nested(PositionResponse),
            required=True,
            metadata={"description": "The same page as items (its name before lists were paged)."},
        ),
    },
)

PlacementListQuery = page_query(
    "PlacementListQuery",
    PLACEMENT_SORTS,
    "-created_at",
    {
        "status": fields.String(validate=validate.OneOf(PLACEMENT_STATUSES)),
        "host_unit_id": id_filter(),
        "position_id": id_filter(),
        "student_id": id_filter(),
    },
)
PlacementPageResponse = page_response("PlacementPage", PlacementResponse)

MatchingRoundListQuery = page_query(
    "MatchingRoundListQuery",
    ROUND_SORTS,
    "-proposed_at",
    {"status": fields.String(validate=validate.OneOf(("proposed", "published")))},
)
MatchingRoundPageResponse = page_response("MatchingRoundPage", MatchingRoundResponse)
