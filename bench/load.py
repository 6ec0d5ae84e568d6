"""The load on the suite: N keep-alive clients POSTing through the gateway (registrations, or any
prepared requests), a watcher of the read model, and the lag from commit to the event log.

Talks only HTTP and SQLite, never the product's modules: the same load runs on every revision.
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import queue
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import requests


def open_campaign(base: str, headers: dict[str, str]) -> str:
    now = datetime.now(UTC)
    response = requests.post(
        f"{base}/campaigns",
        headers=headers,
        timeout=10,
        json={
            "name": "bench",
            "year": now.year,
            "season": "summer",
            "registration_opens_at": (now - timedelta(days=1)).isoformat(),
            "registration_closes_at": (now + timedelta(days=1)).isoformat(),
            "scope": "bench",
            "practice_content": "bench",
        },
    )
    response.raise_for_status()
    campaign_id = str(response.json()["campaign_id"])
    requests.post(
        f"{base}/campaigns/{campaign_id}/open", headers=headers, timeout=10
    ).raise_for_status()
    return campaign_id


def sqlite_visible(path: str) -> Callable[[str], bool]:
    """Whether the gateway's read model (SQLite file ``path``) holds a student's row, read
    straight from the file: the gateway serves nothing for it. The connection is opened by the
    first call, in the observer's own thread."""
    opened: list[sqlite3.Connection] = []

    def visible(student_id: str) -> bool:
        if not opened:
            opened.append(sqlite3.connect(f"file:{path}?mode=ro", uri=True))
        query = "SELECT 1 FROM students WHERE student_id = ?"
        return opened[0].execute(query, (student_id,)).fetchone() is not None

    return visible


class ReadModelObserver(threading.Thread):
    """During the run, polls a sample of new profiles until the read model shows them.

    ``visible(student_id)`` tells whether the read model shows a student: ``sqlite_visible``
    (or PostgreSQL's, bench/postgres_suite.py) reads the gateway's table itself, so that the
    observer adds nothing to the gateway's CPU per registration (it asked the gateway before:
    some 600 GETs of a profile beside 3,000 registrations, 9% of the gateway's CPU samples,
    each GET also recording its access). It polls 2 ms after the POST, then every 1.5 times
    longer up to ``MAX_POLL_SECONDS`` (a lag is known to that much). ``polls`` counts them.
    """

    FIRST_POLL_SECONDS = 0.002
    MAX_POLL_SECONDS = 0.02

    def __init__(self, visible: Callable[[str], bool]) -> None:
        super().__init__(daemon=True)
        self.samples: queue.Queue[tuple[str, float] | None] = queue.Queue()
        self.lags: list[float] = []
        self.polls = 0
        self.visible = visible

    def run(self) -> None:
        while (sample := self.samples.get()) is not None:
            student_id, posted = sample
            pause = self.FIRST_POLL_SECONDS
            try:
                while True:
                    time.sleep(pause)
                    self.polls += 1
                    if self.visible(student_id):
                        break
                    pause = min(pause * 1.5, self.MAX_POLL_SECONDS)
            except Exception:  # the suite or its database is down: the run reports its errors
                return
            self.lags.append(time.monotonic() - posted)
            # Skip what queued up meanwhile, so each sample is polled from its own POST.
            while self.samples.qsize() > 1:
                self.samples.get_nowait()


def drive(
    base: str,
    headers: dict[str, str],
    campaign_id: str,
    bodies: Iterator[str],
    clients: int,
    seconds: float,
    observer: ReadModelObserver,
) -> tuple[list[float], Counter[int]]:
    """Registrations by N clients (until the time or the bodies run out), every 25th handed
    to the read-model observer; returns the latencies and the errors by status."""
    path = f"/api/v1/campaigns/{campaign_id}/registrations"
    created = itertools.count(1)

    def sample(payload: bytes) -> None:
        if next(created) % 25 == 0:
            observer.samples.put((json.loads(payload)["student_id"], time.monotonic()))

    work = ((path, body) for body in bodies)
    return keep_posting(base, headers, work, clients, seconds, sample)


def keep_posting(
    base: str,
    headers: dict[str, str],
    work: Iterator[tuple[str, str]],
    clients: int,
    seconds: float,
    created: Callable[[bytes], None] = lambda _payload: None,
) -> tuple[list[float], Counter[int]]:
    """Each client POSTs (path, JSON body) pairs from ``work`` in a loop, until the time or the
    work runs out; returns the latencies of the 201s and the other answers by status (0: no
    answer at all). ``created`` sees each 201's body."""
    latencies: list[float] = []
    errors: Counter[int] = Counter()
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client() -> None:
        # http.client on a kept-alive connection, bodies made beforehand: the load generator
        # shares the two cores with the suite, so it should spend as little CPU as it can.
        host, port = base.split("//")[1].split("/", maxsplit=1)[0].split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        request_headers = {**headers, "Content-Type": "application/json"}
        while time.monotonic() < stop_at:
            with lock:
                path, body = next(work, ("", ""))
            if not path:
                break
            started = time.perf_counter()
            try:
                connection.request("POST", path, body=body, headers=request_headers)
                response = connection.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException):
                with lock:
                    errors[0] += 1  # no answer: the suite is down, this client stops
                break
            elapsed = time.perf_counter() - started
            with lock:
                if response.status == 201:
                    latencies.append(elapsed)
                    created(payload)
                else:
                    errors[response.status] += 1
        connection.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors


def event_log_lags(data_dir: str) -> list[float]:
    """Seconds from each registration's commit (``occurred_at``) to its entry in the log."""
    uri = f"file:{data_dir}/eventlog.db?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as connection:
        rows = connection.execute(
            "SELECT occurred_at, recorded_at FROM event_log WHERE event_type = ?",
            ("StudentRegistered",),
        ).fetchall()
    return [(_moment(recorded) - _moment(occurred)).total_seconds() for occurred, recorded in rows]


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
