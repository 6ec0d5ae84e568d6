"""structlog set up once per process; a correlation id bound per request or message.

Personal data never reaches a log line: any key named like a field that a contract marks
personal (a command's or an event's) is masked, whatever the caller passes, and so are whole
payloads and credentials.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

import structlog

SECRET_KEYS = frozenset({"payload", "password", "token"})


@functools.cache
def masked_keys() -> frozenset[str]:
    """Log keys that never show their value: every personal field of the contracts."""
    from shared.contracts import personal_field_names

    return SECRET_KEYS | personal_field_names()


def mask_personal_data(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key in masked_keys().intersection(event_dict):
        event_dict[key] = "[masked]"
    return event_dict


def configure_logging(process: str, log_format: str = "console", level: str = "info") -> None:
    """Configure structlog and the standard library logging it feeds (call once)."""
    numeric_level = logging.getLevelName(level.upper())
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )

    def add_process(
        _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        # A processor, not a context variable: nameko's green threads start with empty contexts.
        event_dict.setdefault("process", process)
        return event_dict

    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            add_process,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            mask_personal_data,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        # A process configures once, at its start: each module's logger is then built on its
        # first line and kept. Rebuilt on every line (structlog's default, which tests'
        # ``capture_logs`` needs and keeps: they never configure), a JSON line at info cost
        # 1.3 times the CPU and a line below the level 2.8 times (docs/performance.md,
        # "Loggers built once").
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.clear_contextvars()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(name)s %(message)s")


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)


@contextmanager
def correlation_scope(correlation_id: str, **extra: Any) -> Iterator[None]:
    """Bind a correlation id (and other safe context) for the lines logged inside."""
    with structlog.contextvars.bound_contextvars(correlation_id=correlation_id, **extra):
        yield
