"""The services the gateway serves: one line each (see ``gateway.core.section``)."""

from __future__ import annotations

from gateway.accesses import section as accesses
from gateway.accounts import section as accounts
from gateway.audit import section as audit
from gateway.core.operations import OPERATION_ROUTES
from gateway.core.route import Route
from gateway.core.section import Section
from gateway.dashboard.section import dashboard_over
from gateway.exports import section as exports
from gateway.honors import section as honors
from gateway.placement import section as placement
from gateway.recruitment import section as recruitment
from gateway.volunteering import section as volunteering

SECTIONS: tuple[Section, ...] = (
    recruitment.SECTION,
    placement.SECTION,
    volunteering.SECTION,
    honors.SECTION,
    audit.SECTION,
    accounts.SECTION,
    exports.SECTION,
    accesses.SECTION,
)
SECTIONS += (dashboard_over(SECTIONS),)  # the shares of every section above

ROUTES: tuple[Route, ...] = (
    *(route for section in SECTIONS for route in section.routes),
    *OPERATION_ROUTES,
)
