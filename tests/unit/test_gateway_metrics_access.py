"""Who may scrape the gateway's /metrics (``gateway.core.metrics.check_scraper``)."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.core.errors import ApiError
from gateway.core.metrics import check_scraper
from shared.config import Settings, load_settings

TOKEN = "a-long-random-metrics-token"


def make_settings(environment: str, **metrics: Any) -> Settings:
    return load_settings(environ={}, overrides={"environment": environment, "metrics": metrics})


def refused(settings: Settings, authorization: str | None) -> bool:
    """True when the scrape is refused, which is always 401 UNAUTHENTICATED."""
    try:
        check_scraper(settings, authorization)
    except ApiError as error:
        return error.code == "UNAUTHENTICATED"
    return False


def test_development_without_a_token_is_open() -> None:
    assert not refused(make_settings("development"), None)


def test_production_without_a_token_is_closed_to_everyone() -> None:
    settings = make_settings("production")
    assert refused(settings, None)
    assert refused(settings, "Bearer ")
    assert refused(settings, "Bearer anything")


@pytest.mark.parametrize("environment", ["development", "production"])
def test_with_a_token_only_its_bearer_may_scrape(environment: str) -> None:
    settings = make_settings(environment, token=TOKEN)
    assert not refused(settings, f"Bearer {TOKEN}")
    for offered in (None, TOKEN, f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer "):
        assert refused(settings, offered), offered


def test_the_token_comes_from_gravity_metrics_token() -> None:
    settings = load_settings(environ={"GRAVITY_METRICS_TOKEN": TOKEN})
    assert settings.metrics["token"] == TOKEN
    assert not refused(settings, f"Bearer {TOKEN}")
