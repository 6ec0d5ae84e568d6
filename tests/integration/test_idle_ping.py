"""A PostgreSQL connection is pinged before it is handed out only after it has been idle in the
pool (shared/eventstore/database.py, ``_ping_when_idle``): none for one used again at once,
and an idle one the server dropped is replaced without the caller seeing it."""

import pytest
import sqlalchemy as sa

from shared.eventstore import database
from shared.eventstore.database import create_database_engine
from tests.support.database import admin_query, last_statement


@pytest.fixture
def engine(postgres_url):
    engine = create_database_engine(postgres_url)
    yield engine
    engine.dispose()


def backend_of(engine) -> int:
    """A pooled connection's server process, the connection used and put back."""
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()


def test_a_connection_used_again_at_once_is_handed_out_without_a_ping(engine):
    backend = backend_of(engine)
    assert last_statement(backend) == "ROLLBACK"  # the pool's reset as it took it back
    with engine.connect() as connection:
        assert connection.connection.dbapi_connection.get_backend_pid() == backend
        assert last_statement(backend) == "ROLLBACK"


def test_a_connection_idle_past_the_limit_is_pinged_before_it_is_handed_out(engine, monkeypatch):
    backend = backend_of(engine)
    monkeypatch.setattr(database, "IDLE_PING_SECONDS", 0.0)
    with engine.connect() as connection:
        assert connection.connection.dbapi_connection.get_backend_pid() == backend
        assert last_statement(backend) == "SELECT 1"


def test_an_idle_connection_the_server_dropped_is_replaced_unseen(engine, monkeypatch):
    backend = backend_of(engine)
    assert admin_query("SELECT pg_terminate_backend(%s)", backend) is True
    monkeypatch.setattr(database, "IDLE_PING_SECONDS", 0.0)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT 41 + 1").scalar_one() == 42
        assert connection.connection.dbapi_connection.get_backend_pid() != backend


def test_one_dropped_within_the_limit_fails_its_statement_and_is_then_replaced(engine):
    """The trade against a ping at every checkout: a connection dropped in its first moment
    back in the pool fails the statement of whoever takes it (the caller answers 503, a safe
    retry), and the pool hands out a working one after."""
    backend = backend_of(engine)
    assert admin_query("SELECT pg_terminate_backend(%s)", backend) is True
    with engine.connect() as connection, pytest.raises(sa.exc.DBAPIError) as lost:
        connection.exec_driver_sql("SELECT 1")
    assert lost.value.connection_invalidated
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT 1").scalar_one() == 1
