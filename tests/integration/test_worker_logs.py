"""Expected refusals over RPC log one structured line and no traceback; an unexpected failure
logs one structured line with its traceback as a field (never the exception's message)."""

from __future__ import annotations

import logging
import sys
import uuid

import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from structlog.testing import capture_logs

from services.recruitment.service import RecruitmentService
from shared import worker_logs
from shared.migrations import upgrade_to_head
from shared.process import nameko_config
from shared.rpc import CommandRejected
from tests.integration.test_gateway_api import make_settings

CONTEXT = {"actor": "operator:op-1", "correlation_id": "corr-logs"}


def nameko_record(level: int, error: BaseException) -> logging.LogRecord:
    try:
        raise error
    except BaseException:
        exc_info = sys.exc_info()
    return logging.LogRecord(
        worker_logs.NAMEKO_WORKER_LOGGER,
        level,
        __file__,
        1,
        "error handling worker %s: %s",
        ("<worker>", error),
        exc_info,
    )


def test_a_refusal_over_rpc_is_one_command_rejected_line_and_no_nameko_traceback(
    tmp_path, amqp_uri, container_factory, caplog
):
    settings = make_settings(tmp_path, amqp_uri)
    upgrade_to_head(settings.database_url("recruitment"), "services.recruitment.migrations")
    config = nameko_config(settings, "recruitment")
    worker_logs.install()
    container_factory(RecruitmentService, config).start()
    with capture_logs() as lines, ServiceRpcProxy("recruitment", config) as recruitment:
        caplog.set_level(logging.DEBUG, logger="nameko")
        with pytest.raises(CommandRejected) as rejected:
            recruitment.open_campaign(CONTEXT, {"campaign_id": str(uuid.uuid4())})
    assert rejected.value.code == "NOT_FOUND"
    assert [line["event"] for line in lines].count("command.rejected") == 1
    failures = [record for record in caplog.records if record.exc_info]
    assert failures == []


def test_an_unexpected_failure_is_one_line_with_frames_and_without_its_message():
    secret = "13912345678"
    with capture_logs() as lines:
        kept = worker_logs.WorkerFailureLines().filter(
            nameko_record(logging.ERROR, RuntimeError(f"duplicate key (phone)=({secret})"))
        )
    assert kept is False
    (line,) = lines
    assert line["event"] == "worker.failed"
    assert line["error"] == "RuntimeError"
    assert "test_worker_logs.py" in line["traceback"]
    assert secret not in repr(line)


def test_an_expected_refusal_record_from_nameko_is_dropped_silently():
    with capture_logs() as lines:
        kept = worker_logs.WorkerFailureLines().filter(
            nameko_record(logging.WARNING, CommandRejected("NOT_FOUND", "not_found", "no such"))
        )
    assert kept is False
    assert lines == []
