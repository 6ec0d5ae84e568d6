"""How the dashboard puts the sections' shares together, on SQLite and on PostgreSQL, with
made-up sections: counts add up, sets of ids are counted once per year and once over the
years, and every figure of a document is as of its ``as_of_position``."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gateway.core.dashboard import Dashboard, Share
from gateway.core.tables import PROJECTION, checkpoint, metadata
from gateway.dashboard.queries import DashboardReads, Shares
from gateway.recruitment.tables import campaigns
from shared.eventstore.database import create_database_engine

ZERO = dict.fromkeys(("placed", "host_units", "positions", "practice_hours"), 0)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    made = create_database_engine(database_url)
    metadata.create_all(made)
    with made.begin() as connection:
        connection.execute(sa.insert(checkpoint).values(projection=PROJECTION, position=41))
    yield made
    made.dispose()


def add_campaign(engine: Engine, campaign_id: str, year: int) -> None:
    stamp = f"{year}-06-01T00:00:00.000000Z"
    with engine.begin() as connection:
        connection.execute(
            sa.insert(campaigns).values(
                campaign_id=campaign_id,
                name=f"Summer {year}",
                year=year,
                season="summer",
                registration_opens_at=stamp,
                registration_closes_at=stamp,
                scope="district",
                practice_content="practice",
                status="closed",
                created_at=stamp,
                updated_at=stamp,
            )
        )


def section(read: Callable[[Connection, str], Share]) -> Dashboard:
    return Dashboard(read)


REGISTERED = {"c1": 3, "c2": 2, "c3": 5}
VOLUNTEERS = {"c1": {"a", "b"}, "c2": {"b", "c"}, "c3": {"d"}}


def recruiting(_connection: Connection, campaign_id: str) -> Share:
    registered = REGISTERED[campaign_id]
    return Share(
        stages={"registered": registered},
        figures={"registered": registered},
        history={"registered": registered, "volunteers": frozenset({"a"})},
    )


def volunteering(_connection: Connection, campaign_id: str) -> Share:
    return Share(
        history={
            "volunteers": frozenset(VOLUNTEERS[campaign_id]),
            "volunteer_hours": 1.25,
            "hours": 1.25,
        }
    )


SHARES: Shares = (("recruiting", section(recruiting)), ("volunteering", section(volunteering)))


def test_counts_add_up_and_ids_count_once_per_year_and_over_the_years(engine: Engine) -> None:
    add_campaign(engine, "c1", 2023)
    add_campaign(engine, "c2", 2023)
    add_campaign(engine, "c3", 2024)
    history = DashboardReads(engine).history(SHARES)
    hours = {"volunteer_hours": 2.5, "hours": 2.5}
    assert history["years"] == [
        {"year": 2023, "campaigns": 2, "registered": 5, "volunteers": 3} | ZERO | hours,
        {"year": 2024, "campaigns": 1, "registered": 5, "volunteers": 2}
        | ZERO
        | {"volunteer_hours": 1.25, "hours": 1.25},
    ]
    assert history["totals"] == {"campaigns": 3, "registered": 10, "volunteers": 4} | ZERO | {
        "volunteer_hours": 3.75,
        "hours": 3.75,
    }
    assert history["as_of_position"] == 41


def test_no_campaign_makes_an_empty_history(engine: Engine) -> None:
    history = DashboardReads(engine).history(SHARES)
    assert history["years"] == []
    assert history["totals"]["campaigns"] == history["totals"]["volunteers"] == 0


def test_a_campaign_dashboard_has_every_stage_and_a_block_per_share_with_figures(
    engine: Engine,
) -> None:
    add_campaign(engine, "c1", 2023)
    dashboard = DashboardReads(engine).campaign(SHARES, "c1")
    assert dashboard is not None
    assert dashboard["stages"] == {
        "registered": 3,
        "approved": 0,
        "placed": 0,
        "started": 0,
        "completed": 0,
        "host_units": 0,
        "positions": 0,
    }
    assert dashboard["recruiting"] == {"registered": 3}
    assert "volunteering" not in dashboard  # its share has no block
    assert dashboard["campaign"]["year"] == 2023
    assert DashboardReads(engine).campaign(SHARES, "c9") is None


def test_a_count_and_a_set_of_ids_under_one_name_are_refused(engine: Engine) -> None:
    add_campaign(engine, "c1", 2023)

    def counting_volunteers(_connection: Connection, _campaign_id: str) -> Share:
        return Share(history={"volunteers": 2})

    clashing: Shares = (*SHARES, ("clash", section(counting_volunteers)))
    with pytest.raises(TypeError, match="volunteers"):
        DashboardReads(engine).history(clashing)


def test_on_postgresql_a_document_is_read_as_of_one_position(postgres_url: str) -> None:
    """A write committed while the shares are being read shows in no figure of the document,
    nor in its ``as_of_position``."""
    engine = create_database_engine(postgres_url)
    try:
        metadata.create_all(engine)
        with engine.begin() as connection:
            connection.execute(sa.insert(checkpoint).values(projection=PROJECTION, position=41))
        add_campaign(engine, "c1", 2023)

        def writing_meanwhile(connection: Connection, campaign_id: str) -> Share:
            with engine.begin() as other:
                other.execute(sa.update(checkpoint).values(position=42))
            add_campaign(engine, "c2", 2023)
            seen = connection.execute(sa.select(sa.func.count()).select_from(campaigns))
            return Share(stages={"registered": int(seen.scalar_one())})

        read = DashboardReads(engine).campaign((("w", section(writing_meanwhile)),), "c1")
        assert read is not None
        assert (read["stages"]["registered"], read["as_of_position"]) == (1, 41)
    finally:
        engine.dispose()
