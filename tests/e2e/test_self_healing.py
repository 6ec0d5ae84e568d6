"""The suite heals itself: ``gravity up`` on a RabbitMQ node of the test's own, started while
the broker is down, then a bounded load through a broker kill -9 and restart and a kill -9 of
a service process and of the read models' projector. Nobody touches ``gravity up``; it is
ready again within 60 s each time, every registration answered 2xx is in the event log exactly
once, and the read models catch up with the last of them."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from shared.resident_id import check_character
from tests.e2e.conftest import RunningSuite, free_port
from tests.support.own_broker import OwnBroker, own_broker

READY_WITHIN_SECONDS = 60.0
CLIENTS = 4
LOAD_SECONDS_AT_MOST = 150.0
REQUESTS_PER_CLIENT_AT_MOST = 600
ATTEMPTS_PER_REGISTRATION = 4


@dataclass
class Healing:
    suite: RunningSuite
    process: subprocess.Popen[bytes]
    broker: OwnBroker

    def operator(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.suite.token('operator', 'op-faults')}"}

    def ready(self) -> bool:
        try:
            return requests.get(f"{self.suite.base_url}/readyz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def child_pid(self, module: str) -> int:
        """The pid of the supervisor's child running ``python -m <module>``."""
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                command = (entry / "cmdline").read_bytes().split(b"\0")
            except (OSError, IndexError, ValueError):
                continue
            if parent == self.process.pid and module.encode() in command:
                return int(entry.name)
        raise AssertionError(f"no child runs {module}")

    def log(self) -> str:
        return self.suite.log_path.read_text(errors="replace")


@pytest.fixture
def healing(tmp_path: Path) -> Iterator[Healing]:
    with own_broker(tmp_path / "broker", started=False) as broker:
        port = free_port()
        environ = {
            **os.environ,
            "GRAVITY_AMQP_URI": broker.uri,
            "GRAVITY_DATA_DIR": str(tmp_path / "var"),
            "GRAVITY_GATEWAY_PORT": str(port),
            "GRAVITY_LOG_FORMAT": "json",
            "GRAVITY_RPC_TIMEOUT": "5",
        }
        log_path = tmp_path / "suite.log"
        with log_path.open("w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "gravity.cli", "up"], env=environ, stdout=log, stderr=log
            )
            suite = RunningSuite(f"http://127.0.0.1:{port}", environ, log_path)
            try:
                yield Healing(suite, process, broker)
            finally:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(40)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def wait_until(condition, timeout: float, what: str, healing: Healing) -> float:
    """Seconds until ``condition()`` held; fails after ``timeout`` with the suite's log tail."""
    started = time.monotonic()
    while not condition():
        assert healing.process.poll() is None, f"gravity up exited: {healing.log()[-4000:]}"
        assert time.monotonic() - started < timeout, f"{what}: {healing.log()[-4000:]}"
        time.sleep(0.25)
    return time.monotonic() - started


@dataclass
class Load:
    """Clients registering students, each retrying a 503 or a lost answer with the same
    Idempotency-Key, as a careful client does; every 201 is remembered."""

    url: str
    headers: dict[str, str]
    stop: threading.Event = field(default_factory=threading.Event)
    acknowledged: list[str] = field(default_factory=list)
    answers: Counter[int] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, client: int) -> None:
        session = requests.Session()
        deadline = time.monotonic() + LOAD_SECONDS_AT_MOST
        for number in range(REQUESTS_PER_CLIENT_AT_MOST):
            if self.stop.is_set() or time.monotonic() > deadline:
                return
            self.register(session, client * 100_000 + number)
            time.sleep(0.02)

    def register(self, session: requests.Session, seed: int) -> None:
        body = {
            "name": "孙悦",
            "phone": "13912345678",
            "id_number": unique_resident_id(seed),
            "university": "Henan University",
            "major": "Law",
            "grade": "junior",
            "hometown": "Beiguan Town",
            "channel": "organisation",
        }
        headers = self.headers | {"Idempotency-Key": str(uuid.uuid4())}
        for _ in range(ATTEMPTS_PER_REGISTRATION):
            try:
                answer = session.post(self.url, json=body, headers=headers, timeout=15)
            except requests.RequestException:
                status = 0
            else:
                status = answer.status_code
            with self.lock:
                self.answers[status] += 1
                if status == 201:
                    self.acknowledged.append(answer.json()["student_id"])
                    return
            if status not in (0, 503):
                return
            time.sleep(0.5)


def unique_resident_id(seed: int) -> str:
    """A valid ID number of its own for every seed below 3,650,000."""
    birth = datetime(1995, 1, 1, tzinfo=UTC) + timedelta(days=seed % 3650)
    first = f"410102{birth:%Y%m%d}{seed // 3650 % 1000:03d}"
    return first + check_character(first)


def open_campaign(healing: Healing) -> str:
    """Create and open a campaign, retrying while the services still connect (503)."""
    now = datetime.now(UTC)
    base, headers = f"{healing.suite.base_url}/api/v1", healing.operator()
    created = requests.Response()

    def create() -> bool:
        nonlocal created
        created = requests.post(
            f"{base}/campaigns",
            headers=headers,
            timeout=15,
            json={
                "name": "Gravity Plan summer",
                "year": now.year,
                "season": "summer",
                "registration_opens_at": (now - timedelta(days=1)).isoformat(),
                "registration_closes_at": (now + timedelta(days=30)).isoformat(),
                "scope": "home-district university students",
                "practice_content": "host units and summer classrooms",
            },
        )
        return created.status_code != 503

    wait_until(create, READY_WITHIN_SECONDS, "no campaign could be created", healing)
    assert created.status_code == 201, created.text
    campaign_id = str(created.json()["campaign_id"])
    opened = requests.post(f"{base}/campaigns/{campaign_id}/open", headers=headers, timeout=15)
    assert opened.status_code == 200, opened.text
    return campaign_id


def logged_registrations(healing: Healing) -> Counter[str]:
    lines = healing.suite.gravity("audit", "events", "--type", "StudentRegistered").stdout
    return Counter(
        json.loads(line)["event"]["stream_id"].removeprefix("student-")
        for line in lines.splitlines()
    )


def test_the_suite_heals_after_a_broker_kill_and_a_process_kill_under_load(
    healing: Healing,
) -> None:
    # Started while the broker is down: every process waits for it instead of exiting.
    time.sleep(3)
    assert healing.process.poll() is None, healing.log()[-4000:]
    assert not healing.ready()
    healing.broker.start()
    wait_until(healing.ready, READY_WITHIN_SECONDS, "not ready after the broker came", healing)

    campaign_id = open_campaign(healing)
    load = Load(
        f"{healing.suite.base_url}/api/v1/campaigns/{campaign_id}/registrations",
        healing.operator(),
    )
    clients = [threading.Thread(target=load.run, args=(n,)) for n in range(CLIENTS)]
    for client in clients:
        client.start()
    try:
        wait_until(lambda: len(load.acknowledged) >= 100, 60, "no load acknowledged", healing)
        healing.broker.kill()
        wait_until(lambda: not healing.ready(), 30, "the broker's death unnoticed", healing)
        time.sleep(2)
        healing.broker.start()
        after_broker = wait_until(
            lambda: healing.ready() and registers_now(load),
            READY_WITHIN_SECONDS,
            "not serving again after the broker restart",
            healing,
        )

        recruitment_pid = healing.child_pid("services.recruitment")
        os.kill(recruitment_pid, signal.SIGKILL)
        after_kill = wait_until(
            lambda: registers_now(load),
            READY_WITHIN_SECONDS,
            "not serving again after recruitment was killed",
            healing,
        )
        # The read models' projector too: the gateway goes on answering without it.
        os.kill(healing.child_pid("gateway.projector"), signal.SIGKILL)
        acknowledged_before_end = len(load.acknowledged)
        wait_until(
            lambda: len(load.acknowledged) >= acknowledged_before_end + 100,
            60,
            "the load did not go on",
            healing,
        )
    finally:
        load.stop.set()
        for client in clients:
            client.join(60)

    acknowledged = Counter(load.acknowledged)
    assert max(acknowledged.values()) == 1  # no resource was answered twice
    wait_until(
        lambda: set(acknowledged) <= set(logged_registrations(healing)),
        60,
        "a registration answered 201 is missing from the log",
        healing,
    )
    logged = logged_registrations(healing)
    assert all(logged[student] == 1 for student in acknowledged)
    assert max(logged.values()) == 1  # nothing in the log twice
    assert healing.suite.gravity("audit", "verify").returncode == 0
    # The projector, restarted, caught up from its checkpoint: the last students are shown.
    last = load.acknowledged[-READ_BACK:]
    wait_until(
        lambda: shown_in_read_models(healing, last),
        60,
        "the read models did not catch up after the projector was killed",
        healing,
    )
    log = healing.log()
    assert '"supervisor.restarting"' in log
    assert '"component": "recruitment"' in log
    assert '"component": "projector"' in log
    assert healing.process.poll() is None
    print(  # the figures of this run, for the report (pytest -s)
        f"acknowledged={len(acknowledged)} logged={sum(logged.values())} "
        f"answers={dict(load.answers)} ready_after_broker={after_broker:.1f}s "
        f"ready_after_kill={after_kill:.1f}s"
    )


_PROBES = itertools.count(900_000)
READ_BACK = 20


def shown_in_read_models(healing: Healing, students: list[str]) -> bool:
    """Whether the gateway shows each of ``students`` (from the read models)."""
    session = requests.Session()
    return all(
        session.get(
            f"{healing.suite.base_url}/api/v1/students/{student}",
            headers=healing.operator(),
            timeout=5,
        ).status_code
        == 200
        for student in students
    )


def registers_now(load: Load) -> bool:
    """Whether a registration made now is answered 201 (it counts as load, too)."""
    before = len(load.acknowledged)
    load.register(requests.Session(), next(_PROBES))
    return len(load.acknowledged) > before
