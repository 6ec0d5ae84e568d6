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
from shared.messaging.broker_watch import BrokerUnavailableError
from shared.rpc import CommandRejected, ServiceUnavailable

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
    """Send ``command``; 503 when nobody answers in time, when the broker is known to be down
    (at once) or when the service reports a passing fault (its database); its refusal's code
    otherwise.

    A request expires when its caller stops waiting, so a timed-out command never runs later;
    one that ran but whose answer was lost is made safe by the retry: the same
    Idempotency-Key (or a client-chosen id) answers the first result instead of acting twice.
    """
    try:
        with eventlet.Timeout(timeout, RemoteTimeoutError):
            return sender.send(command, context, arguments)
    except BrokerUnavailableError:
        # Known already (logged once as rpc.broker_down): answered at once, without waiting.
        raise ApiError("SERVICE_UNAVAILABLE", "the broker is unavailable; retry later") from None
    except ServiceUnavailable as unavailable:
        log.warning("rpc.unavailable", reason=unavailable.reason)
        raise ApiError("SERVICE_UNAVAILABLE", "the service cannot act now; retry later") from None
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
