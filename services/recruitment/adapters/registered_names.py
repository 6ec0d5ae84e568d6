"""A student's registered name as recruitment sealed it, for placement to check an insurance
policy against (docs/privacy.md, "Registered names").

Placement asks when it checks a policy, instead of keeping the name of every student who ever
registered from ``StudentRegistered``: a registration costs placement nothing, and placement
holds the names of the students it placed only. The answer is the value as stored, sealed
with the student's name key and bound to the registration's event id (``sealed_in``):
placement asks for the key on its own signed request, as for any sealed value it keeps.

The question is signed too (``KeyRequester.signed``: ``{"student_id", "requester",
"signer_key_id", "signature"}``), and only ``ASKERS`` are answered: another broker user
cannot ask who registered, was erased or never registered.

    registered_name = registered_name_rpc()
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from services.recruitment.domain.student import Student
from shared.contracts.fields import UUID_TEXT
from shared.eventstore.store import EventStore
from shared.logging import get_logger
from shared.privacy.classes import erased_classes, field_class
from shared.privacy.sealing import is_sealed
from shared.privacy.sharing import KeyRequestRefusedError, verified_signed
from shared.rpc import rpc

log = get_logger(__name__)

METHOD = "registered_name"
NAME_FIELD = "name"
REGISTERED, ERASED = "StudentRegistered", "SubjectErased"
ASKERS = frozenset({"placement"})
"""The components answered: placement, to check an insurance policy."""


def registered_name(session: Session, student_id: object) -> dict[str, Any]:
    """``{"name": <as stored>, "sealed_in": <event id, or None for a value stored in plain
    text before sealing>}``; ``{"erased": True}`` once the student's name is erased,
    ``{"unknown": True}`` for a student never registered, ``{"refused": <why>}`` for an
    argument that is no student id."""
    if not isinstance(student_id, str) or not UUID_TEXT.match(student_id):
        return {"refused": "the argument is a student id (a UUID)"}
    stream = EventStore(session).load(Student.stream_id_for(student_id))
    if not stream or stream[0].event_type != REGISTERED:
        return {"unknown": True}
    for envelope in stream:
        if envelope.event_type == ERASED and field_class(NAME_FIELD) in erased_classes(
            envelope.payload
        ):
            return {"erased": True}
    registration = stream[0]
    name = registration.payload.get(NAME_FIELD)
    if not isinstance(name, str):
        return {"unknown": True}
    return {"name": name, "sealed_in": registration.event_id if is_sealed(name) else None}


def registered_name_rpc() -> Callable[..., dict[str, Any]]:
    """The RPC method answering ``registered_name(request)``, a signed request of one of
    ``ASKERS`` for ``student_id`` (see the module); ``{"refused": <why>}`` to anyone else."""

    def entrypoint(self: Any, request: object) -> dict[str, Any]:
        kit = self.kit.kit
        try:
            requester, body = verified_signed(request, kit.producer_keys)
        except KeyRequestRefusedError as refusal:
            log.warning("registered_name.refused", reason=str(refusal))
            return {"refused": str(refusal)}
        if requester not in ASKERS:
            log.warning("registered_name.refused", requester=requester, reason="not an asker")
            return {"refused": f"{requester} is not answered for registered names"}
        with kit.session_factory() as session:
            answer = registered_name(session, body.get("student_id"))
        log.info("registered_name.asked", requester=requester, found=sorted(answer))
        return answer

    entrypoint.__name__ = entrypoint.__qualname__ = METHOD
    decorated: Callable[..., dict[str, Any]] = rpc(entrypoint)
    return decorated
