"""What ``gravity`` prints is its own: no import-time notices of the libraries behind it, which
an operator's script or the compose stack's tests read the output of (``0 event(s) in
quarantine`` must be the whole answer)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run_python(program: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-W", "default", "-c", program],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin", "GRAVITY_DATA_DIR": str(data_dir)},
    )


def test_the_auditor_commands_load_neither_nameko_nor_eventlet(tmp_path: Path) -> None:
    program = (
        "import sys\nfrom gravity.cli import build_parser\nbuild_parser()\n"
        "print(' '.join(sorted(sys.modules)))"
    )
    loaded = set(run_python(program, tmp_path).stdout.split())
    assert "gravity.broker_users" in loaded
    assert "nameko" not in loaded
    assert "eventlet" not in loaded


def test_a_command_that_loads_the_services_prints_no_eventlet_notice(tmp_path: Path) -> None:
    # The command ends with "no event log" (exit 2); the services' classes, which load nameko
    # and eventlet, are imported after it as `gravity broker-users` does.
    program = (
        "from gravity.cli import main\nmain(['audit', 'quarantine'])\n"
        "from gravity.broker_users import consumed_producers\n"
        "print(consumed_producers('placement'))"
    )
    result = run_python(program, tmp_path)
    assert "recruitment" in result.stdout, result.stderr
    assert "no event log" in result.stderr
    assert "Eventlet is deprecated" not in result.stderr + result.stdout
