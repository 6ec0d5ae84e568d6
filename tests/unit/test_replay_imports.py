"""``gravity audit replay`` imports the read models alone, not the gateway's HTTP side: the
sections' routes, PDF layout and fonts were 135 MB of a million-event replay's 162 MB peak."""

from __future__ import annotations

import subprocess
import sys

from gateway.core.tables import metadata
from gateway.readmodels import READ_MODELS
from gateway.sections import SECTIONS


def loaded_after(statement: str) -> set[str]:
    program = f"import sys\n{statement}\nprint(' '.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", program],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return set(result.stdout.split())


REPLAY_OF_EMPTY_STORES = """
import argparse, sys, tempfile
from pathlib import Path
from shared.config import load_settings
from shared.migrations import upgrade_to_head
from gravity.audit_replay import replay_command
with tempfile.TemporaryDirectory() as name:
    folder = Path(name)
    urls = {part: f"sqlite:///{folder / part}.db" for part in ("gateway", "eventlog")}
    upgrade_to_head(urls["gateway"], "gateway.migrations")
    upgrade_to_head(urls["eventlog"], "shared.eventlog.migrations")
    settings = load_settings(environ={}, overrides={"data_dir": name, "databases": urls})
    args = argparse.Namespace(until=None, out=None, target=None, quiet=True)
    assert replay_command(args, settings) == 0
"""


def test_a_replay_loads_the_projections_and_no_routes_or_documents() -> None:
    loaded = loaded_after(REPLAY_OF_EMPTY_STORES)
    assert "gateway.recruitment.projection" in loaded
    assert "gateway.sections" not in loaded
    assert "gateway.core.bootstrap" not in loaded
    assert not {name for name in loaded if name.endswith((".routes", ".endpoints"))}
    assert not {name for name in loaded if name.startswith(("gateway.documents", "fontTools"))}


def test_the_gateway_migrations_put_every_table_on_the_metadata() -> None:
    loaded = loaded_after(
        "import runpy, shared.migrations\n"
        "from gateway.core.tables import metadata\n"
        "shared.migrations.run_env = lambda _metadata: None\n"
        "runpy.run_module('gateway.migrations.env')\n"
        "print(' '.join('table:' + name for name in metadata.tables))"
    )
    tables = {name.removeprefix("table:") for name in loaded if name.startswith("table:")}
    assert tables == set(metadata.tables)
    assert "gateway.sections" not in loaded


def test_the_read_models_are_every_sections_projection_and_tables() -> None:
    projected = {
        section.name: (dict(section.projection), section.tables)
        for section in SECTIONS
        if section.projection or section.tables
    }
    replayed = {model.name: (dict(model.projection), model.tables) for model in READ_MODELS}
    assert replayed == projected
    assert [m.personal_columns for m in READ_MODELS] == [
        s.personal_columns for s in SECTIONS if s.name in replayed
    ]
