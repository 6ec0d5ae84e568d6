"""Sign-ups per second through the gateway, beside registrations measured in the same run.

Starts the suite (``gravity up``) on a throw-away vhost and data dir. First the baseline:
students register for a fixed time (as bench/registrations.py does). Then some of them are
approved, activities are scheduled a few days ahead (one a day, so that one student's
sign-ups never overlap), and N clients sign students up for a fixed time, each request a
different activity and student from the last, so that no two in flight wait for the same
activity or volunteer more than the load makes them. Prints both rates, their latencies and
the CPU one request costs in each process (bench/cpu.py).

    .venv/bin/python bench/signups.py [--clients 16] [--seconds 15] [--volunteers 300]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cpu import CpuMeter, Usage, cpu_table, ms_without_broker
from bench.load import ReadModelObserver, drive, keep_posting, open_campaign, sqlite_visible
from bench.suite import operator_token, request_bodies, running_suite, source_tree
from bench.support import free_port, percentile, throwaway_vhost

MS = 1000.0
BODIES_PER_SECOND = 2000  # registrations made beforehand; two cores have done about 300/s
ACTIVITIES = 60  # at most volunteers x activities sign-ups; a seat each for every volunteer
Measured = tuple[list[float], dict[int, int], Usage]


def with_ids(bodies: list[str]) -> tuple[list[str], list[str]]:
    """The bodies with a student id of our choosing each (to approve and sign up later)."""
    ids = [str(uuid.uuid4()) for _ in bodies]
    named = [
        json.dumps(json.loads(body) | {"student_id": i})
        for body, i in zip(bodies, ids, strict=True)
    ]
    return named, ids


def qualified(data_dir: str) -> int:
    """How many volunteers volunteering has qualified so far, as the event log shows."""
    uri = f"file:{data_dir}/eventlog.db?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as connection:
        query = "SELECT count(*) FROM event_log WHERE event_type = 'VolunteerQualified'"
        return int(connection.execute(query).fetchone()[0])


def prepare(
    base: str, headers: dict[str, str], campaign_id: str, volunteers: list[str]
) -> list[str]:
    """Approve the volunteers, schedule the activities; the activities' ids."""
    session = requests.Session()
    session.headers.update(headers)
    approval = {"decision": "approved", "reason": "bench"}
    for student_id in volunteers:
        session.post(f"{base}/students/{student_id}/screening", json=approval).raise_for_status()
    tomorrow = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    activities = []
    for day in range(ACTIVITIES):
        starts_at = tomorrow + timedelta(days=day)
        plan = {
            "campaign_id": campaign_id,
            "title": f"Bench classroom {day}",
            "kind": "classroom",
            "subject": "music",
            "place": "bench hall",
            "starts_at": starts_at.isoformat(),
            "ends_at": (starts_at + timedelta(hours=2)).isoformat(),
            "capacity": len(volunteers),
            "coordinator": "bench",
        }
        answer = session.post(f"{base}/activities", json=plan)
        answer.raise_for_status()
        activities.append(answer.json()["activity_id"])
    return activities


def sign_ups(activities: list[str], volunteers: list[str]) -> Iterator[tuple[str, str]]:
    """Every (activity, volunteer) pair once; consecutive pairs differ in both."""
    for turn in range(len(activities)):
        for index, student_id in enumerate(volunteers):
            activity_id = activities[(index + turn) % len(activities)]
            path = f"/api/v1/activities/{activity_id}/signups"
            yield path, json.dumps({"student_id": student_id})


def measure(clients: int, seconds: float, volunteers: int) -> tuple[Measured, Measured]:
    with source_tree(None) as tree:
        bodies, ids = with_ids(request_bodies(tree, int(seconds * BODIES_PER_SECOND), 2023))
        with throwaway_vhost("gravity-bench") as amqp_uri, tempfile.TemporaryDirectory() as data:
            port = free_port()
            with running_suite(tree, amqp_uri, data, port) as suite:
                base = f"http://127.0.0.1:{port}/api/v1"
                headers = {"Authorization": f"Bearer {operator_token()}"}
                campaign_id = open_campaign(base, headers)
                observer = ReadModelObserver(sqlite_visible(f"{data}/gateway.db"))
                observer.start()
                meter = CpuMeter(suite.pid)
                before = meter.read()
                work = iter(bodies)
                latencies, errors = drive(
                    base, headers, campaign_id, work, clients, seconds, observer
                )
                registered = (latencies, dict(errors), meter.usage(before, meter.read()))
                observer.samples.put(None)
                chosen = ids[: min(volunteers, len(latencies))]
                activities = prepare(base, headers, campaign_id, chosen)
                deadline = time.monotonic() + 120
                while qualified(data) < len(chosen) and time.monotonic() < deadline:
                    time.sleep(0.2)
                before = meter.read()
                work = sign_ups(activities, chosen)
                latencies, errors = keep_posting(base, headers, work, clients, seconds)
                signed = (latencies, dict(errors), meter.usage(before, meter.read()))
    return registered, signed


def report(registered: Measured, signed: Measured, clients: int) -> None:
    print(f"\n== sign-ups beside registrations, one run, {clients} clients each (SQLite) ==")
    print(f"{'figure':<44}{'registrations':>15}{'sign-ups':>12}{'ratio':>8}")

    def line(name: str, old: float, new: float, digits: int = 1) -> None:
        ratio = f"{new / old:.2f}" if old >= 10 ** (1 - digits) else "-"  # not of noise
        print(f"{name:<44}{old:>15.{digits}f}{new:>12.{digits}f}{ratio:>8}")

    (reg_lat, reg_err, reg_cpu), (sign_lat, sign_err, sign_cpu) = registered, signed
    line(
        "throughput (/s, wall clock)", len(reg_lat) / reg_cpu.wall, len(sign_lat) / sign_cpu.wall, 0
    )
    line("requests answered 201", len(reg_lat), len(sign_lat), 0)
    for name, fraction in (("request latency p50 (ms)", 0.5), ("request latency p99 (ms)", 0.99)):
        line(name, percentile(reg_lat, fraction) * MS, percentile(sign_lat, fraction) * MS)
    count_reg, count_sign = max(len(reg_lat), 1), max(len(sign_lat), 1)
    line(
        "CPU per request, total (ms)",
        reg_cpu.total * MS / count_reg,
        sign_cpu.total * MS / count_sign,
        2,
    )
    line(
        "  without the shared RabbitMQ",
        ms_without_broker(reg_cpu, count_reg),
        ms_without_broker(sign_cpu, count_sign),
        2,
    )
    for label in sign_cpu.seconds:
        old, new = reg_cpu.seconds.get(label, 0.0), sign_cpu.seconds[label]
        line(f"  {label[:40]}", old * MS / count_reg, new * MS / count_sign, 2)
    print(f"other answers: registrations {reg_err or 'none'}, sign-ups {sign_err or 'none'}")
    print("\nsign-ups, by process:\n" + "\n".join(cpu_table(sign_cpu, len(sign_lat), "sign-up")))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--volunteers", type=int, default=300, help="at most 500 (a seat each)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    registered, signed = measure(args.clients, args.seconds, min(args.volunteers, 500))
    report(registered, signed, args.clients)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted (the suite and the vhost it made are gone)")
