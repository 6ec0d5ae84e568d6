"""The exports' endpoints: one per route, each checks the campaign and the caller, records
the access as an event of the gateway's own (``gateway.trail``: who, what, how many people,
when; none of the data), and answers with a body that is produced while it is sent.

The endpoint's worker returns at once with the body's generator; the connection's own green
thread then runs it, reading batch after batch from the read models and writing each out
(``gateway.exports.queries``, ``gateway.exports.formats``). A failure half-way closes the
connection without the last chunk, so a client sees a cut export, never a short one that
looks whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from gateway.core.auth import host_unit_subject
from gateway.core.call import ApiCall, Reply
from gateway.core.endpoints import Endpoints
from gateway.core.web import Endpoint, api
from gateway.exports.accesses import ExportAccesses
from gateway.exports.datasets import DATASETS, Dataset
from gateway.exports.formats import attachment, csv_chunks, xlsx_chunks
from gateway.exports.queries import ExportReads
from gateway.exports.routes import BY_NAME, FORMATS, route_name
from gateway.recruitment.queries import RecruitmentReads
from shared.logging import correlation_scope, get_logger

log = get_logger(__name__)


class ExportEndpoints(Endpoints):
    """``export_<dataset>_<format>`` for every dataset and format (added below)."""

    def exported(self, call: ApiCall, dataset: Dataset, extension: str) -> Reply:
        campaign_id = call.path["campaign_id"]
        found = self.app.read(RecruitmentReads).get_campaign(campaign_id)
        campaign = call.found(found, "campaign")
        role = call.caller.role
        # A host unit whose token names no host unit id sees no rows (never all of them).
        own_unit = (host_unit_subject(call.caller) or "-") if role == "host_unit" else None
        columns = dataset.visible(personal=role == "operator")
        reads = self.app.read(ExportReads)
        self.app.read(ExportAccesses).record(
            call,
            f"campaign/{campaign_id}/{dataset.name}.{extension}",
            reads.people(dataset, campaign_id, own_unit),
        )
        batches = reads.batches(dataset, columns, campaign_id, own_unit)
        headers = [column.header for column in columns]
        if extension == "csv":
            chunks = csv_chunks(headers, batches)
        else:
            chunks = xlsx_chunks(dataset.name, headers, batches)
        name = f"{campaign['name']}-{campaign['year']}-{dataset.title}.{extension}"
        disposition = attachment(f"{dataset.name}-{campaign_id}.{extension}", name)
        log.info("export.started", dataset=dataset.name, format=extension, role=role)
        return Reply(
            200,
            {},
            {"Content-Disposition": disposition, "Cache-Control": "no-store"},
            content=_watched(chunks, call.correlation_id, dataset.name, extension),
            media_type=FORMATS[extension],
        )


def _watched(chunks: Iterable[bytes], cid: str, dataset: str, extension: str) -> Iterator[bytes]:
    """``chunks``, with a log line when they are all sent, or when sending stopped (the
    class of the error only: a driver's message may quote personal data)."""
    sent = 0
    try:
        for chunk in chunks:
            sent += len(chunk)
            yield chunk
    except GeneratorExit:
        with correlation_scope(cid, dataset=dataset, format=extension):
            log.info("export.abandoned", bytes=sent)
        raise
    except Exception as error:
        with correlation_scope(cid, dataset=dataset, format=extension):
            log.error("export.failed", error=type(error).__name__, bytes=sent)
        raise
    with correlation_scope(cid, dataset=dataset, format=extension):
        log.info("export.sent", bytes=sent)


def _endpoint(dataset: Dataset, extension: str) -> Endpoint:
    route = BY_NAME[route_name(dataset.name, extension)]

    def action(self: ExportEndpoints, call: ApiCall) -> Reply:
        return self.exported(call, dataset, extension)

    action.__name__ = action.__qualname__ = route.name
    return api(route)(action)


def _add_endpoints(endpoints: type[Any]) -> None:
    for dataset in DATASETS.values():
        for extension in FORMATS:
            setattr(endpoints, route_name(dataset.name, extension), _endpoint(dataset, extension))


_add_endpoints(ExportEndpoints)
