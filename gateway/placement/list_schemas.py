"""Query strings and pages of placement's lists (``gateway.placement.lists``)."""

from __future__ import annotations

from marshmallow import fields, validate

from gateway.core.paging import filter_of, id_filter, page_query, page_response
from gateway.placement.lists import HOST_UNIT_SORTS, PLACEMENT_SORTS, ROUND_SORTS
from gateway.placement.schemas import PLACEMENT_STATUSES, PlacementResponse
from gateway.placement.selection_schemas import HostUnitResponse, MatchingRoundResponse
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
