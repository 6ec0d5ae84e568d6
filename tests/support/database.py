"""A test's look into a component's database: its row counts, and on PostgreSQL what the
server last ran for a connection."""

from __future__ import annotations

import psycopg2
import sqlalchemy as sa

from tests.conftest import POSTGRES_ADMIN_DSN


def count_rows(engine: sa.Engine, table: sa.Table) -> int:
    """How many rows a table holds, as committed."""
    with engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def admin_query(sql: str, *parameters: object) -> object:
    """The first value ``sql`` answers on PostgreSQL's admin database, in autocommit."""
    admin = psycopg2.connect(POSTGRES_ADMIN_DSN)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(sql, parameters)
            return cursor.fetchone()[0]
    finally:
        admin.close()


def last_statement(backend: int) -> object:
    """What PostgreSQL last ran on the connection of that server process
    (``pg_stat_activity``): which statements a piece of code sends, and which not."""
    return admin_query("SELECT query FROM pg_stat_activity WHERE pid = %s", backend)
