"""Calling a service over RPC: with a deadline, and with its refusals turned into API errors."""

from __future__ import annotations

from collections.abc import Mapping

import eventlet
from amqp.exceptions import AMQPError
from kombu.exceptions import KombuError
from nameko.exceptions import RemoteError, UnknownService

from gateway.core.errors import ApiError
from shared.contracts.records import Command, Result
from shared.kit.client import CommandSender, UnexpectedReplyError
from shared.logging import get_logger
from shared.rpc import CommandRejected

log = get_logger(__name__)


class RemoteTimeoutError(Exception):
    """The service did not answer within the RPC timeout."""


UNAVAILABLE = (RemoteTimeoutError, UnknownService, OSError, KombuError, AMQPError)


def call_remote(
    sender: CommandSender,
    command: Command,
    context: Mapping[str, str],
    arguments: dict[str, object] | None = None,
    *,
    timeout: float,
) -> Result:
    """Send ``command``; 503 when nobody answers in time, its refusal's code otherwise.

    A timed-out command may still take effect later: clients retry with the same
    Idempotency-Key, and create routes reuse the same id, so the retry cannot act twice.
    """
    try:
        with eventlet.Timeout(timeout, RemoteTimeoutError):
            return sender.send(command, context, arguments)
    except CommandRejected as rejected:
        log.info("rpc.rejected", code=rejected.code)
        raise ApiError.refusal(rejected.code, rejected.message, rejected.details) from None
    except UNAVAILABLE as error:
        log.warning("rpc.unavailable", error=type(error).__name__)
        raise ApiError("SERVICE_UNAVAILABLE", "the service did not answer; retry later") from None
    except RemoteError as error:
        # Only the remote class name: its message may quote the request's personal data.
        log.error("rpc.failed", remote_error=error.exc_type)
        raise ApiError("INTERNAL", "the request could not be completed") from None
    except UnexpectedReplyError as error:
        log.error("rpc.unexpected_result", result_type=str(error))
        raise ApiError("INTERNAL", "the request could not be completed") from None
