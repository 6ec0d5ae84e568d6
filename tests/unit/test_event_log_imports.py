"""A verify worker process imports only what walking the chain needs: it starts in a fresh
interpreter (multiprocessing's spawn) for every large verify, and the contracts and screening
behind the appender took 1.7-2.9 s of its start on a busy machine."""

from __future__ import annotations

import subprocess
import sys

import pytest

import shared.eventlog


def loaded_after(statement: str) -> set[str]:
    program = f"import sys\n{statement}\nprint(' '.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=120
    )
    return set(result.stdout.split())


def test_a_verify_worker_loads_no_contracts_and_no_appender() -> None:
    loaded = loaded_after("import shared.eventlog.parallel")
    assert "shared.eventlog.walk" in loaded
    assert "shared.contracts" not in loaded
    assert "shared.eventlog.appender" not in loaded
    assert "shared.eventlog.screening" not in loaded


def test_the_packages_names_are_still_there_when_asked_for() -> None:
    loaded = loaded_after("from shared.eventlog import EventLogAppender, verify_chain")
    assert "shared.eventlog.appender" in loaded
    assert shared.eventlog.verify_chain.__module__ == "shared.eventlog.verify"
    assert shared.eventlog.EventLogReader.__name__ == "EventLogReader"
    with pytest.raises(AttributeError, match="no_such_name"):
        shared.eventlog.no_such_name  # noqa: B018 - the attribute access is the test
