"""A production start with a placeholder secret is refused, whichever way the process starts,
before it touches a database or the broker (which these tests point at a closed port)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

GRAVITY = Path(sys.executable).parent / "gravity"


def unsafe_production_environ(data_dir: Path) -> dict[str, str]:
    """Production with the placeholder JWT secret; everything else would be fine."""
    return {
        **os.environ,
        "GRAVITY_ENV": "production",
        "GRAVITY_JWT_SECRET": "changeme",
        "GRAVITY_AMQP_URI": "amqp://gravity:broker-from-the-vault@127.0.0.1:1/",
        "GRAVITY_DATA_DIR": str(data_dir),
    }


def start(command: list[str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        env=unsafe_production_environ(data_dir),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("module", ["services.recruitment", "shared.eventlog", "gateway"])
def test_a_component_refuses_a_production_start_with_a_placeholder_secret(module, tmp_path):
    data_dir = tmp_path / "var"
    finished = start([sys.executable, "-m", module], data_dir)
    assert finished.returncode != 0
    assert "GRAVITY_JWT_SECRET is empty or a placeholder" in finished.stderr
    assert "Traceback" not in finished.stderr
    assert not data_dir.exists(), "a database was created before the refusal"


def test_gravity_up_refuses_a_production_start_before_starting_any_process(tmp_path):
    if not GRAVITY.exists():
        pytest.skip(f"no gravity console script beside {sys.executable}")
    data_dir = tmp_path / "var"
    finished = start([str(GRAVITY), "up", "--data-dir", str(data_dir)], data_dir)
    assert finished.returncode != 0
    assert "GRAVITY_JWT_SECRET is empty or a placeholder" in finished.stderr
    assert "RabbitMQ is not reachable" not in finished.stderr
    assert not data_dir.exists(), "the supervisor started its processes"
