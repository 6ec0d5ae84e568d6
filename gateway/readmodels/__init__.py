"""Read models: campaigns, students, host units, positions, selection and placements, as of a
checkpoint in the event log; rebuildable from the log at any time.

``READ_MODELS`` holds each section's projection and tables without the rest of the section
(routes, endpoints, PDF layout, nameko): what ``gravity audit replay`` imports, so that a
replay's memory is its data's and not the gateway's (135 MB of imports, 82 without them).
``tests/unit/test_replay_imports.py`` checks that it lists what ``gateway.sections`` does.
"""

from __future__ import annotations

from gateway.core.projection import ReadModel
from gateway.honors import projection as honors
from gateway.honors import tables as honors_tables
from gateway.placement import projection as placement
from gateway.placement import tables as placement_tables
from gateway.recruitment import projection as recruitment
from gateway.recruitment import tables as recruitment_tables
from gateway.volunteering import projection as volunteering
from gateway.volunteering import tables as volunteering_tables

READ_MODELS: tuple[ReadModel, ...] = (
    ReadModel("recruitment", recruitment.PROJECTION, recruitment_tables.TABLES),
    ReadModel("placement", placement.PROJECTION, placement_tables.TABLES),
    ReadModel("volunteering", volunteering.PROJECTION, volunteering_tables.TABLES),
    ReadModel("honors", honors.PROJECTION, honors_tables.TABLES),
)
