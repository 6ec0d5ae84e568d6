"""The key store's table (``subject_keys``), its statements, and what one of its rows says: a
key id's subject, data key (None once destroyed) and field class (``shared.privacy.keystore``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from shared.eventstore.driver_sql import DriverInSelect, DriverStatement
from shared.privacy.master_key import MasterKey

metadata = sa.MetaData()

subject_keys = sa.Table(
    "subject_keys",
    metadata,
    sa.Column("key_id", sa.String(32), primary_key=True),
    sa.Column("subject_id", sa.String(120), nullable=False, index=True),
    sa.Column("field_class", sa.String(20), nullable=True),
    sa.Column("source", sa.String(60), nullable=False),
    sa.Column("wrapped_key", sa.Text, nullable=True),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("destroyed_at", sa.String(32), nullable=True),
)

# Built once: SQLAlchemy caches a statement's compiled form, which matters at a few hundred
# registrations a second (bench/encryption.py).
KEYS_OF_SUBJECT = sa.select(subject_keys).where(
    subject_keys.c.subject_id == sa.bindparam("subject")
)
INSERT_KEY = subject_keys.insert()
DRIVER_ROWS_LIMIT = 16
"""Rows per multi-row ``INSERT`` on the driver's cursor (a registration makes three; the
gateway keeps a dozen registrations' keys at once)."""
_DRIVER_INSERTS: dict[tuple[str | None, int], DriverStatement] = {}
_SKIPPING_INSERTS: dict[str, Callable[[sa.Table], Any]] = {
    "sqlite": sqlite.insert,
    "postgresql": postgresql.insert,
}
Executor = Any
"""A SQLAlchemy ``Session`` or ``Connection``: whatever transaction the caller is in."""


class KnownKey:
    """What a key store says of a key id: live (with its key) or destroyed, and the class of
    fields it seals (None: every class, a key made before classes)."""

    def __init__(
        self, subject_id: str, data_key: bytes | None, field_class: str | None = None
    ) -> None:
        self.subject_id = subject_id
        self.data_key = data_key
        self.field_class = field_class
        self._aead: AESGCM | None = None

    def aead(self) -> AESGCM | None:
        """The live key as an ``AESGCM``, made once for every value it opens (None: destroyed).
        It lives as long as this object, as the key itself does."""
        if self._aead is None and self.data_key is not None:
            self._aead = AESGCM(self.data_key)
        return self._aead


def lookup_rows(db: Executor, key_ids: list[str]) -> list[tuple[str, str, str | None, str | None]]:
    """The rows of ``key_ids`` that exist, as ``(key_id, subject_id, field_class,
    wrapped_key)``, on the driver's cursor: through SQLAlchemy's ``execute`` and result rows
    the read was a third of a replay's key work (docs/performance.md, "Sealed entries")."""
    connection = db if isinstance(db, Connection) else db.connection()
    return _LOOKUP.rows(connection, key_ids)


_LOOKUP = DriverInSelect(
    [subject_keys.c[name] for name in ("key_id", "subject_id", "field_class", "wrapped_key")],
    subject_keys.c.key_id,
)


def key_row(  # noqa: PLR0917 - one row's columns
    master: MasterKey,
    subject_id: str,
    key_id: str,
    data_key: bytes | None,
    source: str,
    field_class: str | None,
    now: str,
) -> dict[str, Any]:
    """A key's row: ``data_key`` wrapped by ``master``, or None for a tombstone (destroyed
    ``now``)."""
    wrapped = None if data_key is None else master.wrap(data_key, subject_id, key_id)
    return {
        "key_id": key_id,
        "subject_id": subject_id,
        "field_class": field_class,
        "source": source,
        "wrapped_key": wrapped,
        "created_at": now,
        "destroyed_at": None if data_key is not None else now,
    }


def insert_keys(db: Executor, rows: list[dict[str, Any]], *, skip_kept: bool = False) -> int:
    """Insert key rows (``key_row``) in ``db``'s transaction; how many went in. They go as
    multi-row ``INSERT``s of up to ``DRIVER_ROWS_LIMIT`` rows (a registration's three in one),
    each rendered once and run on the driver's cursor: through SQLAlchemy's ``execute`` the
    statement cost about twice the key store's other work for a registration (docs/privacy.md,
    "Cost"). ``skip_kept``: a row whose key id is there already is left out (``ON CONFLICT DO
    NOTHING``, SQLite and PostgreSQL) instead of failing all."""
    if not rows:
        return 0
    connection = db if isinstance(db, Connection) else db.connection()
    dialect = connection.dialect.name if skip_kept else None
    count = 0
    for start in range(0, len(rows), DRIVER_ROWS_LIMIT):
        chunk = rows[start : start + DRIVER_ROWS_LIMIT]
        parameters = {
            f"{name}_{index}": value
            for index, row in enumerate(chunk)
            for name, value in row.items()
        }
        count += _driver_insert(dialect, len(chunk)).run(connection, parameters).rowcount
    return count


def _driver_insert(dialect: str | None, count: int) -> DriverStatement:
    statement = _DRIVER_INSERTS.get((dialect, count))
    if statement is None:
        statement = _DRIVER_INSERTS[dialect, count] = DriverStatement(
            _insert(dialect).values(
                [
                    {c.name: sa.bindparam(f"{c.name}_{index}") for c in subject_keys.columns}
                    for index in range(count)
                ]
            )
        )
    return statement


def skips_kept(db: Executor) -> bool:
    """Whether ``insert_keys(..., skip_kept=True)`` works on ``db``'s database."""
    connection = db if isinstance(db, Connection) else db.connection()
    return connection.dialect.name in _SKIPPING_INSERTS


def _insert(dialect: str | None) -> Any:
    if dialect is None:
        return INSERT_KEY
    return _SKIPPING_INSERTS[dialect](subject_keys).on_conflict_do_nothing(
        index_elements=[subject_keys.c.key_id]
    )


def inserted(db: Executor, rows: list[dict[str, Any]]) -> bool:
    """Insert key rows in one statement, in a savepoint: False (nothing inserted) when one of
    them is there already."""
    try:
        with db.begin_nested():
            insert_keys(db, rows)
    except IntegrityError:
        return False
    return True
