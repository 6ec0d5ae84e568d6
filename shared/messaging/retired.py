"""An event handler a service no longer has, and the queue it leaves behind.

nameko declares a durable queue per event handler (``evt-<source>-<EventType>--<service>.
<method>``), bound to the source's exchange. Take the handler out of the service and the
queue stays, bound: the broker keeps every event of that type for a consumer that never comes
back, until its disk fills. A service names such a handler with ``retired_event_handler``:
at start it deletes the queue and its dead-letter queue (they are its own, so its broker user
may), and logs how many events went with them.

    on_student_registered = retired_event_handler("recruitment", "StudentRegistered")
"""

from __future__ import annotations

from typing import Any

from kombu import Connection
from nameko.extensions import DependencyProvider

from shared.logging import get_logger
from shared.messaging.inbox import on_the_broker
from shared.messaging.topology import dead_letter_queue

log = get_logger(__name__)


def handler_queue(source: str, event_type: str, service: str, method: str) -> str:
    """The queue nameko declares for ``service.method`` handling ``source``'s ``event_type``."""
    return f"evt-{source}-{event_type}--{service}.{method}"


class RetiredEventHandler(DependencyProvider):  # type: ignore[misc] # nameko is untyped
    """Deletes a retired handler's queues when the service starts (see the module)."""

    def __init__(self, source: str, event_type: str) -> None:
        self.source = source
        self.event_type = event_type

    def setup(self) -> None:
        queue = handler_queue(
            self.source, self.event_type, self.container.service_name, self.attr_name
        )

        def delete(broker: Connection) -> None:
            channel = broker.channel()
            for name in (queue, dead_letter_queue(queue)):
                dropped = channel.queue_delete(name)
                if dropped:
                    log.warning("queue.retired", queue=name, events_dropped=dropped)

        on_the_broker(
            self.container.config["AMQP_URI"], delete, "queue.retire_waiting", queue=queue
        )

    def get_dependency(self, worker_ctx: Any) -> None:  # noqa: ARG002 - nameko API
        return None


def retired_event_handler(source: str, event_type: str) -> RetiredEventHandler:
    """The handler of ``source``'s ``event_type`` that this service attribute once was."""
    return RetiredEventHandler(source, event_type)
