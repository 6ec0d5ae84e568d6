"""A key store from before field classes, migrated (recruitment 0004, SQLite and PostgreSQL):
its one key per student keeps opening every field, new values get keys of their class, and
only erasing the last class destroys the old key (docs/privacy.md, "Keys made before classes")."""

from __future__ import annotations

import sqlalchemy as sa

from shared.eventstore.database import create_database_engine
from shared.migrations import migrate_to, upgrade_to_head
from shared.privacy.classes import CONTACT, IDENTITY, NAME
from shared.privacy.keystore import KeyStore
from shared.privacy.master_key import MasterKey
from shared.privacy.payloads import open_envelope, sealed_key_ids
from tests.unit.test_privacy_field_classes import LEGACY_KEY, sealed_with_one_key

MIGRATIONS = "services.recruitment.migrations"
STUDENT = "7a1c6a55-2f0e-4b55-9b55-1c2f3e4d5a6b"


def test_a_key_from_before_classes_opens_after_the_migration_and_goes_with_the_last_class(
    database_url: str,
) -> None:
    # the key store as it was: no field_class column
    migrate_to(database_url, MIGRATIONS, "0003")
    store = KeyStore("recruitment", MasterKey.generate())
    engine = create_database_engine(database_url)
    try:
        with engine.begin() as db:
            columns = {c["name"] for c in sa.inspect(db).get_columns("subject_keys")}
            assert "field_class" not in columns
            old = store.master.wrap(LEGACY_KEY, STUDENT, "f" * 32)
            db.execute(
                sa.text(
                    "INSERT INTO subject_keys (key_id, subject_id, source, wrapped_key, "
                    "created_at) VALUES (:k, :s, 'recruitment', :w, '2026-06-01T00:00:00Z')"
                ),
                {"k": "f" * 32, "s": STUDENT, "w": old},
            )
        upgrade_to_head(database_url, MIGRATIONS)
        with engine.begin() as db:
            sealed = sealed_with_one_key("f" * 32)
            opened = open_envelope(sealed, store.lookup(db, sealed_key_ids([sealed])))
            assert opened.payload["id_number"] == "11010519491231002X"
            assert store.key_for(db, STUDENT).of(IDENTITY)[0] != "f" * 32
            store.destroy(db, STUDENT, [IDENTITY, CONTACT])
            assert store.lookup(db, ["f" * 32])["f" * 32].data_key is not None
            store.destroy(db, STUDENT, [NAME])
            assert store.lookup(db, ["f" * 32])["f" * 32].data_key is None
    finally:
        engine.dispose()
