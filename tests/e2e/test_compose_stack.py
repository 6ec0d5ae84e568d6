"""The operator's stack, for real: the root docker-compose.yml, brought up by pytest-docker.

The images come from ``deploy/offline/build-images.sh`` (registry-free stand-ins for the
RabbitMQ, PostgreSQL and Python images, the application built from a host wheelhouse): the
file named by ``GRAVITY_STACK_ENV_FILE`` (what ``deploy/ci/stack-stage.sh`` passes), or a build
made here, which reuses whatever the machine built before. The stack runs in production mode
with generated secrets, under a project name of its own, on a free port, and is removed with
its volumes afterwards. Select with ``-m stack``; without a Docker engine these tests fail and
say how to get one, they never skip.
"""

from __future__ import annotations

import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from gateway.core.tokens import issue_token
from shared.config import load_settings
from shared.resident_id import check_character

pytestmark = pytest.mark.stack

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
BUILD_SCRIPT = REPO / "deploy" / "offline" / "build-images.sh"
ENSURE_DOCKER = REPO / "deploy" / "ci" / "ensure-docker.sh"
# Every service of the stack but the one-shot jobs (`migrate`, `broker-users`) must end up healthy.
LONG_RUNNING = tuple(
    name
    for name, service in yaml.safe_load(COMPOSE_FILE.read_text("utf-8"))["services"].items()
    if service.get("restart") != "no"
)
HEALTHY_TIMEOUT = 300.0
# Secrets with characters that must be quoted into URLs; the stack has to cope with them.
DB_PASSWORD = "db@" + secrets.token_urlsafe(12) + "/:+"
RABBITMQ_PASSWORD = "mq@" + secrets.token_urlsafe(12) + "/:+"
JWT_SECRET = secrets.token_hex(32)


def _run(command: list[str], timeout: float = 300, check: bool = True) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if check and result.returncode != 0:
        raise AssertionError(
            f"{shlex.join(command)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout + result.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _image_variables() -> dict[str, str]:
    env_file = os.environ.get("GRAVITY_STACK_ENV_FILE")
    text = Path(env_file).read_text() if env_file else _run([str(BUILD_SCRIPT)], timeout=3600)
    return dict(line.split("=", 1) for line in text.splitlines() if line.startswith("GRAVITY_"))


@pytest.fixture(scope="session")
def stack_environment() -> Iterator[dict[str, str]]:
    """Docker answers, the images exist, and the compose variables are in the environment."""
    if (
        shutil.which("docker") is None
        or subprocess.run(["docker", "info"], capture_output=True, check=False).returncode
    ):
        pytest.fail(
            "the stack tests need a Docker engine and none answers: run "
            f"{ENSURE_DOCKER.relative_to(REPO)} as root (installs docker.io, docker-compose and "
            "debootstrap, starts dockerd --storage-driver=vfs), or deselect with -m 'not stack'"
        )
    variables = {
        **_image_variables(),
        "COMPOSE_PROJECT_NAME": f"gravitye2e{os.getpid()}",
        "GRAVITY_ENV": "production",
        "GRAVITY_JWT_SECRET": JWT_SECRET,
        "GRAVITY_VERIFICATION_SECRET": secrets.token_urlsafe(32),
        "GRAVITY_DB_PASSWORD": DB_PASSWORD,
        "GRAVITY_RABBITMQ_PASSWORD": RABBITMQ_PASSWORD,
        "GRAVITY_POSTGRES_PASSWORD": secrets.token_urlsafe(16),
        "GRAVITY_HTTP_BIND": "127.0.0.1",
        "GRAVITY_HTTP_PORT": str(_free_port()),
        "GRAVITY_RELAY_MAX_BACKOFF": "5",
        "GRAVITY_HEALTHCHECK_RESTART_AFTER": "3",
    }
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield variables
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture(scope="session")
def docker_compose_command() -> str:
    """What this machine has: ``docker compose`` (v2) or ``docker-compose`` (v1.29)."""
    configured = os.environ.get("GRAVITY_COMPOSE_COMMAND")
    if configured:
        return configured
    if (
        subprocess.run(
            ["docker", "compose", "version"], capture_output=True, check=False
        ).returncode
        == 0
    ):
        return "docker compose"
    if shutil.which("docker-compose"):
        return "docker-compose"
    pytest.fail(f"neither `docker compose` nor docker-compose is installed: run {ENSURE_DOCKER}")


@pytest.fixture(scope="session")
def docker_compose_file() -> str:
    return str(COMPOSE_FILE)


@pytest.fixture(scope="session")
def docker_compose_project_name(stack_environment: dict[str, str]) -> str:
    return stack_environment["COMPOSE_PROJECT_NAME"]


@pytest.fixture(scope="session")
def docker_setup() -> list[str]:
    # The images are built already; `--wait` is not in docker-compose 1.29, so the stack
    # fixture waits for health itself.
    return ["up -d --no-build"]


@pytest.fixture(scope="session")
def docker_cleanup() -> list[str]:
    return ["down -v --remove-orphans"]


@dataclass
class Stack:
    """The running stack and what the tests do to it."""

    compose_command: list[str]
    project: str
    base_url: str
    jwt_secret: str

    def compose(self, *args: str, timeout: float = 300, check: bool = True) -> str:
        return _run([*self.compose_command, *args], timeout=timeout, check=check)

    def container(self, service: str) -> str:
        """The service's container id (docker's label filter is much faster than compose ps)."""
        labels = [f"com.docker.compose.project={self.project}"]
        labels.append(f"com.docker.compose.service={service}")
        filters = [argument for label in labels for argument in ("--filter", f"label={label}")]
        container_id = _run(["docker", "ps", "-aq", *filters]).split()
        assert container_id, f"no container for {service}"
        return container_id[0]

    def inspect(self, service: str) -> dict[str, Any]:
        state: dict[str, Any] = json.loads(_run(["docker", "inspect", self.container(service)]))[0]
        return state

    def gravity(self, *args: str, check: bool = True, service: str = "gateway") -> str:
        """Run the CLI inside a container (the gateway's unless told; the image's ``gravity``)."""
        return _run(["docker", "exec", self.container(service), "gravity", *args], check=check)

    def logged(self, event_type: str) -> list[dict[str, Any]]:
        lines = self.gravity("audit", "events", "--type", event_type).splitlines()
        return [json.loads(line)["event"] for line in lines if line.startswith("{")]

    def headers(self, role: str, subject: str) -> dict[str, str]:
        settings = load_settings(environ={"GRAVITY_JWT_SECRET": self.jwt_secret})
        return {"Authorization": f"Bearer {issue_token(settings, role, subject)}"}

    def unhealthy(self) -> dict[str, str]:
        """Long-running services that are not (yet) healthy, with their state."""
        states = {}
        for service in LONG_RUNNING:
            state = self.inspect(service)["State"]
            health = state.get("Health", {}).get("Status", state["Status"])
            if health != "healthy":
                states[service] = health
        return states

    def wait_until_healthy(self, timeout: float = HEALTHY_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while (unhealthy := self.unhealthy()) and time.monotonic() < deadline:
            time.sleep(2)
        assert not unhealthy, f"not healthy: {unhealthy}\n{self.compose('ps')}\n{self.logs()}"

    def logs(self) -> str:
        return self.compose("logs", "--no-color", "--tail=40", check=False)[-12000:]


@pytest.fixture(scope="session")
def stack(
    request: pytest.FixtureRequest,
    stack_environment: dict[str, str],
    docker_compose_command: str,
) -> Iterator[Stack]:
    running = Stack(
        compose_command=[
            *shlex.split(docker_compose_command),
            "-f",
            str(COMPOSE_FILE),
            "-p",
            stack_environment["COMPOSE_PROJECT_NAME"],
        ],
        project=stack_environment["COMPOSE_PROJECT_NAME"],
        base_url=f"http://127.0.0.1:{stack_environment['GRAVITY_HTTP_PORT']}",
        jwt_secret=stack_environment["GRAVITY_JWT_SECRET"],
    )
    try:
        request.getfixturevalue("docker_services").wait_until_responsive(
            check=lambda: not running.unhealthy(), timeout=HEALTHY_TIMEOUT, pause=2
        )
        running.wait_until_healthy(timeout=1)
        yield running
    finally:
        # pytest-docker cleans up only after a successful `up`; this covers a failed one too.
        running.compose("down", "-v", "--remove-orphans", check=False)


def resident_id(number: int) -> str:
    """A valid, distinct ID number for every ``number`` below a few million."""
    birth = (date(1990, 1, 1) + timedelta(days=number // 1000)).strftime("%Y%m%d")
    first = f"410102{birth}{number % 1000:03d}"
    return first + check_character(first)


def registration(number: int, **overrides: str) -> dict[str, str]:
    body = {
        "name": "王芳",
        "phone": "13912345678",
        "id_number": resident_id(number),
        "university": "Henan University",
        "major": "Public Administration",
        "grade": "junior",
        "hometown": "Beiguan Town",
        "channel": "organisation",
    }
    body.update(overrides)
    return body


def open_campaign(stack: Stack, name: str) -> str:
    operator = stack.headers("operator", "op-1")
    now = datetime.now(UTC)
    created = requests.post(
        f"{stack.base_url}/api/v1/campaigns",
        headers=operator,
        timeout=30,
        json={
            "name": name,
            "year": now.year,
            "season": "summer",
            "registration_opens_at": (now - timedelta(days=1)).isoformat(),
            "registration_closes_at": (now + timedelta(days=30)).isoformat(),
            "scope": "home-district university students",
            "practice_content": "government host units",
        },
    )
    assert created.status_code == 201, created.text
    campaign_id = str(created.json()["campaign_id"])
    opened = requests.post(
        f"{stack.base_url}/api/v1/campaigns/{campaign_id}/open", headers=operator, timeout=30
    )
    assert opened.status_code == 200, opened.text
    return campaign_id


def wait_for(fetch: Callable[[], Any], done: Callable[[Any], bool], timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if done(value):
            return value
        assert time.monotonic() < deadline, f"never satisfied; last value: {value}"
        time.sleep(0.5)


def test_the_gateway_answers_on_the_published_port_with_everything_healthy(stack: Stack) -> None:
    ready = requests.get(f"{stack.base_url}/readyz", timeout=10)
    assert ready.status_code == 200
    assert set(ready.json()["checks"].values()) == {"up"}
    assert requests.get(f"{stack.base_url}/openapi.json", timeout=10).status_code == 200
    for one_shot in ("migrate", "broker-users"):  # the databases, each process's broker user
        state = stack.inspect(one_shot)["State"]
        assert (state["Status"], state["ExitCode"]) == ("exited", 0), one_shot


def test_a_production_start_with_a_default_secret_refuses_to_run(stack: Stack) -> None:
    refused = subprocess.run(
        [
            *stack.compose_command,
            "run",
            "--rm",
            "--no-deps",
            "-e",
            "GRAVITY_JWT_SECRET=gravity-development-secret-change-me",
            "gateway",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "refusing to start: GRAVITY_JWT_SECRET" in refused.stdout + refused.stderr


def test_a_season_runs_through_the_gateway_and_the_log_verifies_inside_the_stack(
    stack: Stack,
) -> None:
    api = f"{stack.base_url}/api/v1"
    operator = stack.headers("operator", "op-1")
    campaign_id = open_campaign(stack, "Gravity Plan summer (compose)")

    approved = requests.post(
        f"{api}/campaigns/{campaign_id}/registrations",
        headers=operator,
        json=registration(1),
        timeout=30,
    )
    assert approved.status_code == 201, approved.text
    approved_id = approved.json()["student_id"]
    self_id = "6f0c3a52-3f0e-4f7e-9a39-3b0f0c6f3a11"
    student = stack.headers("student", self_id)
    own = requests.post(
        f"{api}/campaigns/{campaign_id}/registrations",
        headers=student,
        json=registration(2, channel="self", university="Wuhan University"),
        timeout=30,
    )
    assert own.status_code == 201, own.text
    screened = requests.post(
        f"{api}/students/{approved_id}/screening",
        headers=operator,
        json={"decision": "approved", "reason": "strong candidate"},
        timeout=30,
    )
    assert screened.status_code == 200, screened.text

    report = wait_for(
        lambda: requests.get(
            f"{api}/campaigns/{campaign_id}/report", headers=operator, timeout=30
        ).json(),
        lambda r: r.get("registered") == 2 and r.get("approved") == 1,
    )
    assert report["rejected"] == 0
    profile = requests.get(f"{api}/students/{self_id}", headers=student, timeout=30)
    assert profile.status_code == 200
    assert profile.json()["name"] == "王芳"

    verified = stack.gravity("audit", "verify")
    assert verified.startswith("OK"), verified
    # The event log signs with a key in its own volume; beside it, verify checks the signatures.
    stack.gravity("audit", "checkpoint", service="eventlog")
    signed = stack.gravity("audit", "verify", service="eventlog")
    assert "Every signed checkpoint matches the log." in signed, signed
    screenings = stack.logged("StudentScreened")
    assert [event["payload"]["student_id"] for event in screenings] == [approved_id]
    assert all("王芳" not in json.dumps(event) for event in stack.logged("StudentRegistered"))
    # Each process published as its own broker user, which the log checks: nothing refused.
    quarantined = stack.gravity("audit", "quarantine").strip()
    assert quarantined == "0 event(s) in quarantine", quarantined


@dataclass
class CommandStream:
    """Registers students one after another in a thread, noting which ones got a 2xx."""

    stack: Stack
    campaign_id: str
    acknowledged: list[str] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    stopping: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._headers = self.stack.headers("operator", "op-stream")

    def _run(self) -> None:
        number = 10_000
        url = f"{self.stack.base_url}/api/v1/campaigns/{self.campaign_id}/registrations"
        while not self.stopping.is_set():
            number += 1
            try:
                reply = requests.post(
                    url, headers=self._headers, json=registration(number), timeout=20
                )
            except requests.RequestException as error:
                self.failures[type(error).__name__] += 1
                time.sleep(0.2)
                continue
            if 200 <= reply.status_code < 300:
                self.acknowledged.append(reply.json()["student_id"])
            else:
                self.failures[str(reply.status_code)] += 1
                time.sleep(0.2)

    def __enter__(self) -> CommandStream:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stopping.set()
        self._thread.join(60)

    def wait_for_more(self, count: int, timeout: float = 180) -> None:
        target = len(self.acknowledged) + count
        deadline = time.monotonic() + timeout
        while len(self.acknowledged) < target:
            assert time.monotonic() < deadline, (
                f"the stream stalled at {len(self.acknowledged)} acknowledged commands "
                f"(failures: {dict(self.failures)})\n{self.stack.logs()}"
            )
            time.sleep(0.2)


def crash(stack: Stack, service: str) -> None:
    """SIGKILL the container's process from outside, as an OOM kill or a crash would."""
    state = stack.inspect(service)
    restarts = state["RestartCount"]
    os.kill(state["State"]["Pid"], signal.SIGKILL)
    wait_for(
        lambda: stack.inspect(service),
        lambda s: s["RestartCount"] > restarts and s["State"]["Running"],
        timeout=120,
    )


def children_of(pid: int) -> list[int]:
    """Host PIDs whose parent is ``pid`` (the process under the container's init)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def test_a_wedged_process_is_killed_by_its_health_check_and_replaced(stack: Stack) -> None:
    state = stack.inspect("gateway")
    restarts = state["RestartCount"]
    (gateway_process,) = children_of(state["State"]["Pid"])
    os.kill(gateway_process, signal.SIGSTOP)  # alive, connected, and answering nothing
    wait_for(
        lambda: stack.inspect("gateway"),
        lambda s: s["RestartCount"] > restarts and s["State"]["Running"],
        timeout=240,
    )
    stack.wait_until_healthy()
    assert requests.get(f"{stack.base_url}/readyz", timeout=10).status_code == 200
    assert "healthcheck.killing_wedged_process" in stack.compose("logs", "--no-color", "gateway")


def test_every_acknowledged_command_is_logged_once_through_a_broker_kill_and_a_crash(
    stack: Stack,
) -> None:
    """Under load: the broker killed -9 (Docker's restart policy brings it back), then a
    service killed -9; nobody touches the stack, and it serves and heals by itself."""
    campaign_id = open_campaign(stack, "Gravity Plan summer (outages)")
    with CommandStream(stack, campaign_id) as stream:
        stream.wait_for_more(15)
        crash(stack, "rabbitmq")
        stream.wait_for_more(15)
        crash(stack, "recruitment")
        stream.wait_for_more(15)
    acknowledged = set(stream.acknowledged)
    assert len(acknowledged) == len(stream.acknowledged)
    print(f"{len(acknowledged)} commands acknowledged; the others: {dict(stream.failures)}")

    def logged_counts() -> Counter[str]:
        return Counter(
            event["payload"]["student_id"]
            for event in stack.logged("StudentRegistered")
            if event["payload"].get("campaign_id") == campaign_id
        )

    counts = wait_for(logged_counts, lambda c: acknowledged <= set(c), timeout=180)
    assert {student: counts[student] for student in acknowledged} == dict.fromkeys(acknowledged, 1)
    assert max(counts.values()) == 1, "an event was logged twice"
    verified = stack.gravity("audit", "verify")
    assert verified.startswith("OK"), verified
    stack.wait_until_healthy()
