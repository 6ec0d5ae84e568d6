"""A process's logging: configured once, each logger built on its first line and kept."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
import structlog

from shared.logging import configure_logging, get_logger


@pytest.fixture
def counted_loggers(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """The loggers structlog builds (one per ``PrintLoggerFactory`` call) while the test runs;
    structlog's defaults back afterwards, as the other tests (``capture_logs``) expect them."""
    built: list[Any] = []

    class CountingFactory(structlog.PrintLoggerFactory):
        def __call__(self, *args: Any) -> Any:
            made = super().__call__(*args)
            built.append(made)
            return made

    monkeypatch.setattr(structlog, "PrintLoggerFactory", CountingFactory)
    yield built
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()


def test_a_configured_logger_is_built_once_and_its_lines_stay_masked(
    counted_loggers: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("worker", "json", "info")
    log = get_logger("test")
    log.info("event.committed", student_id="s-1", id_number="410102199001011234")
    log.info("command.handled", name="张三")
    log.debug("dropped below the level")

    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [line["event"] for line in lines] == ["event.committed", "command.handled"]
    assert lines[0]["id_number"] == "[masked]"
    assert lines[0]["student_id"] == "s-1"
    assert lines[1]["name"] == "[masked]"
    assert lines[1]["process"] == "worker"
    assert len(counted_loggers) == 1  # rebuilt per line before: twice the CPU of a line


def test_a_logger_used_before_the_configuration_takes_it_up(
    counted_loggers: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    log = get_logger("early")  # module-level loggers are made at import, before configuring
    configure_logging("worker", "json", "warning")
    log.info("below the level")
    log.warning("disk.nearly_full", free_mib=12)

    (line,) = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert line["event"] == "disk.nearly_full"
    assert line["level"] == "warning"
