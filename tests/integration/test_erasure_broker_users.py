"""Key sharing where each process has its own broker user (compose, Kubernetes): the gateway
asks recruitment for a student's key over RPC with nothing more than its own user's rights (its
reply queue is named after it) and its read model shows the registration in plain text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.integration.test_broker_users import gateway_and_recruitment_as_own_users
from tests.integration.test_gateway_api import make_registration, wait_for

NAME = "欧阳明轩"


def test_the_gateway_gets_a_students_key_as_its_own_broker_user(
    amqp_uri: str, tmp_path: Path, container_factory: Any
) -> None:
    with gateway_and_recruitment_as_own_users(amqp_uri, tmp_path, container_factory) as stack:
        campaign_id = stack.open_campaign()
        created = stack.call(
            "POST",
            f"/api/v1/campaigns/{campaign_id}/registrations",
            json=make_registration(3, name=NAME),
        )
        assert created.status_code == 201, created.text
        student_id = created.json()["student_id"]
        profile = wait_for(
            lambda: stack.call("GET", f"/api/v1/students/{student_id}"),
            lambda answer: answer.status_code == 200,
        )
        assert profile.json()["name"] == NAME
