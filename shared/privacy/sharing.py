"""Handing a subject's data key to another component without putting it on the broker in clear.

The component that needs plaintext (the gateway's read models, placement checking a policy
holder's name) asks the key's owner over RPC: ``share_subject_keys(request)``. The request
names the requester, the key ids and an X25519 public key the requester made for this process,
and is signed with the requester's Ed25519 producer key, so the owner answers only registered
producers (``ProducerKeys``). The owner seals each live key to that X25519 key (an ephemeral
X25519 agreement, HKDF-SHA256, AES-256-GCM with the requester and key id as associated data);
a destroyed key is answered as destroyed. Each key is answered with its subject and its field
class (none for a key from before classes), so that the requester's copy is destroyed with its
class (``shared.privacy.classes``). Only the requester's process can open the answer;
it keeps the keys in its own key store, wrapped by its own master key.

A request may also say ``since`` (a time the owner's previous answer gave as ``made_until``):
the owner then adds the live keys it made since then, unasked, so that a consumer of all its
events (the gateway) holds the keys of the next events before it reads them, and asks again
only when one is missing. They are the keys it would ask for a moment later.
"""

from __future__ import annotations

import base64
import binascii
import os
import time
from collections.abc import Mapping
from typing import Any, NamedTuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shared.events.canonical import NonCanonicalValueError, canonical_bytes
from shared.events.producer_keys import ProducerKeys, ProducerSigner
from shared.privacy.keystore import Executor, KeyStore, KnownKey
from shared.privacy.sealing import NONCE_BYTES

MAX_KEYS_PER_REQUEST = 1000
MAX_KEYS_MADE_SINCE = 500
UNCOMMITTED_SECONDS = 1.0
"""How long a key made and not yet committed holds an answer's ``made_until`` back."""
DESTROYED = "destroyed"
_RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw


class KeyRequestRefusedError(ValueError):
    """A key request that is malformed, unsigned or signed by no registered producer."""


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise KeyRequestRefusedError("expected base64 text")
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        raise KeyRequestRefusedError("expected base64 text") from None


def _wrapping_key(shared_secret: bytes, requester: str, key_id: str) -> bytes:
    info = f"gravity subject key v1\x00{requester}\x00{key_id}".encode()
    return HKDF(hashes.SHA256(), 32, salt=None, info=info).derive(shared_secret)


class KeyRequester:
    """One process's side of key sharing: its X25519 key pair and its producer signer."""

    def __init__(self, requester: str, signer: ProducerSigner) -> None:
        self.requester = requester
        self._signer = signer
        self._private = X25519PrivateKey.generate()

    def request(self, key_ids: list[str], since: float | None = None) -> dict[str, Any]:
        """A signed request for ``key_ids``, and with ``since`` for the keys made since then."""
        body: dict[str, Any] = {
            "public_key": _b64(self._private.public_key().public_bytes(*_RAW)),
            "key_ids": sorted(key_ids),
        }
        if since is not None:
            body["since"] = f"{since:.6f}"
        return self.signed(body)

    def signed(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """``body`` with this requester's name, signed with its producer key over their
        canonical bytes (``verified_signed`` checks it)."""
        named = {**body, "requester": self.requester}
        signature = self._signer.sign_bytes(canonical_bytes(named))
        return named | {"signer_key_id": self._signer.key_id, "signature": _b64(signature)}

    def open_answer(self, answer: object) -> dict[str, KnownKey]:
        """The keys an owner answered: live ones opened, destroyed ones as tombstones."""
        if not isinstance(answer, Mapping) or not isinstance(answer.get("keys"), Mapping):
            raise KeyRequestRefusedError("a key answer is {ephemeral_key, keys}")
        ephemeral = X25519PublicKey.from_public_bytes(_unb64(answer.get("ephemeral_key")))
        shared_secret = self._private.exchange(ephemeral)
        found: dict[str, KnownKey] = {}
        for key_id, item in answer["keys"].items():
            if not isinstance(item, Mapping) or not isinstance(item.get("subject_id"), str):
                raise KeyRequestRefusedError("a key answer item names its subject")
            field_class = item.get("field_class")
            if field_class is not None and not isinstance(field_class, str):
                raise KeyRequestRefusedError("a key answer item's class is text")
            if item.get("state") == DESTROYED:
                found[key_id] = KnownKey(item["subject_id"], None, field_class)
                continue
            raw = _unb64(item.get("sealed"))
            aead = AESGCM(_wrapping_key(shared_secret, self.requester, key_id))
            try:
                data_key = aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], key_id.encode())
            except InvalidTag:
                raise KeyRequestRefusedError(f"key {key_id} does not open") from None
            found[key_id] = KnownKey(item["subject_id"], data_key, field_class)
        return found


class KeyRequest(NamedTuple):
    """A verified request: who asks, the key to seal the answer to, the keys asked for, and
    since when the keys made are wanted too (None: only those asked for)."""

    requester: str
    public_key: X25519PublicKey
    key_ids: list[str]
    since: float | None


def verified_signed(request: object, producers: ProducerKeys) -> tuple[str, dict[str, Any]]:
    """``(requester, body)`` of a request ``KeyRequester.signed`` made: signed over its body
    by a registered producer key of the requester it names; ``KeyRequestRefusedError``
    otherwise (a field added or changed after signing breaks the signature)."""
    if not isinstance(request, Mapping):
        raise KeyRequestRefusedError("a signed request is a JSON object")
    body = {k: v for k, v in request.items() if k not in {"signer_key_id", "signature"}}
    requester, signer_key_id = body.get("requester"), request.get("signer_key_id")
    if not isinstance(requester, str):
        raise KeyRequestRefusedError("a signed request names its requester")
    if not isinstance(signer_key_id, str):
        raise KeyRequestRefusedError("a request is signed")
    try:
        signed = canonical_bytes(body)
    except NonCanonicalValueError:  # a float, say: nothing a requester signs
        raise KeyRequestRefusedError("a signed request holds text, integers and lists") from None
    if producers.verifies(signer_key_id, _unb64(request.get("signature")), signed) != requester:
        raise KeyRequestRefusedError("the request is not signed by a key of its requester")
    return requester, body


def verified_request(request: object, producers: ProducerKeys) -> KeyRequest:
    """The key request, if signed by a registered producer key of its requester;
    ``KeyRequestRefusedError`` otherwise. Its key ids are checked before its signature."""
    key_ids = request.get("key_ids") if isinstance(request, Mapping) else None
    if not isinstance(key_ids, list):
        raise KeyRequestRefusedError("a key request names its key ids")
    if len(key_ids) > MAX_KEYS_PER_REQUEST or not all(isinstance(k, str) for k in key_ids):
        raise KeyRequestRefusedError(f"at most {MAX_KEYS_PER_REQUEST} key ids, as text")
    requester, body = verified_signed(request, producers)
    since = body.get("since")
    try:
        public_key = X25519PublicKey.from_public_bytes(_unb64(body.get("public_key")))
        made_since = None if since is None else float(since)
    except (ValueError, TypeError):
        raise KeyRequestRefusedError("the request's public key or time does not read") from None
    return KeyRequest(requester, public_key, key_ids, made_since)


def sealed_answer(
    requester: str,
    public_key: X25519PublicKey,
    keys: Mapping[str, KnownKey],
    made_until: float | None = None,
) -> dict[str, Any]:
    """The answer to a verified request: each live key sealed to the requester, each destroyed
    one named so; a key id the owner never made is left out. ``made_until``: the keys made
    until then are in the answer (the requester's next ``since``)."""
    ephemeral = X25519PrivateKey.generate()
    shared_secret = ephemeral.exchange(public_key)
    answered: dict[str, Any] = {}
    for key_id, known in keys.items():
        item: dict[str, Any] = {"subject_id": known.subject_id}
        if known.field_class is not None:
            item["field_class"] = known.field_class
        if known.data_key is None:
            answered[key_id] = item | {"state": DESTROYED}
            continue
        nonce = os.urandom(NONCE_BYTES)
        aead = AESGCM(_wrapping_key(shared_secret, requester, key_id))
        sealed = nonce + aead.encrypt(nonce, known.data_key, key_id.encode())
        answered[key_id] = item | {"sealed": _b64(sealed)}
    answer = {"ephemeral_key": _b64(ephemeral.public_key().public_bytes(*_RAW)), "keys": answered}
    return answer if made_until is None else answer | {"made_until": made_until}


def answer_request(db: Executor, store: KeyStore, request: KeyRequest) -> dict[str, Any]:
    """The owner's answer to a verified request: the keys asked for (live or destroyed), and
    with ``since`` the live keys it made since then (a destroyed one is not volunteered).

    A key made but not in the store yet (its command's transaction still open) holds
    ``made_until`` back to a moment before it was made, so that the next answer brings it
    once committed: answered past it, it would be fetched one by one when a batch needs it.
    One made more than ``UNCOMMITTED_SECONDS`` ago has rolled back, or will be fetched so."""
    now = time.time()
    keys = store.lookup(db, request.key_ids)
    if request.since is None:
        return sealed_answer(request.requester, request.public_key, keys)
    made = [
        (when, key_id)
        for when, key_id in store.made_since_when(request.since, MAX_KEYS_MADE_SINCE)
        if key_id not in keys
    ]
    found = store.lookup(db, [key_id for _, key_id in made])
    made_until = now
    for when, key_id in made:
        known = found.get(key_id)
        if known is None:
            if now - when < UNCOMMITTED_SECONDS:
                # A microsecond before: ``since`` travels rounded to microseconds.
                made_until = min(made_until, when - 1e-6)
        elif known.data_key is not None:
            keys[key_id] = known
    return sealed_answer(request.requester, request.public_key, keys, made_until)
