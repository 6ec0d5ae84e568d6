"""The registrations index from before recruitment 0005, migrated (SQLite and PostgreSQL): its
rows stay and keep refusing a second registration of the same number, keyed and legacy alike;
on SQLite the table is one B-tree (``WITHOUT ROWID``), and the student id is no longer an index
of its own; a downgrade gives the old shape back with the same rows."""

from __future__ import annotations

import sqlalchemy as sa

from services.recruitment.adapters.indexes import _CLAIM
from shared.eventstore.database import create_database_engine
from shared.migrations import migrate_to, upgrade_to_head

MIGRATIONS = "services.recruitment.migrations"
CAMPAIGN = "5b0c3a0e-4b7e-4c39-9d2a-6f1f3f6a2b11"
ROWS = [
    {
        "campaign_id": CAMPAIGN,
        "resident_id_digest": "a" * 64,
        "student_id": "s-1",
        "scheme": "hmac-sha256",
    },
    {
        "campaign_id": CAMPAIGN,
        "resident_id_digest": "b" * 64,
        "student_id": "s-2",
        "scheme": "sha256",
    },
]


def _rows(db: sa.Connection) -> list[tuple[str, ...]]:
    return [
        tuple(row)
        for row in db.execute(
            sa.text(
                "SELECT campaign_id, resident_id_digest, student_id, digest_scheme "
                "FROM registrations ORDER BY resident_id_digest"
            )
        )
    ]


def _unique_columns(db: sa.Connection) -> list[list[str]]:
    inspector = sa.inspect(db)
    found = [list(c["column_names"]) for c in inspector.get_unique_constraints("registrations")]
    for index in inspector.get_indexes("registrations"):
        if index["unique"]:
            found.append([str(name) for name in index["column_names"]])
    return found


def _claim(db: sa.Connection, digest: str, legacy: str, student: str) -> int:
    parameters = {
        "campaign_id": CAMPAIGN,
        "digest": digest,
        "legacy_digest": legacy,
        "student_id": student,
    }
    return int(_CLAIM.run(db, parameters).rowcount)


def test_the_index_keeps_its_rows_and_its_rule_across_the_migration_and_back(
    database_url: str,
) -> None:
    migrate_to(database_url, MIGRATIONS, "0004")
    engine = create_database_engine(database_url)
    try:
        with engine.begin() as db:
            for row in ROWS:
                db.execute(
                    sa.text(
                        "INSERT INTO registrations (campaign_id, resident_id_digest, student_id, "
                        "digest_scheme) VALUES (:campaign_id, :resident_id_digest, :student_id, "
                        ":scheme)"
                    ),
                    row,
                )
            before = _rows(db)
            assert ["student_id"] in _unique_columns(db)

        upgrade_to_head(database_url, MIGRATIONS)
        with engine.begin() as db:
            assert _rows(db) == before
            assert ["student_id"] not in _unique_columns(db)
            if engine.dialect.name == "sqlite":
                sql = db.execute(
                    sa.text("SELECT sql FROM sqlite_schema WHERE name = 'registrations'")
                ).scalar_one()
                assert "WITHOUT ROWID" in sql
            # a new number is claimed; the keyed and the legacy row both still refuse theirs
            assert _claim(db, "c" * 64, "d" * 64, "s-3") == 1
            assert _claim(db, "e" * 64, "b" * 64, "s-4") == 0  # the legacy row holds it
        with engine.connect() as db, db.begin():
            try:
                _claim(db, "a" * 64, "f" * 64, "s-5")
            except sa.exc.IntegrityError:
                pass
            else:
                raise AssertionError("a second claim of a keyed digest went in")

        migrate_to(database_url, MIGRATIONS, "0004", downgrade=True)
        with engine.begin() as db:
            assert ["student_id"] in _unique_columns(db)
            assert [row[2] for row in _rows(db)] == ["s-1", "s-2", "s-3"]
    finally:
        engine.dispose()
