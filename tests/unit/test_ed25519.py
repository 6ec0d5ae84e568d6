"""Ed25519 through libsodium: the same signatures as ``cryptography``'s, refused as it refuses."""

from __future__ import annotations

import base64
import os
from dataclasses import replace

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.eventlog.keys import Keyring, key_id
from shared.events.ed25519 import Signer, Verifier
from shared.events.producer_keys import ProducerKeys, ProducerSigner
from tests.unit.test_producer_keys import make_envelope

KEY = Ed25519PrivateKey.generate()
MESSAGE = os.urandom(600)


def flip_bit(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 1]) + data[index + 1 :]


def cryptography_verifies(signature: bytes, message: bytes) -> bool:
    try:
        KEY.public_key().verify(signature, message)
    except InvalidSignature:
        return False
    return True


def test_a_signature_made_by_cryptography_verifies_through_libsodium():
    assert Verifier(KEY.public_key()).verifies(KEY.sign(MESSAGE), MESSAGE)


def test_a_signature_made_through_libsodium_verifies_with_cryptography_and_is_the_same_bytes():
    signature = Signer(KEY).sign(MESSAGE)

    KEY.public_key().verify(signature, MESSAGE)
    assert signature == KEY.sign(MESSAGE)


def test_another_keys_signature_is_refused():
    other = Ed25519PrivateKey.generate()

    assert not Verifier(KEY.public_key()).verifies(other.sign(MESSAGE), MESSAGE)


@pytest.mark.parametrize("index", [0, 31, 32, 63])
def test_a_signature_with_one_bit_flipped_is_refused_by_both(index):
    forged = flip_bit(KEY.sign(MESSAGE), index)

    assert not Verifier(KEY.public_key()).verifies(forged, MESSAGE)
    assert not cryptography_verifies(forged, MESSAGE)


def test_a_tampered_message_is_refused_by_both():
    signature = KEY.sign(MESSAGE)
    tampered = flip_bit(MESSAGE, 300)

    assert not Verifier(KEY.public_key()).verifies(signature, tampered)
    assert not cryptography_verifies(signature, tampered)


@pytest.mark.parametrize("length", [0, 1, 63, 65, 128])
def test_a_signature_of_the_wrong_length_is_refused_not_raised(length):
    signature = (KEY.sign(MESSAGE) * 2)[:length]

    assert not Verifier(KEY.public_key()).verifies(signature, MESSAGE)
    assert not cryptography_verifies(signature, MESSAGE)


def test_the_keyring_checks_a_checkpoint_signature_through_the_same_path():
    keyring = Keyring([KEY.public_key()])
    identifier = key_id(KEY.public_key())
    signature = base64.b64encode(KEY.sign(MESSAGE)).decode("ascii")
    short = base64.b64encode(KEY.sign(MESSAGE)[:40]).decode("ascii")

    assert keyring.verifies(identifier, signature, MESSAGE)
    assert not keyring.verifies(identifier, signature, flip_bit(MESSAGE, 0))
    assert not keyring.verifies(identifier, short, MESSAGE)
    assert not keyring.verifies(identifier, "not base64!", MESSAGE)
    assert not keyring.verifies("0" * 16, signature, MESSAGE)


@pytest.mark.parametrize(
    "damage",
    [lambda raw: flip_bit(raw, 10), lambda raw: raw[:63], lambda raw: raw + b"\0", lambda _: b""],
    ids=["bit flipped", "short", "long", "empty"],
)
def test_the_producer_registry_refuses_a_damaged_signature_as_before(damage):
    keys = ProducerKeys({"recruitment": [KEY.public_key()]})
    signed = ProducerSigner(KEY).sign(make_envelope())
    raw = base64.b64decode(signed.signature or "")
    damaged = replace(signed, signature=base64.b64encode(damage(raw)).decode("ascii"))

    assert keys.refusal(signed, "recruitment.events") is None
    reason = keys.refusal(damaged, "recruitment.events")
    assert reason == f"the signature does not verify with key {signed.key_id}"
    assert keys.verifies(signed.key_id or "", damage(raw), MESSAGE) is None
    assert keys.verifies(signed.key_id or "", KEY.sign(MESSAGE), MESSAGE) == "recruitment"
