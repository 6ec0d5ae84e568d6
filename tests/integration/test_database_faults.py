"""A database that goes away: a process waits for it at start instead of exiting, and a
command sent meanwhile answers 503 with Retry-After, never 500 INTERNAL. PostgreSQL behind a
TCP proxy that the test cuts and restores (the machine's PostgreSQL itself is never touched)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from structlog.testing import capture_logs

from gateway.core.process import prepare_databases
from services.recruitment.service import RecruitmentService
from shared.process import migrate_when_reachable, nameko_config
from tests.integration.test_gateway_api import (
    ContainerFactory,
    make_registration,
    make_settings,
    start_gateway,
    wait_for,
)
from tests.integration.test_gateway_api import Stack as GatewayStack
from tests.support.tcp_proxy import TcpProxy

MIGRATIONS = "services.recruitment.migrations"


@pytest.fixture
def proxy() -> TcpProxy:
    proxy = TcpProxy(target_port=5432)
    yield proxy
    proxy.close()


def through(proxy: TcpProxy, postgres_url: str) -> str:
    return postgres_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")


def test_a_process_waits_for_its_database_at_start(proxy: TcpProxy, postgres_url: str) -> None:
    proxy.cut()
    done = threading.Event()
    with capture_logs() as logs:
        migrating = threading.Thread(
            target=lambda: (
                migrate_when_reachable(through(proxy, postgres_url), MIGRATIONS),
                done.set(),
            )
        )
        migrating.start()
        wait_for(
            lambda: [line["event"] for line in logs],
            lambda seen: "process.database_unavailable" in seen,
        )
        assert not done.is_set()
        proxy.restore()
        migrating.join(30)
    assert done.is_set()
    engine = sa.create_engine(postgres_url)
    assert "alembic_version" in sa.inspect(engine).get_table_names()
    engine.dispose()


def test_a_command_while_the_database_is_away_answers_503_then_works_again(
    proxy: TcpProxy,
    postgres_url: str,
    tmp_path: Path,
    amqp_uri: str,
    container_factory: ContainerFactory,
) -> None:
    settings = make_settings(
        tmp_path, amqp_uri, databases={"recruitment": through(proxy, postgres_url)}
    )
    migrate_when_reachable(settings.database_url("recruitment"), MIGRATIONS)
    prepare_databases(settings)
    container_factory(RecruitmentService, nameko_config(settings, "recruitment")).start()
    url = start_gateway(container_factory, settings)
    engine = sa.create_engine(postgres_url)
    stack = GatewayStack(settings, url, engine, engine)
    campaign_id = stack.open_campaign()
    path = f"/api/v1/campaigns/{campaign_id}/registrations"

    proxy.cut()
    refused = stack.call("POST", path, json=make_registration(51))
    assert (refused.status_code, refused.json()["error"]) == (503, "SERVICE_UNAVAILABLE")
    assert "cannot act now" in refused.json()["message"]  # said by the service, not a timeout
    assert refused.headers["Retry-After"]

    proxy.restore()
    registered = wait_for(
        lambda: stack.call("POST", path, json=make_registration(52)),
        lambda answer: answer.status_code != 503,
    )
    assert registered.status_code == 201, registered.text
    engine.dispose()
