"""Opening sealed values in bulk (the gateway's side): a key id is read without decoding the
value, a live key is made into its cipher once for every value it opens, a destroyed one none."""

from __future__ import annotations

from shared.privacy.classes import FIELD_CLASSES
from shared.privacy.keystore import KnownKey
from shared.privacy.payloads import open_envelope, seal_envelope, sealed_key_ids
from shared.privacy.sealing import ERASED, seal_value, sealed_key_id
from tests.unit.test_privacy_sealing import STUDENT, key_store, registration

KEY = bytes(range(32))


def test_a_sealed_values_key_id_is_read_and_a_malformed_one_has_none() -> None:
    sealed = seal_value("孙悦", KEY, "a" * 32, "event-1", "name")
    assert sealed_key_id(sealed) == "a" * 32
    assert sealed_key_id("enc:v1:" + "a" * 32 + ":not base64!") is None
    assert sealed_key_id("enc:v1:short:AAAA") is None


def test_a_live_key_is_one_cipher_for_every_value_and_a_destroyed_key_none() -> None:
    live = KnownKey(STUDENT, KEY, "name")
    assert live.aead() is live.aead()
    assert KnownKey(STUDENT, None, "name").aead() is None


def test_a_registrations_three_fields_open_with_keys_looked_up_once() -> None:
    store, engine = key_store()
    with engine.begin() as db:
        sealed = seal_envelope(registration(), lambda s, new: store.key_for(db, s, new=new))
    assert len(sealed_key_ids([sealed])) == len(FIELD_CLASSES)
    with engine.connect() as db:
        keys = store.lookup(db, sealed_key_ids([sealed]))
    first, again = open_envelope(sealed, keys), open_envelope(sealed, keys)
    assert first.payload["name"] == again.payload["name"] == "孙悦"
    keys.popitem()
    assert ERASED in open_envelope(sealed, keys).payload.values()
