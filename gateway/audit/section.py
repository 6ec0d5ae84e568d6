"""What the auditor API adds to the gateway (registered in ``gateway.sections``): routes and
endpoints that read the event log; no projection and no read-model tables of its own."""

from __future__ import annotations

from gateway.audit.endpoints import AuditEndpoints
from gateway.audit.queries import AuditReads
from gateway.audit.routes import ROUTES
from gateway.core.section import Section

SECTION = Section("audit", ROUTES, AuditEndpoints, {}, (), log_reads=(AuditReads,))
