"""Sealing and opening the personal fields of an event's payload.

Which fields: those the event's contract marks personal (``shared.contracts.fields.personal``).
Whose key: the subject's, which is the payload's ``student_id`` when it names one (a
registration, a certificate's holder) and otherwise the stream's own record (a host unit's
contact person, an activity's coordinator). Which of the subject's keys: the one of the
field's class (``shared.privacy.classes``: identity, contact, name). A value that is not a
non-empty string (an absent invitee: null) is left as it is; so is a value sealed already.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from shared.contracts import CONTRACTS, UnknownEventTypeError
from shared.events.envelope import Envelope
from shared.privacy.classes import field_class
from shared.privacy.keystore import KnownKey, SubjectKeys
from shared.privacy.sealing import (
    ERASED,
    SealedValueError,
    is_sealed,
    open_value,
    parse_sealed,
    seal_value,
    sealed_key_id,
)

SUBJECT_FIELD = "student_id"

KeyFor = Callable[[str, bool], SubjectKeys]
"""``key_for(subject_id, new)``: the subject's live keys, one per field class (``.of(class)``);
``new`` says the subject is the record a stream's first event starts, so it cannot have a key
yet."""


def personal_fields(envelope: Envelope) -> frozenset[str]:
    return _personal_fields(envelope.event_type, envelope.schema_version)


@functools.cache
def _personal_fields(event_type: str, version: int) -> frozenset[str]:
    try:
        return CONTRACTS.get(event_type, version).personal_fields
    except UnknownEventTypeError:
        return frozenset()


def subject_of(envelope: Envelope) -> str:
    """Whose personal data the event's personal fields are."""
    student = envelope.payload.get(SUBJECT_FIELD)
    return student if isinstance(student, str) and student else envelope.stream_id


def seal_envelope(envelope: Envelope, key_for: KeyFor) -> Envelope:
    """The envelope with every personal field sealed under its subject's key of its class."""
    names = [
        name
        for name in personal_fields(envelope)
        if isinstance(envelope.payload.get(name), str)
        and envelope.payload[name]
        and not is_sealed(envelope.payload[name])
    ]
    if not names:
        return envelope
    subject = subject_of(envelope)
    new = envelope.stream_version == 1 and envelope.stream_id.endswith(subject)
    keys = key_for(subject, new).of_classes(sorted({field_class(name) for name in names}))
    payload = dict(envelope.payload)
    for name in names:
        key_id, data_key = keys[field_class(name)]
        payload[name] = seal_value(payload[name], data_key, key_id, envelope.event_id, name)
    return envelope.with_payload(envelope.schema_version, payload)


def sealed_key_ids(envelopes: Iterable[Envelope]) -> set[str]:
    """The ids of the data keys the envelopes' sealed fields need."""
    found: set[str] = set()
    for envelope in envelopes:
        found |= envelope_key_ids(envelope)
    return found


def envelope_key_ids(envelope: Envelope) -> set[str]:
    """The ids of the data keys one envelope's sealed fields need (a malformed value needs
    none: it reads ``[erased]``)."""
    return payload_key_ids(envelope.event_type, envelope.schema_version, envelope.payload)


def payload_key_ids(event_type: str, version: int, payload: Mapping[str, object]) -> set[str]:
    """``envelope_key_ids`` of a logged payload as stored, without its envelope."""
    found: set[str] = set()
    for name in _personal_fields(event_type, version):
        value = payload.get(name)
        if is_sealed(value):
            key_id = sealed_key_id(value)
            if key_id is not None:
                found.add(key_id)
    return found


def open_envelope(envelope: Envelope, keys: Mapping[str, KnownKey]) -> Envelope:
    """The envelope with its sealed fields in plain text; a field whose key is destroyed or
    unknown to ``keys`` reads ``[erased]``, one that does not open (altered) too. A value
    stored in plain text before sealing existed is left as it was."""
    payload = open_payload(
        envelope.event_type, envelope.schema_version, envelope.event_id, envelope.payload, keys
    )
    if payload is envelope.payload:
        return envelope
    return envelope.with_payload(envelope.schema_version, payload)


def open_payload(
    event_type: str,
    version: int,
    event_id: str,
    payload: dict[str, Any],
    keys: Mapping[str, KnownKey],
) -> dict[str, Any]:
    """``open_envelope`` of a logged payload as stored (``event_id``: its envelope's, which
    every sealed value is bound to): a copy with the sealed fields opened, or ``payload``
    itself when it holds none."""
    opened: dict[str, Any] | None = None
    for name in _personal_fields(event_type, version):
        value = payload.get(name)
        if not is_sealed(value):
            continue
        if opened is None:
            opened = dict(payload)
        opened[name] = _opened(value, keys, event_id, name)
    return payload if opened is None else opened


def _opened(value: str, keys: Mapping[str, KnownKey], event_id: str, name: str) -> str:
    try:
        sealed = parse_sealed(value)
        known = keys.get(sealed.key_id)
        aead = None if known is None else known.aead()
        if aead is None:
            return ERASED
        return open_value(sealed, aead, event_id, name)
    except SealedValueError:
        return ERASED
