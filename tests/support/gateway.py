"""The gateway as the suite runs it: its HTTP container and the read models' projector."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gateway.core.process import gateway_config
from gateway.projector.service import ProjectorService
from gateway.service import GatewayService
from shared.config import Settings


def start_gateway_and_projector(container_factory: Callable[..., Any], settings: Settings) -> None:
    """Start both, as ``gravity up`` does (two processes there, two containers here): the
    gateway alone serves requests but never brings its read models up to date."""
    container_factory(GatewayService, gateway_config(settings)).start()
    container_factory(ProjectorService, gateway_config(settings)).start()
