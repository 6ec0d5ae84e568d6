"""What the exports add to the gateway (registered in ``gateway.sections``): routes and
endpoints over the other sections' read models; no tables or projection of their own."""

from __future__ import annotations

from gateway.core.section import Section
from gateway.exports.accesses import ExportAccesses
from gateway.exports.endpoints import ExportEndpoints
from gateway.exports.queries import ExportReads
from gateway.exports.routes import ROUTES

SECTION = Section("exports", ROUTES, ExportEndpoints, {}, (), (ExportReads, ExportAccesses))
