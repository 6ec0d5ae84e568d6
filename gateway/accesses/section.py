"""What the access records add to the gateway (registered in ``gateway.sections``): the
student's view of its access records; no tables or projection of their own (the records are
the gateway's own events, ``gateway.trail``)."""

from __future__ import annotations

from gateway.accesses.endpoints import AccessEndpoints
from gateway.accesses.records import AccessRecords
from gateway.accesses.routes import ROUTES
from gateway.core.section import Section

SECTION = Section("accesses", ROUTES, AccessEndpoints, {}, (), (AccessRecords,))
