"""Every service's part in per-subject encryption (docs/privacy.md): it answers other
components' key requests, opens the sealed fields of the events it consumes, and destroys its
keys of a subject's erased field classes when recruitment records ``SubjectErased``.

    share_subject_keys = subject_key_rpc()
    on_subject_erased = consume_erasure()          # or consume_erasure(erase_registered_name)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from shared.contracts import CONTRACTS
from shared.events.envelope import Envelope
from shared.eventstore.store import EventStore
from shared.logging import get_logger
from shared.messaging.inbox import reliable_event_handler
from shared.privacy.classes import erased_classes
from shared.privacy.fetching import keys_for
from shared.privacy.payloads import open_envelope
from shared.privacy.sharing import KeyRequestRefusedError, answer_request, verified_request
from shared.privacy.traces import truncate_write_ahead_log
from shared.rpc import rpc

log = get_logger(__name__)

Eraser = Callable[[Session, str, frozenset[str]], None]
"""What a service keeps of a subject outside its events, removed on erasure of some of its
field classes (``subject_id``, the classes erased)."""


def opened(kit: Any, envelope: Envelope) -> Envelope:
    """``envelope`` with its sealed fields opened by the service's keys (fetched from the
    event's producer when missing)."""
    with kit.session_factory() as session, session.begin():
        keys = keys_for(session, kit.keys, kit.key_fetcher, [envelope])
    return open_envelope(envelope, keys)


def subject_key_rpc() -> Callable[..., dict[str, Any]]:
    """The RPC method answering a registered producer's request for subject keys."""

    def share_subject_keys(self: Any, request: object) -> dict[str, Any]:
        kit = self.kit.kit
        try:
            verified = verified_request(request, kit.producer_keys)
        except KeyRequestRefusedError as refusal:
            log.warning("privacy.key_request_refused", reason=str(refusal))
            return {"refused": str(refusal)}
        with kit.session_factory() as session:
            answer = answer_request(session, kit.keys, verified)
        log.info("privacy.keys_shared", requester=verified.requester, keys=len(answer["keys"]))
        return answer

    decorated: Callable[..., dict[str, Any]] = rpc(share_subject_keys)
    return decorated


def consume_erasure(*erasers: Eraser) -> Callable[..., None]:
    """The handler of recruitment's ``SubjectErased``: in one transaction, claim the event in
    the inbox, destroy this service's keys of the subject's erased classes and run
    ``erasers``. A redelivery finds the claim and changes nothing."""

    def on_subject_erased(self: Any, body: object) -> None:
        envelope = Envelope.from_dict(body)
        erasure = CONTRACTS.to_event(envelope)  # upcast: version 1 erased every class
        subject_id = str(erasure.subject_id)  # type: ignore[attr-defined]
        classes = erased_classes(erasure.values())
        kit = self.kit.kit
        consumer = f"{self.name}.on_subject_erased"
        with kit.session_factory() as session, session.begin():
            if not EventStore(session).claim(consumer, envelope.event_id):
                log.info("event.already_consumed", event_id=envelope.event_id)
                return
            destroyed = kit.keys.destroy(session, subject_id, classes)
            for erase in erasers:
                erase(session, subject_id, classes)
        kit.stream_cache.clear()
        truncate_write_ahead_log(kit.engine)
        log.info(
            "privacy.subject_erased",
            subject_id=subject_id,
            field_classes=sorted(classes),
            keys_destroyed=destroyed,
        )

    decorated: Callable[..., None] = reliable_event_handler("recruitment", "SubjectErased")(
        on_subject_erased
    )
    return decorated
