"""A data key per subject and field class: the ID number can be erased before the name and the
phone (docs/privacy.md, "Retention"), while keys made before classes keep opening their values."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.recruitment.domain.student import Student
from shared.contracts import CONTRACTS
from shared.contracts.recruitment.events import SubjectErased
from shared.events.envelope import Envelope
from shared.events.producer_keys import ProducerKeys, ProducerSigner
from shared.privacy.classes import CONTACT, FIELD_CLASSES, IDENTITY, NAME, erased_classes
from shared.privacy.fetching import keys_for
from shared.privacy.key_rows import subject_keys
from shared.privacy.keystore import KeyStore, KnownKey, SubjectErasedError
from shared.privacy.payloads import open_envelope, seal_envelope, sealed_key_ids
from shared.privacy.sealing import ERASED, parse_sealed, seal_value
from shared.privacy.sharing import KeyRequester, answer_request, verified_request
from tests.factories import make_application, make_subject_erased
from tests.unit.test_privacy_sealing import STUDENT, key_store, registration


def sealed_registration(store: KeyStore, db: sa.Connection) -> Envelope:
    return seal_envelope(registration(), lambda s, new: store.key_for(db, s, new=new))


def opened_fields(store: KeyStore, db: sa.Connection, sealed: Envelope) -> tuple[str, ...]:
    payload = open_envelope(sealed, store.lookup(db, sealed_key_ids([sealed]))).payload
    return payload["name"], payload["phone"], payload["id_number"]


def test_a_registration_is_sealed_with_one_key_per_class_of_field() -> None:
    store, engine = key_store()
    with engine.begin() as db:
        sealed = sealed_registration(store, db)
        rows = db.execute(sa.select(subject_keys.c.key_id, subject_keys.c.field_class)).all()
    key_of = {name: parse_sealed(sealed.payload[name]).key_id for name in ("name", "phone")}
    key_of["id_number"] = parse_sealed(sealed.payload["id_number"]).key_id
    assert dict(rows) == {
        key_of["name"]: NAME,
        key_of["phone"]: CONTACT,
        key_of["id_number"]: IDENTITY,
    }


def test_erasing_the_identity_class_erases_the_id_number_alone() -> None:
    store, engine = key_store()
    with engine.begin() as db:
        sealed = sealed_registration(store, db)
        assert store.destroy(db, STUDENT, [IDENTITY]) == 1
        assert store.destroy(db, STUDENT, [IDENTITY]) == 0  # again: nothing more
        assert opened_fields(store, db, sealed) == ("孙悦", "13912345678", ERASED)
        with pytest.raises(SubjectErasedError):
            store.key_for(db, STUDENT).of(IDENTITY)
        store.key_for(db, STUDENT).of(NAME)  # the other classes still seal
        assert store.destroy(db, STUDENT, [CONTACT]) == 1
        assert opened_fields(store, db, sealed) == ("孙悦", ERASED, ERASED)
        assert store.destroy(db, STUDENT) == 1  # the rest: the name
        assert opened_fields(store, db, sealed) == (ERASED,) * 3
        live = db.execute(
            sa.text("SELECT count(*) FROM subject_keys WHERE wrapped_key IS NOT NULL")
        )
        assert live.scalar_one() == 0


def test_a_class_never_held_gets_a_tombstone_so_no_key_of_it_is_made_later() -> None:
    store, engine = key_store()
    with engine.begin() as db:
        store.destroy(db, STUDENT, [IDENTITY])
        with pytest.raises(SubjectErasedError):
            store.key_for(db, STUDENT).of(IDENTITY)
        store.key_for(db, STUDENT).of(CONTACT)


LEGACY_KEY = bytes(range(32))


def sealed_with_one_key(key_id: str, data_key: bytes = LEGACY_KEY) -> Envelope:
    """A registration sealed as before classes existed: one key for every field."""
    plain = registration()
    payload = dict(plain.payload)
    for name in ("name", "phone", "id_number"):
        payload[name] = seal_value(payload[name], data_key, key_id, plain.event_id, name)
    return plain.with_payload(plain.schema_version, payload)


def legacy_registration(store: KeyStore, db: sa.Connection) -> Envelope:
    """A registration sealed before classes existed, with its one key in ``store``."""
    key_id = uuid.uuid4().hex
    store.add(db, STUDENT, key_id, LEGACY_KEY, store.owner, field_class=None)
    return sealed_with_one_key(key_id)


def test_a_key_from_before_classes_still_opens_every_field_until_every_class_is_erased() -> None:
    store, engine = key_store()
    with engine.begin() as db:
        sealed = legacy_registration(store, db)
        assert opened_fields(store, db, sealed) == ("孙悦", "13912345678", "11010519491231002X")
        new_key, _ = store.key_for(db, STUDENT).of(IDENTITY)  # a new value: a key of its class
        assert new_key not in sealed_key_ids([sealed])
        store.destroy(db, STUDENT, [IDENTITY])
        # the old key seals the name too, so it stays until the last class goes
        assert opened_fields(store, db, sealed)[0] == "孙悦"
        store.destroy(db, STUDENT, [CONTACT, NAME])
        assert opened_fields(store, db, sealed) == (ERASED,) * 3


def test_an_owner_answers_each_key_with_its_class_and_the_copy_is_destroyed_with_it() -> None:
    signing_key = Ed25519PrivateKey.generate()
    producers = ProducerKeys({"gateway": [signing_key.public_key()]})
    requester = KeyRequester("gateway", ProducerSigner(signing_key))
    recruitment, recruitment_db = key_store()
    with recruitment_db.begin() as db:
        sealed = sealed_registration(recruitment, db)
        wanted = sorted(sealed_key_ids([sealed]))
        answer = answer_request(
            db, recruitment, verified_request(requester.request(wanted), producers)
        )

    class Owner:
        def fetch(self, owner: str, key_ids: list[str]) -> dict[str, KnownKey]:
            assert (owner, sorted(key_ids)) == ("recruitment", wanted)
            return requester.open_answer(answer)

    gateway, gateway_db = KeyStore("gateway", recruitment.master), sa.create_engine("sqlite://")
    subject_keys.metadata.create_all(gateway_db)
    with gateway_db.begin() as db:
        keys_for(db, gateway, Owner(), [sealed])  # type: ignore[arg-type] # a stand-in owner
        classes = db.execute(sa.select(subject_keys.c.field_class)).scalars().all()
        assert sorted(classes) == sorted(FIELD_CLASSES)
        gateway.destroy(db, STUDENT, [IDENTITY])
        assert opened_fields(gateway, db, sealed) == ("孙悦", "13912345678", ERASED)


def test_an_old_owners_answer_without_a_class_is_a_key_of_every_class() -> None:
    signing_key = Ed25519PrivateKey.generate()
    requester = KeyRequester("gateway", ProducerSigner(signing_key))
    store, engine = key_store()
    with engine.begin() as db:
        legacy_registration(store, db)
        key_id = db.execute(sa.select(subject_keys.c.key_id)).scalar_one()
        producers = ProducerKeys({"gateway": [signing_key.public_key()]})
        answer = answer_request(db, store, verified_request(requester.request([key_id]), producers))
    assert "field_class" not in answer["keys"][key_id]
    assert requester.open_answer(answer)[key_id].field_class is None


def erasure(version: int, **payload: object) -> Envelope:
    return make_subject_erased(STUDENT, STUDENT, version, **({"reason": "request"} | payload))


def test_an_erasure_stored_before_classes_still_erases_every_class() -> None:
    old = erasure(1)
    assert erased_classes(old.payload) == frozenset(FIELD_CLASSES)
    event = CONTRACTS.to_event(old)
    assert isinstance(event, SubjectErased)
    assert sorted(event.field_classes) == sorted(FIELD_CLASSES)
    assert erased_classes(erasure(2, field_classes=[IDENTITY]).payload) == {IDENTITY}


def test_a_student_is_erased_class_by_class_each_class_once() -> None:
    student = Student.register(make_application(student_id=STUDENT, campaign_id="c-1"))
    assert student.erase("retention", [IDENTITY]) == {IDENTITY}
    assert student.erase("asked again", [IDENTITY]) == frozenset()
    assert not student.erased
    assert student.erase("the student's request") == {CONTACT, NAME}
    assert student.erased
    assert student.erase("asked again") == frozenset()
    recorded = [e for e in student.pending_events if isinstance(e, SubjectErased)]
    assert [list(e.field_classes) for e in recorded] == [[IDENTITY], [CONTACT, NAME]]
    replayed = Student.replay(STUDENT, student.pending_events)
    assert replayed.erased_classes == set(FIELD_CLASSES)


def test_copies_kept_together_fall_back_one_by_one_when_a_replica_kept_one_already() -> None:
    store, engine = key_store()
    kept, new = "a" * 32, "b" * 32
    with engine.begin() as db:
        store.add_copy(db, kept, KnownKey(STUDENT, bytes(32), NAME), "recruitment")
        both = {kept: KnownKey(STUDENT, bytes(32), NAME), new: KnownKey(STUDENT, None, IDENTITY)}
        store.add_copies(db, both, "recruitment")
        rows = db.execute(sa.select(subject_keys.c.key_id, subject_keys.c.field_class)).all()
    assert sorted(rows) == [(kept, NAME), (new, IDENTITY)]
