"""nameko's own log lines about failed workers, made structured and safe.

nameko's container logs every exception that leaves a worker through the standard library,
message and traceback on many lines of stderr (``nameko.containers._run_worker``): a
``(expected) error`` warning with ``exc_info`` for the entrypoint's expected exceptions, an
``error handling worker`` error for the rest. Here:

* a refusal (``CommandRejected``) is expected and already logged by the kit as one
  ``command.rejected`` line: nameko's line is dropped;
* any other exception becomes one ``worker.failed`` line with its class and its traceback as
  a field. The traceback holds the frames only, never the exception's message: a driver's
  message quotes the statement's parameters, which may be personal data.
"""

from __future__ import annotations

import logging
import traceback

from shared.logging import get_logger
from shared.rpc import CommandRejected

log = get_logger("worker")
NAMEKO_WORKER_LOGGER = "nameko.containers"


def traceback_frames(error: BaseException) -> str:
    """Where ``error`` was raised through, innermost last, and its class; no message."""
    return "".join(traceback.format_tb(error.__traceback__)) + type(error).__name__


class WorkerFailureLines(logging.Filter):
    """Turns nameko's worker-failure records into structured lines (see the module)."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is None:
            return True
        if not isinstance(error, CommandRejected):
            log.error(
                "worker.failed",
                error=type(error).__name__,
                expected=record.levelno < logging.ERROR,
                traceback=traceback_frames(error),
            )
        return False


def install() -> None:
    """Filter nameko's worker-failure lines in this process (call once, after logging is
    configured)."""
    logger = logging.getLogger(NAMEKO_WORKER_LOGGER)
    if not any(isinstance(known, WorkerFailureLines) for known in logger.filters):
        logger.addFilter(WorkerFailureLines())
