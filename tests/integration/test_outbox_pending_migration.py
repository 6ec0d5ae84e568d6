"""An outbox from before "the outbox holds what is pending", migrated (recruitment 0006, the
same step in every service and the gateway; SQLite and PostgreSQL): the marks of published
events go, the pending ones stay for the relay; a downgrade gives the old columns back with
every mark left pending."""

from __future__ import annotations

import sqlalchemy as sa

from shared.eventstore.database import create_database_engine
from shared.eventstore.store import envelope_to_row
from shared.eventstore.tables import events
from shared.migrations import migrate_to, upgrade_to_head
from tests.factories import make_alliance_joined

MIGRATIONS = "services.recruitment.migrations"


def _append(db: sa.Connection, number: int) -> int:
    row = envelope_to_row(make_alliance_joined(number, stream_id="student-s"))
    return int(db.execute(events.insert().values(row).returning(events.c.seq)).scalar_one())


def _outbox(db: sa.Connection) -> tuple[list[str], list[tuple[object, ...]]]:
    columns = [c["name"] for c in sa.inspect(db).get_columns("outbox")]
    rows = [tuple(row) for row in db.execute(sa.text("SELECT * FROM outbox ORDER BY seq"))]
    return columns, rows


def test_published_marks_go_and_pending_ones_stay_across_the_migration_and_back(
    database_url: str,
) -> None:
    migrate_to(database_url, MIGRATIONS, "0005")
    engine = create_database_engine(database_url)
    try:
        with engine.begin() as db:
            seqs = [_append(db, number) for number in (1, 2, 3)]
            mark = sa.text("INSERT INTO outbox (seq, published_at) VALUES (:seq, :at)")
            db.execute(mark, {"seq": seqs[0], "at": "2026-07-01T08:00:00.000000Z"})
            db.execute(mark, {"seq": seqs[1], "at": None})
            db.execute(mark, {"seq": seqs[2], "at": "2026-07-01T08:00:01.000000Z"})

        upgrade_to_head(database_url, MIGRATIONS)
        with engine.begin() as db:
            assert _outbox(db) == (["seq"], [(seqs[1],)])
            indexes = {index["name"] for index in sa.inspect(db).get_indexes("outbox")}
            assert "ix_outbox_pending" not in indexes
            assert db.execute(sa.text("SELECT count(*) FROM events")).scalar_one() == 3

        migrate_to(database_url, MIGRATIONS, "0005", downgrade=True)
        with engine.begin() as db:
            assert _outbox(db) == (["seq", "published_at"], [(seqs[1], None)])
            indexes = {index["name"] for index in sa.inspect(db).get_indexes("outbox")}
            assert "ix_outbox_pending" in indexes
    finally:
        engine.dispose()
