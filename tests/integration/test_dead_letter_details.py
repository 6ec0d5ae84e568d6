"""A parked message says how often its handler failed, why and when; so does the CLI."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

from shared.events.canonical import parse_timestamp
from shared.messaging.dead_letters import inspect_dead_letters
from tests.integration.test_reliable_consumer import (
    QUEUE,
    STATE,
    joined,
    publish,
    tally,  # noqa: F401 - the consumer fixture, used by name
    wait_for,
)


def test_a_parked_message_shows_its_attempts_its_reason_and_when(tally, amqp_uri):  # noqa: F811
    broken = joined()
    STATE["fail_for"].add(broken.event_id)
    before = datetime.now(UTC)
    publish(amqp_uri, broken)
    wait_for(lambda: len(inspect_dead_letters(amqp_uri, QUEUE)) == 1)

    [parked] = inspect_dead_letters(amqp_uri, QUEUE)
    assert parked.failed_deliveries == STATE["calls"] == 3  # the first try and 2 retries
    assert parked.reason == "RuntimeError"  # the class only: a message may quote personal data
    assert before - timedelta(seconds=1) <= parse_timestamp(parked.parked_at) <= datetime.now(UTC)

    listed = subprocess.run(
        [sys.executable, "-m", "gravity.cli", "dead-letters", "list", QUEUE],
        env={"GRAVITY_AMQP_URI": amqp_uri, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert f"{broken.event_id}  AllianceJoined  failed 3x  reason RuntimeError  parked " in listed
