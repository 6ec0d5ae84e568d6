"""Per-subject encryption: sealed values, master keys, key stores and key sharing."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.events.envelope import Envelope
from shared.events.producer_keys import ProducerKeys, ProducerSigner
from shared.privacy.classes import IDENTITY, NAME
from shared.privacy.fetching import open_kept_value
from shared.privacy.key_rows import metadata
from shared.privacy.keystore import KeyStore, KnownKey, SubjectErasedError
from shared.privacy.master_key import (
    MasterKey,
    MasterKeyError,
    ensure_master_key,
    load_master_key,
)
from shared.privacy.payloads import open_envelope, seal_envelope, sealed_key_ids
from shared.privacy.rotation import next_key_path, rotate_master_key
from shared.privacy.sealing import (
    ERASED,
    SealedValueError,
    is_sealed,
    open_value,
    parse_sealed,
    seal_value,
)
from shared.privacy.sharing import (
    KeyRequester,
    KeyRequestRefusedError,
    answer_request,
    sealed_answer,
    verified_request,
    verified_signed,
)
from tests.factories import make_registered_event

KEY = bytes(range(32))
STUDENT = "7a1c6a55-2f0e-4b55-9b55-1c2f3e4d5a6b"


def registration(**payload: object) -> Envelope:
    return make_registered_event(STUDENT, "0b6c6a55-2f0e-4b55-9b55-1c2f3e4d5a6b", **payload)


def key_store() -> tuple[KeyStore, sa.engine.Engine]:
    engine = sa.create_engine("sqlite://")
    metadata.create_all(engine)
    return KeyStore("recruitment", MasterKey.generate()), engine


def test_a_sealed_value_opens_only_for_its_event_and_field() -> None:
    sealed = seal_value("孙悦", KEY, "a" * 32, "event-1", "name")
    assert is_sealed(sealed)
    assert sealed.startswith("enc:v1:" + "a" * 32 + ":")
    assert "孙悦" not in sealed
    assert open_value(parse_sealed(sealed), KEY, "event-1", "name") == "孙悦"
    with pytest.raises(SealedValueError):
        open_value(parse_sealed(sealed), KEY, "event-2", "name")
    with pytest.raises(SealedValueError):
        open_value(parse_sealed(sealed), KEY, "event-1", "phone")
    with pytest.raises(SealedValueError):
        open_value(parse_sealed(sealed), bytes(32), "event-1", "name")


def test_a_malformed_sealed_value_is_refused() -> None:
    for text in (
        "enc:v1:short:AAAA",
        "enc:v1:" + "a" * 32 + ":not base64!",
        "enc:v1:" + "a" * 32 + ":AAAA",
    ):
        with pytest.raises(SealedValueError):
            parse_sealed(text)


def test_a_registration_is_sealed_field_by_field_and_opens_with_its_key() -> None:
    store, engine = key_store()
    with engine.begin() as db:
        sealed = seal_envelope(
            registration(), lambda subject, new: store.key_for(db, subject, new=new)
        )
        assert all(is_sealed(sealed.payload[name]) for name in ("name", "phone", "id_number"))
        assert sealed.payload["university"] == "Henan University"
        keys = store.lookup(db, sealed_key_ids([sealed]))
    assert open_envelope(sealed, keys).payload == registration().payload | {"student_id": STUDENT}


def test_an_event_stored_in_plain_text_before_sealing_still_reads() -> None:
    old = registration()
    assert open_envelope(old, {}).payload == old.payload


def test_destroying_a_subjects_keys_makes_its_values_read_erased_and_refuses_new_keys() -> None:
    store, engine = key_store()
    with engine.begin() as db:
        sealed = seal_envelope(
            registration(), lambda subject, new: store.key_for(db, subject, new=new)
        )
        assert store.destroy(db, STUDENT) == 3  # one key per class: name, phone, ID number
        assert store.destroy(db, STUDENT) == 0  # again: nothing more to destroy
        keys = store.lookup(db, sealed_key_ids([sealed]))
        with pytest.raises(SubjectErasedError) as refused:
            store.key_for(db, STUDENT).of(NAME)
        assert (refused.value.code, refused.value.details) == (
            "SUBJECT_ERASED",
            {"subject_id": STUDENT},
        )
        rows = db.execute(sa.text("SELECT wrapped_key, destroyed_at FROM subject_keys")).all()
    opened = open_envelope(sealed, keys)
    assert (opened.payload["name"], opened.payload["phone"]) == (ERASED, ERASED)
    assert {(row.wrapped_key, row.destroyed_at is None) for row in rows} == {(None, False)}


def test_a_master_key_rotation_rewraps_data_keys_and_events_still_open(tmp_path) -> None:
    path = tmp_path / "privacy" / "recruitment.master"
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'recruitment.db'}")
    metadata.create_all(engine)
    store = KeyStore("recruitment", ensure_master_key(path))
    with engine.begin() as db:
        sealed = seal_envelope(registration(), lambda who, _: store.key_for(db, who))
        store.key_for(db, "another-subject").of(NAME)
    rotation = rotate_master_key(engine, path)
    assert (rotation.rewrapped, rotation.old_key_id) == (4, store.master.key_id)
    assert not next_key_path(path).exists()
    rotated = KeyStore("recruitment", load_master_key(path))
    assert rotated.master.key_id == rotation.new_key_id
    with engine.begin() as db:
        keys = rotated.lookup(db, sealed_key_ids([sealed]))
        with pytest.raises(MasterKeyError):
            KeyStore("recruitment", store.master).lookup(db, set(keys))
    assert open_envelope(sealed, keys).payload["name"] == "孙悦"


def test_a_rotation_stopped_before_its_rename_finishes_when_run_again(tmp_path) -> None:
    path = tmp_path / "privacy" / "recruitment.master"
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'recruitment.db'}")
    metadata.create_all(engine)
    store = KeyStore("recruitment", ensure_master_key(path))
    with engine.begin() as db:
        key_id, data_key = store.key_for(db, STUDENT).of(NAME)
    old_text = path.read_text()
    first = rotate_master_key(engine, path)
    # the files as a run that re-wrapped, then stopped before its rename, leaves them
    next_key_path(path).write_text(path.read_text())
    path.write_text(old_text)
    again = rotate_master_key(engine, path)
    assert (again.new_key_id, again.rewrapped) == (first.new_key_id, 0)
    with engine.begin() as db:
        found = KeyStore("recruitment", load_master_key(path)).lookup(db, [key_id])
    assert found[key_id].data_key == data_key


def test_a_master_key_file_is_made_once_and_readable_by_its_owner_only(tmp_path) -> None:
    path = tmp_path / "privacy" / "recruitment.master"
    first = ensure_master_key(path)
    assert ensure_master_key(path).key_id == first.key_id
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700


def test_keys_are_shared_only_with_a_registered_producer_and_only_it_can_open_them() -> None:
    gateway_key, stranger_key = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    producers = ProducerKeys({"gateway": [gateway_key.public_key()]})
    store, engine = key_store()
    with engine.begin() as db:
        key_id, data_key = store.key_for(db, STUDENT).of(IDENTITY)
        store.destroy(db, "someone-else")
        known = store.lookup(db, [key_id])
    requester = KeyRequester("gateway", ProducerSigner(gateway_key))
    name, public_key, _key_ids, _since = verified_request(requester.request([key_id]), producers)
    answer = sealed_answer(name, public_key, known)
    assert data_key.hex() not in repr(answer)
    opened = requester.open_answer(answer)[key_id]
    assert (opened.data_key, opened.field_class) == (data_key, IDENTITY)
    eavesdropper = KeyRequester("gateway", ProducerSigner(gateway_key))
    with pytest.raises(KeyRequestRefusedError):
        eavesdropper.open_answer(answer)
    forged = KeyRequester("gateway", ProducerSigner(stranger_key)).request([key_id])
    with pytest.raises(KeyRequestRefusedError):
        verified_request(forged, producers)
    with pytest.raises(KeyRequestRefusedError):
        verified_request(requester.request([key_id]) | {"requester": "placement"}, producers)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"student_id": "another"}, "not signed by a key of its requester"),
        ({"also": "added after signing"}, "not signed by a key of its requester"),
        ({"weight": 1.5}, "text, integers and lists"),  # no canonical form: refused, no crash
        ({"signature": "not base64!"}, "base64"),
        ({"signer_key_id": None}, "is signed"),
        ({"requester": 7}, "names its requester"),
    ],
)
def test_a_signed_question_altered_or_malformed_is_refused(
    change: dict[str, object], reason: str
) -> None:
    key = Ed25519PrivateKey.generate()
    producers = ProducerKeys({"placement": [key.public_key()]})
    question = KeyRequester("placement", ProducerSigner(key)).signed({"student_id": STUDENT})
    assert verified_signed(question, producers) == (
        "placement",
        {"student_id": STUDENT, "requester": "placement"},
    )
    with pytest.raises(KeyRequestRefusedError, match=reason):
        verified_signed(question | change, producers)
    with pytest.raises(KeyRequestRefusedError, match="JSON object"):
        verified_signed([question], producers)


def test_a_key_copy_kept_twice_by_two_replicas_is_kept_once() -> None:
    store, engine = key_store()
    with engine.begin() as db:
        store.add_copy(db, "c" * 32, KnownKey(STUDENT, KEY, NAME), "recruitment")
        store.add_copy(db, "c" * 32, KnownKey(STUDENT, KEY, NAME), "recruitment")
        rows = db.execute(sa.text("SELECT count(*) FROM subject_keys")).scalar_one()
        found = store.lookup(db, ["c" * 32])
    assert rows == 1
    assert found["c" * 32].data_key == KEY


class InProcessOwner:
    """Recruitment answering key requests in this process, through the real request and
    answer (signed, sealed to the requester); it counts the requests."""

    def __init__(self, store: KeyStore, engine: sa.engine.Engine) -> None:
        self.store, self.engine, self.requests = store, engine, 0
        signing_key = Ed25519PrivateKey.generate()
        self.requester = KeyRequester("placement", ProducerSigner(signing_key))
        self.producers = ProducerKeys({"placement": [signing_key.public_key()]})

    def fetch(self, owner: str, key_ids: list[str]) -> dict[str, KnownKey]:
        assert owner == "recruitment"
        self.requests += 1
        request = verified_request(self.requester.request(key_ids), self.producers)
        with self.engine.begin() as db:
            known = self.store.lookup(db, request.key_ids)
        return self.requester.open_answer(sealed_answer(*request[:2], known))


def test_a_value_kept_sealed_elsewhere_asks_its_owner_for_the_key_once_when_read() -> None:
    recruitment, recruitment_db = key_store()
    with recruitment_db.begin() as db:
        sealed = seal_envelope(registration(), lambda s, new: recruitment.key_for(db, s, new=new))
    owner = InProcessOwner(recruitment, recruitment_db)
    engine = sa.create_engine("sqlite://")
    metadata.create_all(engine)
    placement = KeyStore("placement", MasterKey.generate(), owner)
    kept = {"owner": "recruitment", "event_id": sealed.event_id, "field": "name"}

    def read_name() -> str:
        with engine.begin() as db:
            return open_kept_value(db, placement, sealed.payload["name"], **kept)

    assert (read_name(), read_name(), owner.requests) == ("孙悦", "孙悦", 1)
    with engine.begin() as db:
        assert open_kept_value(db, placement, "孙悦", **kept) == "孙悦"  # kept before sealing
        placement.destroy(db, STUDENT)
    assert (read_name(), owner.requests) == (ERASED, 1)


def test_a_request_with_since_also_gets_the_live_keys_made_since_and_no_destroyed_one() -> None:
    gateway_key = Ed25519PrivateKey.generate()
    producers = ProducerKeys({"gateway": [gateway_key.public_key()]})
    requester = KeyRequester("gateway", ProducerSigner(gateway_key))
    store, engine = key_store()
    with engine.begin() as db:
        asked, _ = store.key_for(db, STUDENT, new=True).of(NAME)
        first = answer_request(db, store, verified_request(requester.request([asked]), producers))
        made = [store.key_for(db, f"student-{n}", new=True).of(NAME)[0] for n in range(3)]
        store.destroy(db, "student-2")
        since = time.time() - 60  # before every key above
        request = verified_request(requester.request([asked], since), producers)
        answer = answer_request(db, store, request)
    assert "made_until" not in first  # a request without since gets what it asked for only
    assert set(requester.open_answer(first)) == {asked}
    assert set(requester.open_answer(answer)) == {asked, made[0], made[1]}
    assert answer["made_until"] >= since
    tampered = requester.request([asked], since) | {"since": "0.000000"}
    with pytest.raises(KeyRequestRefusedError):
        verified_request(tampered, producers)
