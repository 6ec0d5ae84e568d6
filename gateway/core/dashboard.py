"""What a section adds to the dashboard (``gateway.dashboard``): its share of one campaign's
figures and of the programme's history, counts only, read from its own read models with its
own report (``Section.dashboard``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema
from sqlalchemy.engine import Connection

Measure = int | float | frozenset[str]
"""A history measure: a number is summed over campaigns; a set of ids (never answered) is
counted once over the campaigns of a year, and once again over all the years."""


@dataclass(frozen=True)
class Share:
    """One section's part of one campaign's dashboard.

    ``stages``: the season's stages it counts (fields of the dashboard's stages block);
    ``figures``: its own block, answered under the section's name (``None``: no block);
    ``history``: its measures for the programme history (fields of a history year).
    """

    stages: Mapping[str, int] = field(default_factory=dict)
    figures: Mapping[str, Any] | None = None
    history: Mapping[str, Measure] = field(default_factory=dict)


@dataclass(frozen=True)
class Dashboard:
    """How a section reads its share of a campaign (on the dashboard's one connection to the
    read models), and the schema of its block (``None`` when it answers none)."""

    read: Callable[[Connection, str], Share]
    schema: type[Schema] | None = None
