"""The command path beside a peer: recruitment's registration handler in-process against
pyeventsourcing's ``eventsourcing`` doing the same registration, in alternating rounds of
one run (docs/performance.md).

Each side runs in a subprocess of its own on its own database and is told to register the
next ``--commands`` students, one side after the other, ``--rounds`` times: ours from the
working tree (bench/command_path_ours.py), with ``--baseline REV`` also from REV in a
temporary git worktree, and the peer (bench/command_path_peer.py) in a throw-away venv under
/tmp that this bench makes with ``eventsourcing==9.5.6`` (the peer is no dependency of the
product). Prints commands/s and CPU ms per command of each worker process (from
/proc/<pid>/stat, around each round) and the ratios.

``--database sqlite`` (the default): a SQLite file per side, WAL, the same ``synchronous``.
``--database postgresql``: a throw-away database per side on the machine's PostgreSQL
(127.0.0.1:5432, trust), dropped afterwards even on failure; ours through psycopg2 as the
product, the peer through ``eventsourcing.postgres`` with psycopg 3 (pinned below, installed
into the peer's venv only); both on the server's own settings (``synchronous_commit`` as
configured there). It also prints the CPU of the PostgreSQL backends serving each side's
database (found in ``pg_stat_activity``, read from /proc) per command, apart from the
worker's.

    .venv/bin/python bench/command_path.py [--database sqlite|postgresql] [--rounds 5]
                                           [--commands 4000] [--synchronous NORMAL]
                                           [--baseline REV] [--clients 1 [--group-commit]]
                                           [--peer-clients 1] [--profile DIR]

``--pages`` (SQLite): instead of timing, one round per side with the write-ahead log's automatic
checkpoints off, then the pages a registration's commit writes, by table and index: each
worker keeps a copy of its write-ahead log (``GRAVITY_BENCH_KEEP_WAL``), whose frames this
bench counts and names from SQLite's ``dbstat`` (docs/performance.md, "Fewer pages per
registration").

``--clients N``: ours gets its commands from N green threads at once (a service's RPC
workers); with ``--group-commit`` (recruitment's own setting on SQLite, docs/performance.md)
commands that arrive together commit in one transaction; without, each commits alone.
``--peer-clients N``: the peer's from N threads sharing its
application (default one caller). ``--profile DIR``: the working tree's side runs with
bench/profiled's sampler, on over all its timed rounds (DIR/command_path_ours-<pid>.txt).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import signal
import sqlite3
import struct
import subprocess
import sys
import tempfile
import venv
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.suite import SourceTree, source_tree
from bench.support import POSTGRES, process_seconds, throwaway_databases

BENCH = Path(__file__).resolve().parent
PEER = "eventsourcing==9.5.6"
# eventsourcing 9.5.6's "postgres" extra asks for psycopg[pool]>=3.2; pinned here.
PSYCOPG = "3.3.9"
PEER_POSTGRES = (f"psycopg[binary,pool]=={PSYCOPG}", "psycopg-pool==3.3.3")
PEER_VENV = Path(tempfile.gettempdir()) / "gravity-bench-eventsourcing-9.5.6"


def peer_python(postgres: bool = False) -> Path:
    """The throw-away venv's python, made (once per machine) with the peer installed, and
    psycopg 3 too when the peer is to run on PostgreSQL."""
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(PEER_VENV)
        subprocess.run([python, "-m", "pip", "install", "-q", PEER], check=True)
    if not postgres:
        return python
    pinned = f"import psycopg, psycopg_pool; assert psycopg.__version__ == {PSYCOPG!r}"
    if subprocess.run([python, "-c", pinned], check=False, capture_output=True).returncode:
        subprocess.run([python, "-m", "pip", "install", "-q", *PEER_POSTGRES], check=True)
    return python


class Backends:
    """CPU of the PostgreSQL server processes serving one database (``pg_stat_activity``).
    The workers keep their pooled connections, so the processes seen after a round were
    there before it; one that started meanwhile counts whole, one that ended is missed."""

    def __init__(self, admin: sa.Engine, database: str) -> None:
        self.admin, self.database = admin, database

    def read(self) -> dict[int, float]:
        with self.admin.connect() as connection:
            pids = connection.execute(
                sa.text("SELECT pid FROM pg_stat_activity WHERE datname = :name"),
                {"name": self.database},
            ).scalars()
            seconds = {}
            for pid in pids:
                with contextlib.suppress(OSError):
                    seconds[int(pid)] = process_seconds(int(pid))
        return seconds


class Side:
    """One side of the comparison: a worker process that registers on request."""

    def __init__(
        self,
        label: str,
        command: list[str],
        cwd: Path,
        env: dict[str, str],
        backends: Backends | None = None,
    ) -> None:
        self.label = label
        self.process = subprocess.Popen(
            command, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.backends = backends
        self.wall = self.cpu = self.server = 0.0
        self.commands = 0
        self.rounds: list[tuple[float, float]] = []  # (wall, CPU) seconds of each round
        self._answer()  # ready: migrated, campaign opened

    def _answer(self) -> dict[str, float]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"{self.label}: the worker stopped (its stderr is above)")
        return dict(json.loads(line))

    def register(self, first: int, count: int) -> None:
        assert self.process.stdin is not None
        server = self.backends.read() if self.backends else {}
        cpu = process_seconds(self.process.pid)
        self.process.stdin.write(f"{first} {count}\n")
        self.process.stdin.flush()
        answer = self._answer()
        cpu = process_seconds(self.process.pid) - cpu
        self.cpu += cpu
        self.rounds.append((answer["wall"], cpu))
        if self.backends:
            after = self.backends.read()
            self.server += sum(seconds - server.get(pid, 0.0) for pid, seconds in after.items())
        self.wall += answer["wall"]
        self.commands += count

    def profile(self) -> None:
        """Starts, or stops and writes, bench/profiled's sampler in the worker."""
        os.kill(self.process.pid, signal.SIGUSR1)

    def close(self, finished: bool) -> None:
        """Ends the worker: at its end of input once the rounds are done, at once otherwise
        (it may be in the middle of a round)."""
        if not finished:
            self.process.terminate()
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=60)


@contextlib.contextmanager
def databases(options: argparse.Namespace, count: int) -> Iterator[list[str]]:
    """Each side's database: a SQLite file in a temporary folder, or a throw-away PostgreSQL
    database's name."""
    if options.database == "postgresql":
        with throwaway_databases(count, "gravity_bench_command_path") as names:
            yield names
        return
    with tempfile.TemporaryDirectory() as folder:
        yield [f"{folder}/side-{number}.db" for number in range(count)]


@contextlib.contextmanager
def trees(baseline: str | None) -> Iterator[list[SourceTree]]:
    with contextlib.ExitStack() as stack:
        found = [stack.enter_context(source_tree(baseline))] if baseline else []
        yield [*found, stack.enter_context(source_tree(None))]


def start_sides(
    options: argparse.Namespace,
    sources: list[SourceTree],
    names: list[str],
    admin: sa.Engine,
    sides: list[Side],
) -> None:
    """Starts ours from each tree, then the peer, into ``sides`` (so that whatever started
    is stopped again if a later one fails)."""
    postgres = options.database == "postgresql"
    for number, tree in enumerate(sources):
        current = number == len(sources) - 1
        env = tree.environ() | _keep_wal(options, names[number])
        if options.profile and current:
            env |= {
                "PYTHONPATH": f"{BENCH / 'profiled'}:{tree.path}",
                "GRAVITY_BENCH_PROFILE_DIR": str(Path(options.profile).resolve()),
            }
        database = f"{POSTGRES}/{names[number]}" if postgres else names[number]
        sides.append(
            Side(
                ("ours, " if len(sources) > 1 else "ours: ") + tree.label,
                [
                    sys.executable,
                    str(BENCH / "command_path_ours.py"),
                    database,
                    options.synchronous,
                    str(options.clients),
                    *(["group"] if options.group_commit and current else []),
                ],
                tree.path,
                env,
                Backends(admin, names[number]) if postgres else None,
            )
        )
    peer = names[-1]
    sides.append(
        Side(
            f"peer: {PEER}",
            [
                str(peer_python(postgres)),
                str(BENCH / "command_path_peer.py"),
                f"postgresql://postgres@127.0.0.1:5432/{peer}" if postgres else peer,
                options.synchronous,
                str(options.peer_clients),
            ],
            Path(tempfile.gettempdir()),
            {"PATH": "/usr/bin:/bin"} | _keep_wal(options, peer),
            Backends(admin, peer) if postgres else None,
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--commands", type=int, default=4000, help="per round and side")
    parser.add_argument("--synchronous", default="NORMAL", choices=("OFF", "NORMAL", "FULL"))
    parser.add_argument("--baseline", help="also run ours from this git revision")
    parser.add_argument("--clients", type=int, default=1, help="ours: concurrent callers")
    parser.add_argument("--group-commit", action="store_true", help="ours: group commit on")
    parser.add_argument("--peer-clients", type=int, default=1, help="the peer's callers")
    parser.add_argument("--profile", help="sample the working tree's side into this folder")
    parser.add_argument(
        "--pages", action="store_true", help="count the pages each commit writes (SQLite)"
    )
    options = parser.parse_args()
    if options.pages:
        if options.database != "sqlite":
            parser.error("--pages counts SQLite's write-ahead log frames: --database sqlite")
        options.rounds = 1
    if options.profile:
        Path(options.profile).mkdir(parents=True, exist_ok=True)
    # A SIGTERM unwinds like Ctrl-C, so that the throw-away databases are dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    admin = sa.create_engine(f"{POSTGRES}/postgres")
    with trees(options.baseline) as sources, databases(options, len(sources) + 1) as names:
        sides: list[Side] = []
        finished = False
        try:
            start_sides(options, sources, names, admin, sides)
            current = sides[-2]
            for round_number in range(options.rounds):
                order = sides if round_number % 2 == 0 else sides[::-1]
                if options.profile and round_number == 0:
                    current.profile()
                for side in order:
                    side.register(round_number * options.commands, options.commands)
            if options.profile:
                current.profile()
            finished = True
        finally:
            for side in sides:
                side.close(finished)
            admin.dispose()
        if options.pages:
            report_pages(sides, names)
            return
    report(sides, options)


def _keep_wal(options: argparse.Namespace, database: str) -> dict[str, str]:
    """The worker's environment for ``--pages``: where to copy its write-ahead log."""
    return {"GRAVITY_BENCH_KEEP_WAL": f"{database}.kept-wal"} if options.pages else {}


WAL_HEADER, FRAME_HEADER, PAGE = 32, 24, 4096


def wal_pages(wal: Path, database: str) -> tuple[int, collections.Counter[str]]:
    """The commits in a write-ahead log and the pages its frames wrote, by table or index
    (named from ``dbstat`` of the database the log belongs to, page numbers being stable)."""
    data = wal.read_bytes()
    pages, commits = [], 0
    for offset in range(WAL_HEADER, len(data) - FRAME_HEADER + 1, FRAME_HEADER + PAGE):
        page, size_after_commit = struct.unpack(">II", data[offset : offset + 8])
        pages.append(page)
        commits += size_after_commit != 0  # a commit's last frame holds the database's size
    connection = sqlite3.connect(database)
    try:
        names = dict(connection.execute("SELECT pageno, name FROM dbstat"))
    finally:
        connection.close()
    return commits, collections.Counter(names.get(page, "(freed)") for page in pages)


def report_pages(sides: list[Side], names: list[str]) -> None:
    print("pages a commit writes to the write-ahead log, automatic checkpoints off")
    for side, database in zip(sides, names, strict=True):
        commits, by_name = wal_pages(Path(f"{database}.kept-wal"), database)
        print(f"{side.label}: {sum(by_name.values()) / commits:.2f} over {commits} commits")
        for name, count in by_name.most_common():
            print(f"  {name:<40}{count / commits:>6.2f}")


def report(sides: list[Side], options: argparse.Namespace) -> None:
    postgres = options.database == "postgresql"
    where = "PostgreSQL" if postgres else f"SQLite WAL synchronous={options.synchronous}"
    print(
        f"{options.commands * options.rounds} registrations per side, {options.rounds} "
        f"alternating rounds, {where}, ours from {options.clients} caller(s)"
        + (", the working tree's with group commit" if options.group_commit else "")
        + f", the peer from {options.peer_clients}"
    )
    width = max(len(side.label) for side in sides) + 2
    server = f"{'server CPU ms/command':>23}" if postgres else ""
    print(f"{'side':<{width}}{'commands/s':>12}{'CPU ms/command':>16}{server}")
    for side in sides:
        backends = f"{side.server / side.commands * 1000:>23.3f}" if postgres else ""
        print(
            f"{side.label:<{width}}{side.commands / side.wall:>12.1f}"
            f"{side.cpu / side.commands * 1000:>16.3f}{backends}"
        )
    if postgres:
        print("(server CPU: the PostgreSQL backends serving that side's database, not in its own)")
    peer, current = sides[-1], sides[-2]
    print(
        f"ours / peer: throughput {peer.wall / current.wall:.2f}x, "
        f"CPU per command {current.cpu / peer.cpu:.2f}x"
        + (f", server CPU per command {current.server / peer.server:.2f}x" if postgres else "")
    )
    if options.rounds > 1:
        by_round(current, peer, "ours / peer")
    if len(sides) == 3:
        old = sides[0]
        print(
            f"working tree / baseline: throughput {old.wall / current.wall:.2f}x, "
            f"CPU per command {current.cpu / old.cpu:.2f}x"
            + (f", server CPU per command {current.server / old.server:.2f}x" if postgres else "")
        )
        if options.rounds > 1:
            by_round(current, old, "working tree / baseline")


def by_round(side: Side, other: Side, label: str) -> None:
    """The ratios of each round (the same commands, one side right after the other), so that
    the spread behind the totals shows."""
    pairs = list(zip(side.rounds, other.rounds, strict=True))
    throughput = " ".join(f"{theirs[0] / ours[0]:.2f}" for ours, theirs in pairs)
    cpu = " ".join(f"{ours[1] / theirs[1]:.2f}" for ours, theirs in pairs)
    print(f"{label} by round: throughput {throughput}; CPU per command {cpu}")


if __name__ == "__main__":
    main()
