"""Registrations through the gateway with N concurrent clients: the rate, the latency, the lag
behind them, and the CPU one registration costs in each process.

Starts the suite (``gravity up``) on a throw-away vhost and data dir, registers students for
a fixed time, then prints throughput, request latency, how long each event took to reach the
event log and the gateway's read model, and the CPU that each process of the suite, the
machine's RabbitMQ and the load generator spent per registration (bench/cpu.py). Then the
outbox relay's publish rate beside a raw pika loop (bench/relay.py).

With ``--baseline REV`` the same benchmark runs on REV (in a temporary git worktree) and on
the working tree or on ``--against REV2`` in ``--rounds`` pairs of rounds, the first side
alternating (old-new, new-old, ...), each round on a fresh suite: each pair's ratios new/old
and their geometric means, then each side's rounds added up and their ratios. (The side
measured second came out 5-17% cheaper in every process alike on these machines: one pair
cannot tell a change of that size.)

With ``--profile DIR`` the working tree (or ``--against``) runs once with a sampling profiler
in every process of the suite (bench/profiled/sitecustomize.py), switched on right before the
timed load and off right after it; each process writes ``DIR/<module>-<pid>.txt``: each
function's share of the process's CPU samples. The sampler costs a little CPU itself, so
compare that run's figures with care.

With ``--sealing-baseline`` the baseline is the same tree with sealing of personal fields
switched off (bench/unsealed/sitecustomize.py, a bench-only switch: no data key is made,
nothing is sealed, so nothing is shared or opened either), in ``--rounds`` alternating pairs
as above (docs/privacy.md, "Cost"). The relay's rate is left out of those rounds.

With ``--logs production`` the suite logs as docker compose and Kubernetes run it: every info
line, in JSON (into a file); by default (``quiet``) only warnings and up, so that the figures
are the work's, not its log's.

With ``--database postgresql`` every component of the suite keeps its data in a throw-away
PostgreSQL database on 127.0.0.1:5432 (bench/postgres_suite.py), dropped afterwards.

    .venv/bin/python bench/registrations.py [--clients 16] [--seconds 20]
                                            [--database sqlite|postgresql]
                                            [--baseline REV | --sealing-baseline] [--rounds 2]
                                            [--against REV2] [--profile DIR]
                                            [--logs quiet|production]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import signal
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from statistics import geometric_mean

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import postgres_suite
from bench.cpu import (
    CpuMeter,
    Usage,
    cpu_table,
    descendants,
    ms_without_broker,
    per_registration_ms,
)
from bench.load import (
    ReadModelObserver,
    drive,
    event_log_lags,
    open_campaign,
    sqlite_visible,
)
from bench.suite import (
    LOGS,
    SourceTree,
    operator_token,
    relay_rates,
    request_bodies,
    running_suite,
    source_tree,
)
from bench.support import free_port, percentile, throwaway_vhost

MS = 1000.0
UNSEALED = Path(__file__).resolve().parent / "unsealed"
PROFILED = Path(__file__).resolve().parent / "profiled"
BODIES_PER_SECOND = 2000  # made beforehand; two cores have done about 300/s


@dataclass(frozen=True)
class Run:
    """One benchmark of one source tree."""

    label: str
    clients: int
    latencies: list[float]
    errors: Counter[int]
    log_lags: list[float]
    model_lags: list[float]
    cpu: Usage
    relay: tuple[float, float] | None  # (outbox relay, raw pika) msg/s
    ran_out: bool
    data_keys: int  # made by recruitment: three per registration sealed (a key per class)
    database_cpu: float | None = None  # PostgreSQL's server processes (None: SQLite files)
    model_polls: int = 0  # the read-model observer's reads of the gateway's table
    relay_measured: bool = True  # False: not asked for (profiled and sealing rounds)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.cpu.wall


class UnsealedTree(SourceTree):
    """A tree whose processes start with sealing switched off (bench/unsealed)."""

    def environ(self, **settings: str) -> dict[str, str]:
        environ = super().environ(**settings)
        return environ | {"PYTHONPATH": f"{UNSEALED}{os.pathsep}{environ['PYTHONPATH']}"}


@dataclass(frozen=True)
class ProfiledTree(SourceTree):
    """A tree whose processes can be profiled (bench/profiled): SIGUSR1 starts, then stops."""

    folder: str = ""

    def environ(self, **settings: str) -> dict[str, str]:
        environ = super().environ(**settings)
        path = f"{PROFILED}{os.pathsep}{environ['PYTHONPATH']}"
        return environ | {"PYTHONPATH": path, "GRAVITY_BENCH_PROFILE_DIR": self.folder}


@dataclass(frozen=True)
class ProfiledPostgresTree(ProfiledTree, postgres_suite.PostgresTree):
    """A profiled tree whose suite keeps its data in PostgreSQL (``--profile`` with
    ``--database postgresql``)."""


def switch_profilers(tree: SourceTree, suite_pid: int) -> None:
    """Starts (or stops and writes) the profiler of every process of a profiled suite."""
    if isinstance(tree, ProfiledTree):
        for pid in [suite_pid, *descendants(suite_pid)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGUSR1)


def data_keys_made(data_dir: str) -> int:
    with sqlite3.connect(Path(data_dir) / "recruitment.db") as connection:
        return int(connection.execute("SELECT count(*) FROM subject_keys").fetchone()[0])


def measure(
    tree: SourceTree,
    clients: int,
    seconds: float,
    seed: int,
    *,
    relay: bool = True,
    database: str = "sqlite",
    logs: str = "quiet",
) -> Run:
    bodies = request_bodies(tree, int(seconds * BODIES_PER_SECOND) + 1000, seed)
    with contextlib.ExitStack() as stack:
        amqp_uri = stack.enter_context(throwaway_vhost("gravity-bench"))
        data_dir = stack.enter_context(tempfile.TemporaryDirectory())
        urls: dict[str, str] = {}
        if database == "postgresql":
            urls = stack.enter_context(postgres_suite.throwaway_databases())
            label = f"{tree.label} on PostgreSQL"
            if isinstance(tree, ProfiledTree):
                tree = ProfiledPostgresTree(
                    tree.path, label, folder=tree.folder, urls=tuple(urls.items())
                )
            else:
                tree = postgres_suite.PostgresTree(tree.path, label, tuple(urls.items()))
        port = free_port()
        with running_suite(tree, amqp_uri, data_dir, port, logs) as suite:
            base = f"http://127.0.0.1:{port}/api/v1"
            headers = {"Authorization": f"Bearer {operator_token()}"}
            campaign_id = open_campaign(base, headers)
            if urls:
                observer = ReadModelObserver(postgres_suite.visible_in(urls["gateway"]))
            else:
                observer = ReadModelObserver(sqlite_visible(f"{data_dir}/gateway.db"))
            observer.start()
            meter = CpuMeter(suite.pid)
            server = postgres_suite.ServerCpu(urls) if urls else None
            server_before = server.read() if server else {}
            switch_profilers(tree, suite.pid)
            before = meter.read()
            latencies, errors = drive(
                base, headers, campaign_id, iter(bodies), clients, seconds, observer
            )
            usage = meter.usage(before, meter.read())
            database_cpu = server.spent(server_before, server.read()) if server else None
            switch_profilers(tree, suite.pid)
            observer.samples.put(None)
            observer.join(30)
            time.sleep(2)  # let the log take in the last requests before reading its lags
            if urls:
                log_lags = postgres_suite.event_log_lags(urls["eventlog"])
                data_keys = postgres_suite.data_keys_made(urls["recruitment"])
            else:
                log_lags = event_log_lags(data_dir)
                data_keys = data_keys_made(data_dir)
        rates = relay_rates(tree, amqp_uri) if relay else None
    ran_out = len(latencies) + sum(errors.values()) >= len(bodies)
    return Run(
        tree.label,
        clients,
        latencies,
        errors,
        log_lags,
        observer.lags,
        usage,
        rates,
        ran_out,
        data_keys,
        database_cpu,
        observer.polls,
        relay,
    )


def added_up(runs: list[Run]) -> Run:
    """One side's rounds as one run: counts, CPU seconds and wall time added, samples pooled."""
    usages = [run.cpu for run in runs]
    labels = list(dict.fromkeys(label for usage in usages for label in usage.seconds))
    usage = Usage(
        {label: sum(u.seconds.get(label, 0.0) for u in usages) for label in labels},
        sorted({label for u in usages for label in u.exited}),
        sum(u.wall for u in usages),
        rest=sum(u.rest for u in usages),
        stolen=sum(u.stolen for u in usages),
        busiest_other=max((u.busiest_other for u in usages), key=lambda other: other[1]),
    )
    first = runs[0]
    return dataclasses.replace(
        first,
        label=f"{first.label}, {len(runs)} rounds",
        latencies=[latency for run in runs for latency in run.latencies],
        errors=sum((run.errors for run in runs), Counter()),
        log_lags=[lag for run in runs for lag in run.log_lags],
        model_lags=[lag for run in runs for lag in run.model_lags],
        cpu=usage,
        ran_out=any(run.ran_out for run in runs),
        data_keys=sum(run.data_keys for run in runs),
        model_polls=sum(run.model_polls for run in runs),
    )


def alternating_rounds(
    old: SourceTree, new: SourceTree, args: argparse.Namespace, seed: int, *, relay: bool
) -> tuple[Run, Run]:
    """``old`` and ``new`` in ``args.rounds`` pairs of rounds, the first side alternating
    (old-new, new-old, ...), each round on a fresh suite: on these machines the side measured
    second came out 5-17% cheaper in every process alike, so a single pair cannot tell a
    change of that size. Prints each pair's ratios new/old and their geometric means; each
    side's rounds added up are returned for the report. The relay's rate, when asked for, is
    measured in the first pair only."""
    sides: dict[str, list[Run]] = {"old": [], "new": []}
    order = (("old", old), ("new", new))
    for number in range(1, args.rounds + 1):
        for side, tree in order if number % 2 else order[::-1]:
            run = measure(
                tree,
                args.clients,
                args.seconds,
                seed,
                relay=relay and number == 1,
                database=args.database,
                logs=args.logs,
            )
            cpu = per_registration_ms(run.cpu, len(run.latencies))["total"]
            print(
                f"pair {number}, {side} ({tree.label}): {run.rate:.1f} registrations/s,"
                f" {cpu:.2f} CPU ms each, request p99 {percentile(run.latencies, 0.99) * MS:.1f}"
                f" ms, read model p99 {percentile(run.model_lags, 0.99) * MS:.0f} ms,"
                f" other work {run.cpu.rest:.1f} CPU s",
                flush=True,
            )
            sides[side].append(run)
    pairs = list(zip(sides["old"], sides["new"], strict=True))
    figures: dict[str, Callable[[Run], float]] = {
        "throughput": lambda run: run.rate,
        "CPU per registration": lambda run: per_registration_ms(run.cpu, len(run.latencies))[
            "total"
        ],
        "request p99": lambda run: percentile(run.latencies, 0.99),
        "read model p99": lambda run: percentile(run.model_lags, 0.99),
    }
    for name, figure in figures.items():
        ratios = [figure(after) / figure(before) for before, after in pairs]
        print(
            f"new/old {name} by pair: {' '.join(f'{r:.2f}' for r in ratios)};"
            f" geometric mean {geometric_mean(ratios):.2f}"
        )
    return added_up(sides["old"]), added_up(sides["new"])


def sealing_rounds(args: argparse.Namespace, seed: int) -> tuple[Run, Run]:
    """Sealing off and on in alternating pairs of rounds on one tree (``alternating_rounds``);
    refuses a side that did not take."""
    with source_tree(args.against) as tree:
        unsealed = UnsealedTree(tree.path, f"{tree.label} with sealing off (bench only)")
        off, on = alternating_rounds(unsealed, tree, args, seed, relay=False)
    if off.data_keys or not on.data_keys:
        raise SystemExit("sealing did not take on one side: keys made with it off, or none on")
    return off, on


def report(run: Run, side: str) -> None:
    errors = sum(run.errors.values())
    print(f"\n== {side}{run.label} ==")
    print(
        f"registrations: {len(run.latencies)} in {run.cpu.wall:.1f} s with {run.clients} clients"
        f", {errors} errors{f' {dict(run.errors)}' if errors else ''}"
        f" ({'SQLite' if run.database_cpu is None else 'PostgreSQL'}, one process per component,"
        f" {os.cpu_count()} cores)"
    )
    if run.ran_out:
        print("  the bodies made beforehand ran out: raise BODIES_PER_SECOND")
    print(f"{'figure':<44}{'measured':>12}{'target':>12}")

    def line(name: str, value: float, target: str = "", note: str = "") -> None:
        digits = 0 if "/s" in name else 1  # rates in whole numbers
        print(f"{name:<44}{value:>12.{digits}f}{target:>12}{note}".rstrip())

    line("throughput (registrations/s, wall clock)", run.rate, ">= 200")
    line("request latency p50 (ms)", percentile(run.latencies, 0.5) * MS)
    line("request latency p99 (ms)", percentile(run.latencies, 0.99) * MS, "<= 150")
    line("commit -> event log lag p99 (ms)", percentile(run.log_lags, 0.99) * MS, "<= 500")
    line(
        "POST done -> read model visible p99 (ms)",
        percentile(run.model_lags, 0.99) * MS,
        "<= 500",
        f"  ({len(run.model_lags)} samples, {run.model_polls} reads)",
    )
    if not run.relay_measured:
        print(f"{'outbox relay vs raw pika':<44}{'not measured in this run':>12}")
    elif run.relay is None:
        print(f"{'outbox relay vs raw pika':<44}{'failed':>12}  (see above)")
    else:
        relay, raw = run.relay
        line("raw pika publish, batched confirms (msg/s)", raw, "baseline")
        line("outbox relay publish (msg/s)", relay, f">= {raw / 2:.0f}", f"  ({relay / raw:.2f}x)")
    print("\n" + "\n".join(cpu_table(run.cpu, len(run.latencies))))
    if run.database_cpu is not None:
        print(
            f"PostgreSQL server processes of the suite's databases (not in the total):"
            f" {run.database_cpu:.2f} CPU s,"
            f" {run.database_cpu / max(1, len(run.latencies)) * MS:.2f} ms/registration"
        )


def compare(old: Run, new: Run) -> None:
    """New over old, figure by figure: above 1 is faster for rates, costlier for the rest."""
    print(f"\n== new / old: {new.label} over {old.label} ==")
    print(f"{'figure':<52}{'old':>10}{'new':>10}{'new/old':>10}")

    def row(name: str, before: float, after: float, digits: int = 1) -> None:
        # A ratio of figures within a few last digits of zero is noise, not news.
        ratio = f"{after / before:.2f}" if before >= 10 ** (1 - digits) else "-"
        print(f"{name:<52}{before:>10.{digits}f}{after:>10.{digits}f}{ratio:>10}")

    row("throughput (registrations/s)", old.rate, new.rate, 0)
    old_cpu = per_registration_ms(old.cpu, len(old.latencies))
    new_cpu = per_registration_ms(new.cpu, len(new.latencies))
    row("CPU per registration, total (ms)", old_cpu["total"], new_cpu["total"], 2)
    row(
        "  without the shared RabbitMQ",
        *(ms_without_broker(run.cpu, len(run.latencies)) for run in (old, new)),
        2,
    )
    for label in [*old_cpu, *(label for label in new_cpu if label not in old_cpu)]:
        if label != "total":
            row(f"  {label}", old_cpu.get(label, 0.0), new_cpu.get(label, 0.0), 2)
    for name, figure, fraction in (
        ("request latency p50 (ms)", "latencies", 0.5),
        ("request latency p99 (ms)", "latencies", 0.99),
        ("commit -> event log lag p99 (ms)", "log_lags", 0.99),
    ):
        row(name, *(percentile(getattr(run, figure), fraction) * MS for run in (old, new)))
    if old.relay and new.relay:
        row("outbox relay / raw pika", old.relay[0] / old.relay[1], new.relay[0] / new.relay[1], 2)
    print(
        f"other work on the machine took {old.cpu.rest:.1f} and {new.cpu.rest:.1f} CPU s during"
        " the two loads: the ratios are only as good as that is small"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--baseline", metavar="REV", help="a git revision to measure first, in the same run"
    )
    parser.add_argument(
        "--against", metavar="REV2", help="the revision to measure (default: the working tree)"
    )
    parser.add_argument(
        "--sealing-baseline",
        action="store_true",
        help="the baseline is the same tree with sealing switched off (bench only), alternating",
    )
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="one run with a sampling profiler in every process, into DIR",
    )
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="where the suite keeps its data (postgresql: throw-away databases, dropped after)",
    )
    parser.add_argument(
        "--logs",
        choices=sorted(LOGS),
        default="quiet",
        help="quiet: warnings and up (the default); production: every info line in JSON, as"
        " docker compose and Kubernetes run the suite",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="with --baseline or --sealing-baseline: pairs of rounds (old-new, new-old, ...)",
    )
    args = parser.parse_args()
    if args.sealing_baseline and args.baseline:
        parser.error("--sealing-baseline measures one tree: give --against, not --baseline")
    if args.sealing_baseline and args.database != "sqlite":
        parser.error("--sealing-baseline runs on SQLite only")
    if args.rounds < 1:
        parser.error("--rounds is at least 1")
    # SIGTERM unwinds like Ctrl-C, so the suite, the vhost and the worktree are cleaned up;
    # SIGINT is set again because a shell starts a background job with it ignored.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    seed = int(time.time())  # both sides register the same students
    if args.profile:
        folder = Path(args.profile).resolve()
        folder.mkdir(parents=True, exist_ok=True)
        with source_tree(args.against) as tree:
            profiled = ProfiledTree(tree.path, f"{tree.label}, profiled", str(folder))
            run = measure(
                profiled,
                args.clients,
                args.seconds,
                seed,
                relay=False,
                database=args.database,
                logs=args.logs,
            )
            report(run, "")
        print(f"\nprofiles in {folder}")
        return
    if args.sealing_baseline:
        off, on = sealing_rounds(args, seed)
        report(off, "sealing off: ")
        report(on, "sealing on: ")
        compare(off, on)
        return
    if args.baseline:
        with source_tree(args.baseline) as old, source_tree(args.against) as new:
            before, after = alternating_rounds(old, new, args, seed, relay=True)
        report(before, "baseline: ")
        report(after, "new: ")
        compare(before, after)
        return
    with source_tree(args.against) as tree:
        run = measure(
            tree, args.clients, args.seconds, seed, database=args.database, logs=args.logs
        )
        report(run, "")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted (the suites, vhosts and worktrees it made are gone)")
