"""Authenticated producers: each service signs the events it publishes; the log and every
consumer check the signature against that service's registered public keys.

A producer signs, with Ed25519, the canonical encoding (``canonical.py``) of its envelope
without ``key_id`` and ``signature``; the envelope then carries both (``Envelope.signed``).
Key files are those of the event log's own key (``shared.eventlog.keys``): a base64 seed,
mode 0600, with its ``.pub`` beside it. By default a service's private key is
``<keys_dir>/producers/<service>.key``.

The registry maps a key id to the one service that owns it. It is read from two places, both
kept: the ``producer_keys`` setting (service -> public keys in base64, for deployments that
hand them out as configuration) and the files ``<keys_dir>/producers/<service>.pub`` and
``<service>.<anything>.pub``. A rotation adds the new key and keeps the old one, so events
signed before it still verify. A key id the registry does not know makes it read its sources
again (a few small files), so a key made or added after a consumer started is found.

Where each producer has a broker user of its own (compose, Kubernetes), the registry also knows
that user (``broker_users``): RabbitMQ refuses a message whose ``user_id`` is not the
publishing connection's user, so an event whose ``user_id`` is not its producer's user was
published through someone else's login, whatever its signature (``publisher_refusal``). On one
machine, every process shares one login and the mapping is empty: the signature alone decides.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.config import Settings
from shared.eventlog.keys import (
    KeyFileError,
    ensure_private_key,
    key_id,
    load_private_key,
    load_public_key,
)
from shared.events.canonical import canonical_bytes
from shared.events.ed25519 import Signer, Verifier
from shared.events.envelope import Envelope
from shared.events.producers import producers
from shared.messaging.topology import event_exchange

PRODUCERS_DIR = "producers"


def signing_bytes(envelope: Envelope) -> bytes:
    """What a producer signs: the canonical encoding of the envelope without its signature."""
    return canonical_bytes(envelope.unsigned_dict())


class ProducerSigner:
    """Signs one service's envelopes with its private key."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = Signer(private_key)
        self.key_id = key_id(private_key.public_key())

    def sign_bytes(self, message: bytes) -> bytes:
        """An Ed25519 signature of ``message`` (a key request, ``shared.privacy.sharing``)."""
        return self._key.sign(message)

    def sign(self, envelope: Envelope) -> Envelope:
        signature = self._key.sign(signing_bytes(envelope))
        return envelope.signed(self.key_id, base64.b64encode(signature).decode("ascii"))


def producer_key_path(settings: Settings, service: str) -> Path:
    """Where ``service``'s private key is: its configured file, else the keys directory's."""
    configured = settings.signing_keys.get(service, "")
    if configured:
        return Path(configured).expanduser()
    return settings.keys_dir / PRODUCERS_DIR / f"{service}.key"


def ensure_producer_key(settings: Settings, service: str) -> ProducerSigner:
    """The service's signer; on one machine its key is made on first use (``gravity up``).
    A configured key file (a mounted Secret) must exist: it is never made."""
    path = producer_key_path(settings, service)
    if settings.signing_keys.get(service):
        return ProducerSigner(load_private_key(path))
    try:
        return ProducerSigner(ensure_private_key(path))
    except FileExistsError:  # another process made it a moment ago
        return ProducerSigner(load_private_key(path))


class ProducerKeys:
    """Public keys by key id, each owned by one service."""

    def __init__(
        self,
        keys: Mapping[str, Iterable[Ed25519PublicKey]],
        reload: Callable[[], Mapping[str, Iterable[Ed25519PublicKey]]] | None = None,
        broker_users: Mapping[str, str] | None = None,
    ) -> None:
        self._reload = reload
        self.broker_users = {p: user for p, user in (broker_users or {}).items() if user}
        self._lock = threading.Lock()
        self._owners, self._keys = _index(keys)

    @classmethod
    def from_settings(cls, settings: Settings) -> ProducerKeys:
        """The registry of the configured services, from configuration and key files."""

        def read() -> Mapping[str, list[Ed25519PublicKey]]:
            return registered_keys(settings)

        return cls(read(), read, settings.broker_users)

    def key_ids(self) -> dict[str, list[str]]:
        """Each service's registered key ids (public facts, safe to log)."""
        found: dict[str, list[str]] = {}
        for identifier, service in sorted(self._owners.items()):
            found.setdefault(service, []).append(identifier)
        return found

    def owner(self, identifier: str) -> str | None:
        """The service that owns the key ``identifier`` (None for an unknown key)."""
        if identifier not in self._owners:
            self._read_again()
        return self._owners.get(identifier)

    def verifies(self, identifier: str, signature: bytes, message: bytes) -> str | None:
        """The producer whose key ``identifier`` signed ``message``; None if none did."""
        owner = self.owner(identifier)
        if owner is None or not self._keys[identifier].verifies(signature, message):
            return None
        return owner

    def refusal(self, envelope: Envelope, exchange: str) -> str | None:
        """Why ``envelope``, received through ``exchange``, is not what its producer published
        through its own exchange (the check the log and every consumer make before they take
        an event in); None if it came through ``<producer>.events``, signed by a key of that
        producer, and the signature holds."""
        if exchange != event_exchange(envelope.producer):
            return f"{envelope.producer}'s event came through {exchange or 'the default exchange'}"
        return self._signature_refusal(envelope, envelope.producer)

    def publisher_refusal(self, envelope: Envelope, user_id: str | None) -> str | None:
        """Why ``envelope``, published with the broker-validated ``user_id``, did not come
        through its producer's own broker user; None if it did or no user is registered."""
        expected = self.broker_users.get(envelope.producer)
        if expected is None or user_id == expected:
            return None
        published_as = f"broker user {user_id}" if user_id else "no broker user_id"
        return f"{envelope.producer}'s event was published with {published_as}, not {expected}"

    def _signature_refusal(self, envelope: Envelope, exchange_owner: str) -> str | None:
        if envelope.key_id is None or envelope.signature is None:
            return "the event is not signed"
        owner = self.owner(envelope.key_id)
        if owner is None:
            return f"key {envelope.key_id} is not a registered producer key"
        if owner != exchange_owner:
            return f"key {envelope.key_id} is {owner}'s, not {exchange_owner}'s"
        refused = f"the signature does not verify with key {envelope.key_id}"
        try:
            signature = base64.b64decode(envelope.signature, validate=True)
        except ValueError:  # not base64
            return refused
        if not self._keys[envelope.key_id].verifies(signature, signing_bytes(envelope)):
            return refused
        return None

    def _read_again(self) -> None:
        if self._reload is None:
            return
        with self._lock:
            try:
                self._owners, self._keys = _index(self._reload())
            except KeyFileError:
                return  # a key file being written right now: keep what we know


def registered_keys(settings: Settings) -> dict[str, list[Ed25519PublicKey]]:
    """Each service's public keys: the ``producer_keys`` setting and the key files."""
    folder = settings.keys_dir / PRODUCERS_DIR
    found: dict[str, list[Ed25519PublicKey]] = {}
    for service in producers(settings):  # the services and the gateway
        keys = [_public_key(text, service) for text in settings.producer_keys.get(service, ())]
        files = sorted({*folder.glob(f"{service}.pub"), *folder.glob(f"{service}.*.pub")})
        keys += [load_public_key(path) for path in files]
        found[service] = keys
    return found


def _public_key(text: str, service: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except ValueError as error:
        raise KeyFileError(f"producer_keys.{service} holds no Ed25519 public key") from error


def _index(
    keys: Mapping[str, Iterable[Ed25519PublicKey]],
) -> tuple[dict[str, str], dict[str, Verifier]]:
    owners: dict[str, str] = {}
    by_id: dict[str, Verifier] = {}
    for service, public_keys in keys.items():
        for public_key in public_keys:
            identifier = key_id(public_key)
            if owners.get(identifier, service) != service:
                raise KeyFileError(f"key {identifier} is registered for two producers")
            owners[identifier], by_id[identifier] = service, Verifier(public_key)
    return owners, by_id
