"""The suite under test, from a source tree: the working tree, or a git revision checked out in
a temporary worktree.

Every process that runs product code (the suite, the request-body generator, the relay
bench) starts with ``PYTHONPATH=<tree>`` and the tree as its working directory, so it imports
that tree's code: ``python -m`` and ``-c`` put the working directory first on sys.path, and
PYTHONPATH comes before the venv's editable install (which points at the main checkout). The
bench's own process imports no product code, so a revision's paths may differ from today's.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import requests

REPO = Path(__file__).resolve().parent.parent
SECRET = "gravity-development-secret-change-me"  # the default config's, pinned for every run
ISSUER = "gravity"
PACKAGES = ("gravity", "gateway", "services", "shared")
FIND = "import importlib.util as u, sys\nfor n in sys.argv[1:]: print(u.find_spec(n).origin)"
BODIES = (
    "import json, sys\nfrom gravity.demo import registrations\n"
    "for body in registrations(int(sys.argv[1]), seed=int(sys.argv[2])): print(json.dumps(body))"
)


@dataclass(frozen=True)
class SourceTree:
    path: Path
    label: str

    def environ(self, **settings: str) -> dict[str, str]:
        # The caller's own GRAVITY_* settings stay out: every run pins its own.
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("GRAVITY_")}
        return {
            **inherited,
            "PYTHONPATH": str(self.path),
            "GRAVITY_ENV": "development",
            "GRAVITY_JWT_SECRET": SECRET,
            "GRAVITY_JWT_ISSUER": ISSUER,
            **settings,
        }

    def python(self, *args: str) -> str:
        """Run the venv's python on this tree's code; its stdout."""
        done = subprocess.run(
            [sys.executable, *args],
            cwd=self.path,
            env=self.environ(),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{self.label}: {args[0]} failed:\n{done.stderr[-2000:]}")
        return done.stdout


def _git(*args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(REPO), *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()


@contextlib.contextmanager
def source_tree(revision: str | None) -> Iterator[SourceTree]:
    """The working tree (None), or ``revision`` in a temporary detached worktree that is
    removed afterwards, also on Ctrl-C or an error."""
    if revision is None:
        changed = _git("status", "--porcelain", "-uno", "--", ".", ":(exclude)bench")
        dirty = " + uncommitted changes" if changed else ""
        yield SourceTree(REPO, f"working tree (HEAD {_git('rev-parse', '--short', 'HEAD')}{dirty})")
        return
    commit = _git("rev-parse", "--verify", f"{revision}^{{commit}}")
    folder = Path(tempfile.mkdtemp(prefix="gravity-bench-"))
    path = folder / commit[:10]
    try:
        _git("worktree", "add", "--detach", str(path), commit)
        tree = SourceTree(path, f"{revision} ({commit[:10]})")
        imported = tree.python("-c", FIND, *PACKAGES).split()
        if any(not Path(origin).is_relative_to(path) for origin in imported):
            raise SystemExit(f"{tree.label}: would not import its own code: {imported}")
        yield tree
    finally:
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "remove", "--force", str(path)],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run(["git", "-C", str(REPO), "worktree", "prune"], check=False)


# How the suite logs while measured: ``quiet`` (warnings and up, readable), or ``production``
# (every info line, in JSON, as docker-compose.yml and deploy/k8s run it).
LOGS = {"quiet": ("warning", "console"), "production": ("info", "json")}


@contextlib.contextmanager
def running_suite(
    tree: SourceTree, amqp_uri: str, data_dir: str, port: int, logs: str = "quiet"
) -> Iterator[subprocess.Popen[bytes]]:
    """``gravity up`` from the tree, ready; stopped afterwards with Ctrl-C (the supervisor
    stops its children in order). Its log (``LOGS[logs]``) goes to <data_dir>/suite.log."""
    level, log_format = LOGS[logs]
    environ = tree.environ(
        GRAVITY_AMQP_URI=amqp_uri,
        GRAVITY_DATA_DIR=data_dir,
        GRAVITY_GATEWAY_PORT=str(port),
        GRAVITY_LOG_LEVEL=level,
        GRAVITY_LOG_FORMAT=log_format,
    )
    log = Path(data_dir) / "suite.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gravity.cli", "up"],
            cwd=tree.path,
            env=environ,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        if not _ready(process, port):
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-25:])
            raise SystemExit(f"{tree.label}: the suite did not become ready; its log ends:\n{tail}")
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _ready(process: subprocess.Popen[bytes], port: int) -> bool:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if requests.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.3)
    return False


def operator_token() -> str:
    """What ``gravity token --role operator`` would print, signed with the pinned secret."""
    now = datetime.now(UTC)
    claims = {"iss": ISSUER, "sub": "bench", "role": "operator", "iat": now}
    return jwt.encode({**claims, "exp": now + timedelta(hours=4)}, SECRET, algorithm="HS256")


def request_bodies(tree: SourceTree, count: int, seed: int) -> list[str]:
    """Registration bodies made by the tree's own demo data, before the clock starts."""
    return tree.python("-c", BODIES, str(count), str(seed)).splitlines()


def relay_rates(tree: SourceTree, amqp_uri: str) -> tuple[float, float] | None:
    """(outbox relay, raw pika) msg/s, from bench/relay.py on the tree's code; None if it
    fails on that tree (the reason goes to stderr)."""
    try:
        output = tree.python(str(REPO / "bench" / "relay.py"), "--amqp-uri", amqp_uri)
        rates = json.loads(output.splitlines()[-1])  # the last line: any log lines come first
    except (RuntimeError, ValueError, IndexError) as error:
        print(error, file=sys.stderr)
        return None
    return float(rates["relay"]), float(rates["raw_pika"])
