"""The command path beside a peer: recruitment's registration handler in-process against
pyeventsourcing's ``eventsourcing`` doing the same registration, in alternating rounds of
one run (docs/performance.md).

Each side runs in a subprocess of its own on its own SQLite file (WAL, the same
``synchronous``) and is told to register the next ``--commands`` students, one side after
the other, ``--rounds`` times: ours from the working tree (bench/command_path_ours.py),
with ``--baseline REV`` also from REV in a temporary git worktree, and the peer
(bench/command_path_peer.py) in a throw-away venv under /tmp that this bench makes with
``eventsourcing==9.5.6`` (the peer is no dependency of the product). Prints commands/s and
CPU ms per command of each (each process's own CPU, ``time.process_time``) and the ratios.

    .venv/bin/python bench/command_path.py [--rounds 5] [--commands 4000]
                                           [--synchronous NORMAL] [--baseline REV]
                                           [--clients 1 [--group-commit]]

``--clients N``: ours gets its commands from N green threads at once (a service's RPC
workers); with ``--group-commit`` (off in the product, docs/performance.md) commands that arrive
together commit in one transaction. The peer's ``Application.save`` stays one caller.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
import venv
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.suite import SourceTree, source_tree

BENCH = Path(__file__).resolve().parent
PEER = "eventsourcing==9.5.6"
PEER_VENV = Path(tempfile.gettempdir()) / "gravity-bench-eventsourcing-9.5.6"


def peer_python() -> Path:
    """The throw-away venv's python, made (once per machine) with the peer installed."""
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(PEER_VENV)
        subprocess.run([python, "-m", "pip", "install", "-q", PEER], check=True)
    return python


class Side:
    """One side of the comparison: a worker process that registers on request."""

    def __init__(self, label: str, command: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.label = label
        self.process = subprocess.Popen(
            command, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.wall = self.cpu = 0.0
        self.commands = 0
        self._answer()  # ready: migrated, campaign opened

    def _answer(self) -> dict[str, float]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"{self.label}: the worker stopped (its stderr is above)")
        return dict(json.loads(line))

    def register(self, first: int, count: int) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{first} {count}\n")
        self.process.stdin.flush()
        answer = self._answer()
        self.wall += answer["wall"]
        self.cpu += answer["cpu"]
        self.commands += count

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=60)


def ours(
    tree: SourceTree, label: str, database: Path, synchronous: str, clients: int, group: bool
) -> Side:
    script = str(BENCH / "command_path_ours.py")
    grouping = ["group"] if group else []
    return Side(
        label,
        [sys.executable, script, str(database), synchronous, str(clients), *grouping],
        tree.path,
        tree.environ(),
    )


@contextlib.contextmanager
def trees(baseline: str | None) -> Iterator[list[SourceTree]]:
    with contextlib.ExitStack() as stack:
        found = [stack.enter_context(source_tree(baseline))] if baseline else []
        yield [*found, stack.enter_context(source_tree(None))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--commands", type=int, default=4000, help="per round and side")
    parser.add_argument("--synchronous", default="NORMAL", choices=("OFF", "NORMAL", "FULL"))
    parser.add_argument("--baseline", help="also run ours from this git revision")
    parser.add_argument("--clients", type=int, default=1, help="ours: concurrent callers")
    parser.add_argument("--group-commit", action="store_true", help="ours: group commit on")
    options = parser.parse_args()
    python = peer_python()
    with tempfile.TemporaryDirectory() as folder, trees(options.baseline) as sources:
        sides = [
            ours(
                tree,
                ("ours, " if len(sources) > 1 else "ours: ") + tree.label,
                Path(folder) / f"ours-{number}.db",
                options.synchronous,
                options.clients,
                options.group_commit and number == len(sources) - 1,
            )
            for number, tree in enumerate(sources)
        ]
        peer_env = {"PATH": "/usr/bin:/bin"}
        sides.append(
            Side(
                f"peer: {PEER}",
                [
                    str(python),
                    str(BENCH / "command_path_peer.py"),
                    f"{folder}/peer.db",
                    options.synchronous,
                ],
                Path(folder),
                peer_env,
            )
        )
        try:
            for round_number in range(options.rounds):
                order = sides if round_number % 2 == 0 else sides[::-1]
                for side in order:
                    side.register(round_number * options.commands, options.commands)
        finally:
            for side in sides:
                side.close()
    report(sides, options)


def report(sides: list[Side], options: argparse.Namespace) -> None:
    print(
        f"{options.commands * options.rounds} registrations per side, {options.rounds} "
        f"alternating rounds, SQLite WAL synchronous={options.synchronous}, "
        f"ours from {options.clients} caller(s)"
        + (", the working tree's with group commit" if options.group_commit else "")
    )
    width = max(len(side.label) for side in sides) + 2
    print(f"{'side':<{width}}{'commands/s':>12}{'CPU ms/command':>16}")
    for side in sides:
        print(
            f"{side.label:<{width}}{side.commands / side.wall:>12.1f}"
            f"{side.cpu / side.commands * 1000:>16.3f}"
        )
    peer, current = sides[-1], sides[-2]
    print(
        f"ours / peer: throughput {peer.wall / current.wall:.2f}x, "
        f"CPU per command {current.cpu / peer.cpu:.2f}x"
    )
    if len(sides) == 3:
        old = sides[0]
        print(
            f"working tree / baseline: throughput {old.wall / current.wall:.2f}x, "
            f"CPU per command {current.cpu / old.cpu:.2f}x"
        )


if __name__ == "__main__":
    main()
