"""schemathesis against the running suite, once per role, with every check: no server error,
no answer outside its schema, no schema-valid request refused, no invalid one accepted.

Bounded for CI: a fixed seed, a few examples per operation, one worker (hypothesis's lambda
cache is not thread-safe), the examples, coverage and fuzzing phases. What JSON Schema cannot
state is adjusted in ``tests/e2e/schemathesis_hooks.py`` (see its docstring).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.e2e.conftest import RunningSuite

ROOT = Path(__file__).resolve().parents[2]
# A body over the gateway's size limit is refused with 413: that is a refusal too.
CONFIG = """
[auth.openapi.bearerAuth]
bearer = "${GRAVITY_TEST_TOKEN}"

[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422",
                     "428", "429", "5xx"]

# Known, owned by the placement domain: ranking a student who did not apply answers 422
# INVALID_RANKING, though who applied is state, not shape (a 409 would say so).
[[operations]]
include-path-regex = "/applicant-ranking$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409",
                                                     "422", "429", "5xx"]

# Accounts: which usernames, passwords, invitations and subjects exist is state, not shape (a
# wrong password 401, an unknown invitation 404, an unknown subject 422 SUBJECT_UNKNOWN, a
# weak password 422 WEAK_PASSWORD; a self-registration's campaign), and sign-in attempts are
# limited (423 after failures in a row, 429 per address and per username).
[[operations]]
include-path-regex = "^/api/v1/(sessions|invitations|accounts)(/|$)|/self-registrations$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "410",
                                                     "422", "423", "429"]

# A consistency proof runs from an older tree to a newer one: from <= to is a rule between two
# query parameters, which JSON Schema cannot state, so a schema-valid from > to answers 422.
[[operations]]
include-path-regex = "/audit/proofs/consistency$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409",
                                                     "422", "429", "5xx"]
"""
SUBJECTS = {
    "operator": "op-schemathesis",
    "host_unit": str(uuid.uuid4()),
    "student": str(uuid.uuid4()),
    "auditor": "auditor-schemathesis",
}


def st_run(suite: RunningSuite, role: str, config: Path) -> subprocess.CompletedProcess[str]:
    """``st run`` from the test's own folder (it keeps a cache where it runs)."""
    environ = {
        **os.environ,
        "GRAVITY_TEST_TOKEN": suite.token(role, SUBJECTS[role]),
        "SCHEMATHESIS_HOOKS": "tests.e2e.schemathesis_hooks",
        "PYTHONPATH": str(ROOT),
    }
    command = [
        str(Path(sys.executable).with_name("st")),
        "--config-file",
        str(config),
        "--no-color",
        "run",
        f"{suite.base_url}/openapi.json",
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        "5",
        "--seed",
        "20261130",
        "--workers",
        "1",
    ]
    return subprocess.run(
        command,
        env=environ,
        capture_output=True,
        text=True,
        timeout=900,  # 1-2 min per role on a quiet machine, 6 under load; bounded all the same
        check=False,
        cwd=config.parent,
    )


@pytest.mark.parametrize("role", list(SUBJECTS))
def test_the_api_keeps_its_contract_for_every_role(suite, tmp_path, role):
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    result = st_run(suite, role, config)
    failures = result.stdout.find("= FAILURES =")
    summary = result.stdout[failures:][:8000] if failures >= 0 else result.stdout[-4000:]
    assert result.returncode == 0, summary
    assert "No issues found" in result.stdout or "passed" in result.stdout, summary
