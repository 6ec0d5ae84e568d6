"""Calling a service over RPC: with a deadline, and with its refusals turned into API errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import eventlet
from amqp.exceptions import AMQPError
from kombu.exceptions import KombuError
from nameko.exceptions import RemoteError, UnknownService

from gateway.errors import ApiError, from_domain_error
from shared.logging import get_logger
from shared.rpc import CommandRejected

log = get_logger(__name__)


class RemoteTimeoutError(Exception):
    """The service did not answer within the RPC timeout."""


UNAVAILABLE = (RemoteTimeoutError, UnknownService, OSError, KombuError, AMQPError)


def call_remote(
    method: Callable[..., Any], context: dict[str, str], *args: Any, timeout: float
) -> dict[str, Any]:
    """Run ``method(context, *args)``; 503 when nobody answers in time, the table otherwise.

    A timed-out command may still take effect later: clients retry with the same
    Idempotency-Key, and create routes reuse the same id, so the retry cannot act twice.
    """
    try:
        with eventlet.Timeout(timeout, RemoteTimeoutError):
            result = method(context, *args)
    except CommandRejected as rejected:
        log.info("rpc.rejected", error_type=rejected.error_type)
        raise from_domain_error(rejected.error_type, rejected.message, rejected.details) from None
    except UNAVAILABLE as error:
        log.warning("rpc.unavailable", error=type(error).__name__)
        raise ApiError("SERVICE_UNAVAILABLE", "the service did not answer; retry later") from None
    except RemoteError as error:
        # Only the remote class name: its message may quote the request's personal data.
        log.error("rpc.failed", remote_error=error.exc_type)
        raise ApiError("INTERNAL", "the request could not be completed") from None
    if not isinstance(result, dict):
        log.error("rpc.unexpected_result", result_type=type(result).__name__)
        raise ApiError("INTERNAL", "the request could not be completed")
    return result
