"""Fixtures the integration tests share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from shared.eventstore.database import create_database_engine
from shared.migrations import upgrade_to_head

RECRUITMENT_MIGRATIONS = "services.recruitment.migrations"


@pytest.fixture
def recruitment_engine(database_url: str) -> Iterator[sa.Engine]:
    """Recruitment's database at its newest schema, once on SQLite and once on PostgreSQL."""
    upgrade_to_head(database_url, RECRUITMENT_MIGRATIONS)
    engine = create_database_engine(database_url)
    yield engine
    engine.dispose()
