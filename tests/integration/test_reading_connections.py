"""Work that needs no transaction around it (one statement, or reads of rows that never
change) takes one round trip on PostgreSQL (``autocommitted``: no ``BEGIN``, ``ROLLBACK`` or
``COMMIT`` around it), and the pool never hands such a connection on in autocommit; placement
keeps a registered name in one statement, on SQLite and PostgreSQL; the gateway's
Idempotency-Key steps, a signed-in request's session check and the read models' queries are
one statement each."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from gateway.accounts.sessions import SessionStore
from gateway.core.idempotency import IdempotencyStore, StoredAnswer
from gateway.core.tokens import Principal
from gateway.recruitment.queries import RecruitmentReads
from services.placement.adapters.registered_names import note_name
from services.placement.adapters.tables import registered_names
from shared.eventstore.database import autocommitted, create_database_engine
from shared.migrations import upgrade_to_head
from tests.support.database import admin_query, last_statement


@pytest.fixture
def postgres_engine(postgres_url):
    engine = create_database_engine(postgres_url)
    yield engine
    engine.dispose()


@pytest.fixture
def either_engine(database_url):
    """An engine on SQLite, then on PostgreSQL, with a table of notes."""
    engine = create_database_engine(database_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE notes (text VARCHAR(20))")
    yield engine
    engine.dispose()


def test_a_read_on_postgresql_is_one_statement_with_no_rollback_after_it(postgres_engine):
    with autocommitted(postgres_engine) as connection:
        backend = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        assert not connection.connection.dbapi_connection.get_transaction_status()  # idle
    # Taken back by the pool, the connection ran nothing after the read: no ROLLBACK.
    assert last_statement(backend) == "SELECT pg_backend_pid()"


def test_the_pool_hands_the_connection_on_with_transactions_again(postgres_engine):
    with postgres_engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE notes (text VARCHAR(20))")
    with autocommitted(postgres_engine) as connection:
        reader = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    with postgres_engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one() == reader
        connection.exec_driver_sql("INSERT INTO notes VALUES ('not kept')")
        connection.rollback()  # in autocommit this would have been kept
    with postgres_engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM notes").scalar_one() == 0


def test_a_read_reads_what_was_committed_on_either_database(either_engine):
    with either_engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO notes VALUES ('kept')")
    with autocommitted(either_engine) as connection:
        assert connection.exec_driver_sql("SELECT text FROM notes").scalars().all() == ["kept"]


def test_a_name_noted_again_replaces_the_one_before_on_either_database(database_url):
    upgrade_to_head(database_url, "services.placement.migrations")
    engine = create_database_engine(database_url)
    try:
        with engine.begin() as connection:
            note_name(connection, "s-1", "Li Lei", None)
            note_name(connection, "s-2", "Han Meimei", "e-2")
        with engine.begin() as connection:
            note_name(connection, "s-1", "sealed text", "e-3")
        with engine.connect() as connection:
            rows = connection.execute(sa.select(registered_names).order_by("student_id")).all()
        assert [tuple(row) for row in rows] == [
            ("s-1", "sealed text", "e-3"),
            ("s-2", "Han Meimei", "e-2"),
        ]
    finally:
        engine.dispose()


def test_a_failed_read_leaves_the_pool_a_connection_with_transactions(postgres_engine):
    with pytest.raises(sa.exc.ProgrammingError), autocommitted(postgres_engine) as connection:
        connection.exec_driver_sql("SELECT * FROM no_such_table")
    with postgres_engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE notes (text VARCHAR(20))")
    with postgres_engine.connect() as connection:
        connection.exec_driver_sql("INSERT INTO notes VALUES ('not kept')")
        assert connection.connection.dbapi_connection.autocommit is False
        connection.rollback()
    with autocommitted(postgres_engine) as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM notes").scalar_one() == 0


def test_a_single_write_is_kept_on_either_database(either_engine):
    with autocommitted(either_engine) as connection:
        connection.exec_driver_sql("INSERT INTO notes VALUES ('kept')")
        connection.commit()
    either_engine.dispose()  # a new connection: nothing left to see in the one that wrote
    with either_engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT text FROM notes").scalars().all() == ["kept"]


def test_a_single_write_on_postgresql_is_one_statement_with_no_commit_after_it(
    postgres_engine,
):
    with postgres_engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE notes (text VARCHAR(20))")
    with autocommitted(postgres_engine) as connection:
        backend = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        connection.exec_driver_sql("INSERT INTO notes VALUES ('kept')")
        connection.commit()
    assert last_statement(backend) == "INSERT INTO notes VALUES ('kept')"


def test_an_idempotency_keys_claim_and_answer_are_one_statement_each_on_postgresql(
    postgres_url, postgres_engine
):
    upgrade_to_head(postgres_url, "gateway.migrations")
    store = IdempotencyStore(postgres_engine, "secret", wait_seconds=1)
    database = sa.engine.make_url(postgres_url).database

    def transaction_statements() -> set[str]:
        """What this database's connections ran last, of BEGIN, COMMIT and ROLLBACK."""
        found = admin_query(
            "SELECT array_agg(query) FROM pg_stat_activity WHERE datname = %s", database
        )
        return set(found or ()) & {"BEGIN", "COMMIT", "ROLLBACK"}

    assert store.claim("op-1", "k-1", "request-1") is None
    assert transaction_statements() == set()
    store.record("op-1", "k-1", 201, {"student_id": "s-1"})
    assert transaction_statements() == set()
    # The retry's insert is refused (the key is taken), its connection still good: the answer.
    assert store.claim("op-1", "k-1", "request-1") == StoredAnswer(201, {"student_id": "s-1"})
    assert transaction_statements() == set()
    store.release("op-1", "k-1")
    assert store.claim("op-1", "k-1", "request-1") is None  # released: the key is free again


def test_a_session_check_and_a_read_model_query_are_one_statement_each_on_postgresql(
    postgres_url, postgres_engine
):
    upgrade_to_head(postgres_url, "gateway.migrations")
    database = sa.engine.make_url(postgres_url).database
    account = {"account_id": "a-1", "role": "student", "subject": "s-1"}
    session, _token = SessionStore(postgres_engine).open(
        account, datetime.now(UTC) + timedelta(hours=1)
    )

    def last_statements() -> set[str]:
        found = admin_query(
            "SELECT array_agg(query) FROM pg_stat_activity WHERE datname = %s", database
        )
        return set(found or ())

    signed_in = Principal("s-1", "student", session["session_id"])
    assert SessionStore(postgres_engine).is_open(signed_in)
    assert not last_statements() & {"BEGIN", "COMMIT", "ROLLBACK"}
    assert not SessionStore(postgres_engine).is_open(Principal("s-2", "student", "no-such"))
    assert RecruitmentReads(postgres_engine).get_student("no-such-student") is None
    assert not last_statements() & {"BEGIN", "COMMIT", "ROLLBACK"}
