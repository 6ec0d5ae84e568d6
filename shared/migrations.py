"""Alembic, driven from code: each component keeps its own ``migrations`` package."""

from __future__ import annotations

from importlib import resources

import sqlalchemy as sa
from alembic import command, context
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from shared.eventstore.database import create_database_engine


def upgrade_to_head(database_url: str, migrations_package: str) -> None:
    """Bring a component's database to its newest schema (idempotent)."""
    migrate_to(database_url, migrations_package, "head")


def _config(migrations_package: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files(migrations_package)))
    return config


def at_head(database_url: str, migrations_package: str) -> bool:
    """Whether a component's database has its newest schema (read only: nothing is made)."""
    heads = set(ScriptDirectory.from_config(_config(migrations_package)).get_heads())
    engine = create_database_engine(database_url)
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()
    return current == heads


def migrate_to(
    database_url: str, migrations_package: str, revision: str, *, downgrade: bool = False
) -> None:
    """Bring a component's database up (or with ``downgrade`` down) to ``revision`` of its
    schema: "head" in production; an older one in tests and benches that write data as an
    older version did before migrating it."""
    config = _config(migrations_package)
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    engine = create_database_engine(database_url)
    try:
        with engine.connect() as connection:
            config.attributes["connection"] = connection
            (command.downgrade if downgrade else command.upgrade)(config, revision)
            connection.commit()
    finally:
        engine.dispose()


def run_env(target_metadata: sa.MetaData) -> None:
    """The body of every component's ``env.py`` (online mode only: we always have a URL)."""
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
