"""The web console in a real browser: ``gravity up`` with the demo season loaded and an
operator account, once per test session, and Debian's headless Chromium driven by Playwright.

Screenshots of each page go to ``var/screenshots/`` (CI keeps the folder as artifacts).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import eventlet
import pytest
import requests
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.e2e.conftest import RunningSuite, _wait_ready, free_port

CHROMIUM = "/usr/bin/chromium"  # Debian's package (deploy/ensure-test-tools.sh): no download
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
OPERATOR = "director"
OPERATOR_PASSWORD = "correct-horse-battery"  # a test account's


@dataclass
class ConsoleSuite(RunningSuite):
    campaign_id: str = ""

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Call the API as the operator, signed in like the console is."""
        session = requests.post(
            f"{self.base_url}/api/v1/sessions",
            json={"username": OPERATOR, "password": OPERATOR_PASSWORD},
            timeout=10,
        )
        session.raise_for_status()
        headers = {"Authorization": f"Bearer {session.json()['access_token']}"}
        return requests.request(
            method, f"{self.base_url}/api/v1{path}", headers=headers, timeout=30, **kwargs
        )


@pytest.fixture(scope="session")  # one suite for every browser test module
def console_suite(
    request: pytest.FixtureRequest, rabbit_manager: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ConsoleSuite]:
    """The suite on a vhost and port of its own, the demo season loaded, an operator made.

    One per module (nameko's ``rabbit_config`` is one per test): the vhost is made and deleted
    here with plain management API calls."""
    amqp = urlparse(request.config.getoption("RABBIT_AMQP_URI"))
    vhost = f"gravity_console_{uuid.uuid4().hex[:10]}"
    rabbit_manager.create_vhost(vhost)
    rabbit_manager.set_vhost_permissions(vhost, amqp.username, ".*", ".*", ".*")
    tmp = tmp_path_factory.mktemp("console")
    port = free_port()
    environ = {
        **os.environ,
        "GRAVITY_AMQP_URI": f"amqp://{amqp.netloc}/{vhost}",
        "GRAVITY_DATA_DIR": str(tmp / "var"),
        "GRAVITY_GATEWAY_PORT": str(port),
        "GRAVITY_LOG_FORMAT": "json",
        # Every sign-in of every browser module comes from 127.0.0.1: past the default 20 a
        # minute the later modules would be refused (429), which is the limit working.
        "GRAVITY_SIGN_IN_PER_ADDRESS": "1000",
        # and most as the one operator, past the default 10 a minute per account.
        "GRAVITY_SIGN_IN_PER_ACCOUNT": "1000",
    }
    log_path = tmp / "suite.log"
    try:
        with log_path.open("w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "gravity.cli", "up"], env=environ, stdout=log, stderr=log
            )
            suite = ConsoleSuite(f"http://127.0.0.1:{port}", environ, log_path)
            try:
                _wait_ready(suite, process)
                suite.campaign_id = _load_demo(suite)
                _create_operator(suite)
                yield suite
            finally:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    raise
    finally:
        rabbit_manager.delete_vhost(vhost)


def _create_operator(suite: ConsoleSuite) -> None:
    command = ["accounts", "create-operator", "--username", OPERATOR]
    made = subprocess.run(
        [sys.executable, "-m", "gravity.cli", *command],
        input=OPERATOR_PASSWORD + "\n",  # the password comes on standard input only
        env=suite.environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert made.returncode == 0, made.stderr[-2000:]


def _load_demo(suite: ConsoleSuite) -> str:
    demo = subprocess.run(
        [sys.executable, "-m", "gravity.cli", "demo"],
        env=suite.environ,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert demo.returncode == 0, demo.stderr[-3000:]
    return demo.stdout.split()[1].rstrip(":")  # "campaign <id>: 90 registered, ..."


@pytest.fixture(scope="session")  # once: a Playwright left unstopped (below) blocks a second one
def browser() -> Iterator[Browser]:
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    try:
        yield chromium
    finally:
        chromium.close()
        # Under eventlet's monkey patching (tests/conftest.py) Playwright's last switch to
        # its dispatcher greenlet lands in eventlet's hub and never comes back, although the
        # driver has exited by then: the stop is given a few seconds and then left.
        with eventlet.Timeout(5, False):
            playwright.stop()


@pytest.fixture
def page(browser: Browser, console_suite: ConsoleSuite) -> Iterator[Page]:
    """A fresh browser context (no session) on a laptop-sized window, downloads accepted."""
    context = browser.new_context(
        base_url=console_suite.base_url,
        viewport={"width": 1280, "height": 860},
        accept_downloads=True,
        locale="zh-CN",
    )
    opened = context.new_page()
    opened.set_default_timeout(20_000)
    try:
        yield opened
    finally:
        context.close()


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as ``var/screenshots/<name>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Page, username: str = OPERATOR, password: str = OPERATOR_PASSWORD) -> None:
    """Sign in through the form with the keyboard only (type, Tab, type, Enter) and wait
    until the console has left the sign-in page."""
    try_to_sign_in(page, username, password)
    expect(page).not_to_have_url(re.compile(r"/sign-in"))


def try_to_sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("用户名 Username").fill(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
