"""Test-wide setup. eventlet must patch the standard library before anything else imports it."""

import eventlet

eventlet.monkey_patch()

import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402

import psycopg2  # noqa: E402
import pytest  # noqa: E402

from tests.support.hub_leaks import leaked_listeners  # noqa: E402

POSTGRES_ADMIN_DSN = "dbname=postgres user=postgres host=127.0.0.1 port=5432"


@pytest.fixture(autouse=True)
def _no_green_thread_left_on_a_closed_socket() -> Iterator[None]:
    """Torn down after the test's other fixtures: fails the test that left a green thread
    waiting on a closed socket, which would fail some later test (tests/support/hub_leaks.py)."""
    yield
    leaked = leaked_listeners()
    if leaked:
        where = "\n".join(f"fd {fd}:\n{stack}" for fd, stack in leaked.items())
        pytest.fail(f"green threads left waiting on closed sockets:\n{where}", pytrace=False)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database of its own, dropped afterwards."""
    name = f"gravity_test_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(POSTGRES_ADMIN_DSN)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """A SQLite file of its own under the test's temporary folder."""
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request) -> str:
    """Runs a test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def amqp_uri(rabbit_config) -> str:
    """An AMQP URI on a throw-away vhost (nameko's ``rabbit_config`` makes and deletes it)."""
    return rabbit_config["AMQP_URI"].replace("pyamqp://", "amqp://")
