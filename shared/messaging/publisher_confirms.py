"""A py-amqp channel in confirm mode that publishes batches framed ahead of time.

py-amqp (the client nameko itself uses) rather than pika: it is green-thread friendly under
eventlet and exposes ``basic.ack``/``basic.nack``/``basic.return`` callbacks, which batched
confirms need (pika's blocking channel confirms one message at a time).

Two things py-amqp leaves to its user live here. The broker's answers are collected by delivery
tag. And a batch is framed into memory through py-amqp's ``frame_writer`` hook and sent with one
system call: py-amqp otherwise writes each message to the socket as soon as it is framed, and
framing ahead lets the caller prepare the next batch while the broker confirms this one.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import amqp
from amqp.method_framing import frame_writer

from shared.messaging.topology import amqp_parameters


class PublishFailedError(Exception):
    """The broker did not confirm every message of a batch (nack, return, or timeout)."""


@dataclass
class FramedBatch:
    """Messages framed for one write, with the delivery tag the first of them will get."""

    message_ids: list[str]
    first_tag: int
    frames: bytes

    @property
    def last_tag(self) -> int:
        return self.first_tag + len(self.message_ids) - 1


class ConfirmingChannel:
    """One connection and channel in confirm mode; ``frame``, ``send``, ``await_confirms``."""

    def __init__(self, amqp_uri: str, declare: Callable[[Any], None]) -> None:
        params = amqp_parameters(amqp_uri)
        self._answers = _Answers()
        self._transport: _CapturingTransport | None = None
        self._connection = amqp.Connection(
            host=f"{params['host']}:{params['port']}",
            userid=params["username"],
            password=params["password"],
            virtual_host=params["virtual_host"],
            connect_timeout=5,
            heartbeat=0,
            frame_writer=self._frame_writer,
            # Without 'connection.blocked', py-amqp skips a socket poll before every publish;
            # a broker that blocks us shows up as a confirm timeout and a retry instead.
            client_properties={
                "capabilities": {
                    "consumer_cancel_notify": True,
                    "authentication_failure_close": True,
                    "connection.blocked": False,
                }
            },
        )
        self._connection.connect()
        self._channel = self._connection.channel()
        declare(self._channel)
        self._channel.confirm_select()
        self._channel.events["basic_ack"].add(self._answers.on_ack)
        self._channel.events["basic_nack"].add(self._answers.on_nack)
        self._channel.events["basic_return"].add(self._answers.on_return)
        self._framed_up_to = 0  # the delivery tag of the last message framed

    def frame(self, messages: list[tuple[amqp.Message, str, str]]) -> FramedBatch:
        """Frame ``(message, exchange, routing_key)`` publishes (mandatory) without sending.

        Batches must be sent in the order they were framed, or dropped with ``forget``.
        """
        transport = self._capturing()
        first_tag = self._framed_up_to + 1
        with transport.capture() as frames:
            for message, exchange, routing_key in messages:
                self._channel.basic_publish(
                    message, exchange=exchange, routing_key=routing_key, mandatory=True
                )
        self._framed_up_to += len(messages)
        ids = [str(message.properties.get("message_id")) for message, _, _ in messages]
        return FramedBatch(ids, first_tag, b"".join(frames))

    def forget(self, batch: FramedBatch) -> None:
        """Drop the last framed batch unsent, so the next one takes its delivery tags."""
        if batch.last_tag != self._framed_up_to:
            raise ValueError("only the last framed batch can be forgotten")
        self._framed_up_to = batch.first_tag - 1

    def send(self, batch: FramedBatch) -> None:
        self._capturing().send(batch.frames)

    def await_confirms(self, batch: FramedBatch, timeout: float) -> int:
        """Wait for the broker's answers to a sent batch; return how many of its messages,
        counted from the first, were acked and routed."""
        deadline = time.monotonic() + timeout
        while self._answers.highest < batch.last_tag:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PublishFailedError("timed out waiting for publisher confirms")
            try:
                self._connection.drain_events(timeout=min(remaining, 1.0))
            except TimeoutError:
                continue
        return self._answers.confirmed_prefix(batch)

    def close(self) -> None:
        # A connection that already died may fail to close a second time.
        with contextlib.suppress(Exception):
            self._connection.collect()

    def _frame_writer(self, connection: Any, transport: Any) -> Callable[..., Any]:
        self._transport = _CapturingTransport(transport)
        return frame_writer(connection, self._transport)  # type: ignore[no-any-return]

    def _capturing(self) -> _CapturingTransport:
        assert self._transport is not None, "connect() installs the frame writer"
        return self._transport


class _Answers:
    """The broker's answers by delivery tag (tags only grow on a channel)."""

    def __init__(self) -> None:
        self.acked: set[int] = set()
        self.returned_ids: set[str] = set()
        self.highest = 0

    def on_ack(self, tag: int, multiple: bool) -> None:
        self.acked.update(self._answered(tag, multiple))

    def on_nack(self, tag: int, multiple: bool) -> None:
        self._answered(tag, multiple)

    def on_return(self, _exc: Any, _exchange: str, _key: str, message: Any) -> None:
        # The broker returns a message before it acks it, so this is known in time.
        self.returned_ids.add(str(message.properties.get("message_id")))

    def confirmed_prefix(self, batch: FramedBatch) -> int:
        confirmed = 0
        for offset, message_id in enumerate(batch.message_ids):
            if batch.first_tag + offset not in self.acked or message_id in self.returned_ids:
                break
            confirmed += 1
        self.acked.difference_update(range(batch.first_tag, batch.last_tag + 1))
        self.returned_ids.difference_update(batch.message_ids)
        return confirmed

    def _answered(self, tag: int, multiple: bool) -> range:
        first = self.highest + 1 if multiple else tag
        self.highest = max(self.highest, tag)
        return range(first, tag + 1)


class _CapturingTransport:
    """Passes writes through, except inside ``capture()``, where it collects them."""

    def __init__(self, transport: Any) -> None:
        self._transport = transport
        self._captured: list[bytes] | None = None

    def write(self, data: Any) -> None:
        if self._captured is None:
            self._transport.write(data)
        else:
            # py-amqp reuses one frame buffer for every message: copy the bytes out of it.
            self._captured.append(bytes(data))

    @contextlib.contextmanager
    def capture(self) -> Iterator[list[bytes]]:
        # Only asynchronous methods (basic.publish) belong inside: a method that waits for
        # the broker's reply would wait for a request that was never sent.
        captured: list[bytes] = []
        self._captured = captured
        try:
            yield captured
        finally:
            self._captured = None

    def send(self, frames: bytes) -> None:
        self._transport.write(frames)
