"""A test's look into a component's database: its schema at an older revision, its row counts."""

from __future__ import annotations

from importlib import resources

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from shared.eventstore.database import create_database_engine


def upgrade_to_revision(database_url: str, migrations_package: str, revision: str) -> None:
    """Bring a component's database to one revision of its schema (``upgrade_to_head`` stops
    only at the newest), to write data as an older version did before migrating it."""
    config = Config()
    config.set_main_option("script_location", str(resources.files(migrations_package)))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    engine = create_database_engine(database_url)
    try:
        with engine.connect() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            connection.commit()
    finally:
        engine.dispose()


def count_rows(engine: sa.Engine, table: sa.Table) -> int:
    """How many rows a table holds, as committed."""
    with engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
