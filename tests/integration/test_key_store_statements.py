"""The key store's statements on SQLite and PostgreSQL: a registration's three data keys go in
as one multi-row INSERT on the driver's cursor, through the unit of work's own connection (no
ORM session made for it), each key its own random 32 bytes, wrapped on its own row, so that a
class is destroyed alone; a key kept twice is still refused, and many rows at once still go in."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from shared.domain import CommandContext
from shared.eventstore.tables import events
from shared.eventstore.uow import UnitOfWork
from shared.privacy import keystore
from shared.privacy.classes import CONTACT, FIELD_CLASSES, IDENTITY, NAME
from shared.privacy.key_rows import DRIVER_ROWS_LIMIT, subject_keys
from shared.privacy.keystore import KeyStore, KnownKey
from shared.privacy.master_key import MasterKey
from shared.privacy.payloads import open_envelope, sealed_key_ids
from tests.unit.test_privacy_sealing import STUDENT, registration

CONTEXT = CommandContext(actor="operator:test", correlation_id="corr-test")


class CountedSessions(sessionmaker[Session]):
    """A session factory that counts the ORM sessions made through it."""

    made = 0

    def __call__(self, **local_kw: Any) -> Session:
        type(self).made += 1
        return super().__call__(**local_kw)


def key_rows(engine: sa.Engine) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(sa.select(subject_keys).order_by(subject_keys.c.key_id)))


def test_a_registration_is_sealed_through_the_unit_of_works_connection_alone(recruitment_engine):
    store = KeyStore("recruitment", MasterKey.generate())
    sessions = CountedSessions(recruitment_engine)
    CountedSessions.made = 0
    with UnitOfWork(sessions, "recruitment", CONTEXT, keys=store) as uow:
        uow.store.append(f"student-{STUDENT}", 0, uow._sealed([registration()]))
        uow.commit()
    assert CountedSessions.made == 0
    with recruitment_engine.connect() as connection:
        payload = connection.execute(sa.select(events.c.payload)).scalar_one()
    assert "孙悦" not in str(payload)
    rows = key_rows(recruitment_engine)
    assert sorted(row.field_class for row in rows) == sorted(FIELD_CLASSES)


def test_a_subjects_three_keys_go_in_one_statement_each_its_own(recruitment_engine):
    store = KeyStore("recruitment", MasterKey.generate())
    with recruitment_engine.begin() as connection:
        made = store.key_for(connection, STUDENT, new=True).of_classes(FIELD_CLASSES)
    ids = {key_id for key_id, _ in made.values()}
    keys = {data_key for _, data_key in made.values()}
    assert len(ids) == len(keys) == 3
    assert all(len(key) == 32 for key in keys)
    assert all(len(key_id) == 32 and int(key_id, 16) >= 0 for key_id in ids)
    rows = key_rows(recruitment_engine)
    assert {row.key_id: row.field_class for row in rows} == {
        key_id: kind for kind, (key_id, _) in made.items()
    }
    for row in rows:
        assert store.master.unwrap(row.wrapped_key, STUDENT, row.key_id) == made[row.field_class][1]


def test_keys_made_through_an_orm_session_commit_with_it(recruitment_engine):
    store = KeyStore("recruitment", MasterKey.generate())
    with Session(recruitment_engine) as session, session.begin():
        store.key_for(session, STUDENT, new=True).of_classes([IDENTITY, CONTACT])
    assert sorted(row.field_class for row in key_rows(recruitment_engine)) == [CONTACT, IDENTITY]


def test_a_sealed_registration_opens_after_its_identity_key_alone_is_destroyed(recruitment_engine):
    store = KeyStore("recruitment", MasterKey.generate())
    sessions = sessionmaker(recruitment_engine)
    with UnitOfWork(sessions, "recruitment", CONTEXT, keys=store) as uow:
        sealed = uow._sealed([registration()])[0]
        uow.store.append(f"student-{STUDENT}", 0, [sealed])
        uow.commit()
    with recruitment_engine.begin() as connection:
        store.destroy(connection, STUDENT, [IDENTITY])
    with recruitment_engine.connect() as connection:
        cold = KeyStore("recruitment", store.master)
        opened = open_envelope(sealed, cold.lookup(connection, sealed_key_ids([sealed])))
    assert (opened.payload["name"], opened.payload["phone"], opened.payload["id_number"]) == (
        "孙悦",
        "13912345678",
        "[erased]",
    )


def test_a_key_kept_twice_is_refused_and_many_copies_still_go_in(recruitment_engine):
    store = KeyStore("gateway", MasterKey.generate())
    many = {
        uuid.uuid4().hex: KnownKey(STUDENT, bytes(32), NAME) for _ in range(DRIVER_ROWS_LIMIT + 4)
    }
    kept = next(iter(many))
    with recruitment_engine.begin() as connection:
        store.add_copy(connection, kept, many[kept], "recruitment")
        store.add_copies(connection, many, "recruitment")  # one kept: falls back one by one
    assert len(key_rows(recruitment_engine)) == len(many)
    few = {uuid.uuid4().hex: KnownKey(STUDENT, None, IDENTITY) for _ in range(2)}
    with Session(recruitment_engine) as session, session.begin():  # as placement keeps a copy
        store.add_copies(session, few | {kept: many[kept]}, "recruitment")
    assert len(key_rows(recruitment_engine)) == len(many) + 2


def test_a_copy_kept_already_stays_as_it_is_when_an_answer_brings_it_again(recruitment_engine):
    store = KeyStore("gateway", MasterKey.generate())
    kept, new = uuid.uuid4().hex, uuid.uuid4().hex
    with recruitment_engine.begin() as connection:
        store.add_copy(connection, kept, KnownKey(STUDENT, None, NAME), "recruitment")
    answer = {kept: KnownKey(STUDENT, bytes(32), NAME), new: KnownKey(STUDENT, bytes(32), NAME)}
    with recruitment_engine.begin() as connection:
        store.add_copies(connection, answer, "recruitment")
    rows = {row.key_id: row.wrapped_key for row in key_rows(recruitment_engine)}
    assert rows[kept] is None
    assert rows[new] is not None
    with recruitment_engine.connect() as connection:
        assert store.lookup(connection, [kept])[kept].data_key is None


def test_copies_kept_in_one_go_are_found_by_the_next_lookup_without_reading_them(
    recruitment_engine, monkeypatch
):
    store = KeyStore("gateway", MasterKey.generate())
    answer = {uuid.uuid4().hex: KnownKey(STUDENT, bytes(32), NAME) for _ in range(20)}
    with recruitment_engine.begin() as connection:
        assert store.add_copies_to_remember(connection, answer, "recruitment")
    store.remember(answer)
    statements: list[str] = []
    sa.event.listen(recruitment_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    # The lookup reads on the driver's cursor, which SQLAlchemy's events do not see.
    read: list[list[str]] = []
    lookup_rows = keystore.lookup_rows
    monkeypatch.setattr(
        keystore, "lookup_rows", lambda db, ids: read.append(ids) or lookup_rows(db, ids)
    )
    with recruitment_engine.connect() as connection:
        found = store.lookup(connection, answer)
        cold = KeyStore("gateway", store.master).lookup(connection, answer)
    assert {key_id: known.data_key for key_id, known in found.items()} == dict.fromkeys(
        answer, bytes(32)
    )
    assert not [sql for sql in statements if "subject_keys" in sql]
    assert read == [sorted(answer)]  # the cold store's lookup alone read them
    assert {key_id: known.data_key for key_id, known in cold.items()} == dict.fromkeys(
        answer, bytes(32)
    )
    with recruitment_engine.begin() as connection:
        store.destroy(connection, STUDENT)
    with recruitment_engine.connect() as connection:
        assert all(k.data_key is None for k in store.lookup(connection, answer).values())


def test_an_answer_bringing_a_copy_kept_already_is_not_to_be_remembered(recruitment_engine):
    store = KeyStore("gateway", MasterKey.generate())
    kept = uuid.uuid4().hex
    with recruitment_engine.begin() as connection:
        store.add_copy(connection, kept, KnownKey(STUDENT, None, NAME), "recruitment")
    answer = {kept: KnownKey(STUDENT, bytes(32), NAME), uuid.uuid4().hex: KnownKey(STUDENT, None)}
    with recruitment_engine.begin() as connection:
        assert not store.add_copies_to_remember(connection, answer, "recruitment")
    with recruitment_engine.connect() as connection:
        assert store.lookup(connection, [kept])[kept].data_key is None


def test_a_copy_kept_in_a_transaction_that_rolls_back_is_not_remembered(recruitment_engine):
    store = KeyStore("placement", MasterKey.generate())
    key_id = uuid.uuid4().hex
    with recruitment_engine.connect() as connection:
        store.add_copy(connection, key_id, KnownKey(STUDENT, bytes(32), NAME), "recruitment")
        connection.rollback()
        assert store.lookup(connection, [key_id]) == {}
