"""The projector's heartbeat: the subscription beats on every turn, applied or failed; the
image's health check calls a stale beat a stuck process and a missing one a start."""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest
from structlog.testing import capture_logs

from gateway.core.projector import Projector
from gateway.core.subscription import CatchUpSubscription
from gateway.projector.heartbeat import (
    HEARTBEAT_VARIABLE,
    STALE_AFTER_SECONDS,
    Heartbeat,
    heartbeat_problem,
)
from shared.eventlog import EventLogReader
from tests.unit.test_subscription_checkpoint import engines, log, projector  # noqa: F401

IMAGE = Path(__file__).resolve().parents[2] / "deploy" / "image"


class Stop(Exception):
    pass


def test_a_beat_touches_the_file_at_most_once_a_second(tmp_path: Path) -> None:
    now = [100.0]
    path = tmp_path / "beat"
    heartbeat = Heartbeat(path, clock=lambda: now[0])
    heartbeat.beat()
    assert path.exists()
    os.utime(path, (0, 0))
    now[0] += 0.5
    heartbeat.beat()
    assert path.stat().st_mtime == 0  # within the second: not touched again
    now[0] += 0.6
    heartbeat.beat()
    assert path.stat().st_mtime > time.time() - 60


def test_a_beat_that_cannot_be_written_is_logged_and_the_loop_goes_on(tmp_path: Path) -> None:
    heartbeat = Heartbeat(tmp_path / "no-such-folder" / "beat")
    with capture_logs() as logs:
        heartbeat.beat()  # does not raise
    assert [line["event"] for line in logs] == ["projector.heartbeat_failed"]


def test_a_stale_beat_is_a_stuck_process_and_none_yet_is_a_start(tmp_path: Path) -> None:
    path = tmp_path / "beat"
    problem, dead = heartbeat_problem(path)
    assert (dead, "not polled" in str(problem)) == (False, True)
    path.touch()
    assert heartbeat_problem(path) == (None, False)
    problem, dead = heartbeat_problem(path, now=time.time() + STALE_AFTER_SECONDS + 5)
    assert dead
    assert "last polled the event log" in str(problem)


def test_the_subscription_beats_on_every_turn_also_while_the_log_fails(
    projector: Projector,  # noqa: F811 - the fixture
) -> None:
    class FailingReader(EventLogReader):
        @property
        def engine(self):  # type: ignore[no-untyped-def]
            raise OSError("the event log's database is away")

    beats: list[int] = []
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 3:
            raise Stop

    subscription = CatchUpSubscription(
        FailingReader.__new__(FailingReader),
        projector,
        sleep=sleep,
        beat=lambda: beats.append(1),
    )
    with pytest.raises(Stop):
        subscription.run()
    assert len(beats) == 3  # a turn that failed beats too: the loop runs, the log is away


def healthcheck() -> ModuleType:
    sys.path.insert(0, str(IMAGE))
    try:
        spec = importlib.util.spec_from_file_location("image_healthcheck", IMAGE / "healthcheck.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # its dataclasses look their module up
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(IMAGE))


def test_the_image_health_check_judges_the_projector_by_its_heartbeat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    check = healthcheck()
    path = tmp_path / "beat"
    monkeypatch.setenv(HEARTBEAT_VARIABLE, str(path))
    assert check.check_projector() == check.Verdict(
        "the projector has not polled the event log yet"
    )
    path.touch()
    assert check.check_projector() == check.Verdict()
    old = time.time() - STALE_AFTER_SECONDS - 30
    os.utime(path, (old, old))
    stale = check.check_projector()
    assert stale.dead
    assert "last polled" in str(stale.problem)
    monkeypatch.delenv(HEARTBEAT_VARIABLE)
    assert check.check_projector() == check.Verdict()  # outside the image: nothing to judge
