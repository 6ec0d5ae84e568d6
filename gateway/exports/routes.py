"""The exports' routes: one per dataset and format, ``/campaigns/{id}/exports/<dataset>.<format>``.

Operators and auditors export every dataset (auditors without the personal columns); a host
unit exports only the placements at itself, without personal columns; students export
nothing (403). An unknown campaign answers 404.
"""

from __future__ import annotations

from gateway.core.route import REPORT_READERS, Route, read_route
from gateway.exports.datasets import DATASETS, Dataset
from gateway.exports.formats import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE

EXPORTS = "exports"
FORMATS = {"csv": CSV_MEDIA_TYPE, "xlsx": XLSX_MEDIA_TYPE}
_WHAT = {
    "students": "registrations",
    "placements": "placements (a host unit: its own)",
    "hours": "volunteering hours",
    "awards": "awards and their certificates",
    "appointments": "appointments and their letters",
}

_NOTES = {
    "csv": ". UTF-8 with a BOM; text that starts like a formula (= + - @) is prefixed with '",
    "xlsx": ". One worksheet; text cells are text, never formulas",
}


def route_name(dataset: str, extension: str) -> str:
    return f"export_{dataset}_{extension}"


def _route(dataset: Dataset, extension: str) -> Route:
    roles = REPORT_READERS | ({"host_unit"} if dataset.host_unit is not None else set())
    return read_route(
        route_name(dataset.name, extension),
        f"/campaigns/{{campaign_id}}/exports/{dataset.name}.{extension}",
        f"The campaign's {_WHAT[dataset.name]} as {extension.upper()}, streamed (operators "
        f"with personal columns; auditors without){_NOTES[extension]}",
        EXPORTS,
        frozenset(roles),
        None,
        media_type=FORMATS[extension],
    )


ROUTES: tuple[Route, ...] = tuple(
    _route(dataset, extension) for dataset in DATASETS.values() for extension in FORMATS
)
BY_NAME = {route.name: route for route in ROUTES}
