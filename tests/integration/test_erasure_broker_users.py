"""Key sharing where each process has its own broker user (compose, Kubernetes): the gateway
asks recruitment for a student's key over RPC with nothing more than its own user's rights (its
reply queue is named after it) and its read model shows the registration in plain text."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import Any

import requests

from gateway.core.process import gateway_config, prepare_databases
from gateway.service import GatewayService
from gravity.broker_users import ManagementApi, apply_broker_users
from services.recruitment.service import RecruitmentService
from shared.eventlog.process import event_log_consumer
from shared.events.producers import producers as producers_of
from shared.eventstore.database import create_database_engine
from shared.messaging.broker_users import BrokerUser
from shared.messaging.topology import amqp_parameters
from shared.migrations import upgrade_to_head
from shared.process import nameko_config
from tests.integration.test_broker_users import FAST, Logins
from tests.integration.test_gateway_api import Stack, make_registration, make_settings, wait_for
from tests.support.broker import AUTH, MANAGEMENT

NAME = "欧阳明轩"


def test_the_gateway_gets_a_students_key_as_its_own_broker_user(
    amqp_uri: str, tmp_path: Path, container_factory: Any
) -> None:
    suffix = uuid.uuid4().hex[:8]
    components = ("recruitment", "gateway", "eventlog")
    users = {c: BrokerUser(f"{c}-{suffix}", c, uuid.uuid4().hex) for c in components}
    api = ManagementApi(MANAGEMENT.removesuffix("/api"), *AUTH)
    vhost = str(amqp_parameters(amqp_uri)["virtual_host"])
    logins = Logins(amqp_uri, users)
    registered = {"recruitment": users["recruitment"].name, "gateway": users["gateway"].name}
    settings = {
        c: make_settings(tmp_path, logins.uri(c), broker_users=registered, services=["recruitment"])
        for c in components
    }
    upgrade_to_head(
        settings["recruitment"].database_url("recruitment"), "services.recruitment.migrations"
    )
    prepare_databases(settings["gateway"])
    apply_broker_users(api, vhost, list(users.values()), producers_of(settings["gateway"]))
    try:
        with event_log_consumer(settings["eventlog"], FAST) as consumer:
            worker = threading.Thread(target=consumer.run, daemon=True)
            worker.start()
            log = create_database_engine(settings["eventlog"].database_url("eventlog"))
            recruitment = container_factory(
                RecruitmentService, nameko_config(settings["recruitment"], "recruitment")
            )
            gateway = container_factory(GatewayService, gateway_config(settings["gateway"]))
            try:
                recruitment.start()
                gateway.start()
                url = f"http://127.0.0.1:{settings['gateway'].gateway_port}"
                stack = Stack(settings["gateway"], url, log, log)
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
            finally:
                gateway.stop()  # before their users are deleted
                recruitment.stop()
                consumer.stop()
                worker.join(10)
                log.dispose()
    finally:
        for user in users.values():
            requests.delete(f"{MANAGEMENT}/users/{user.name}", auth=AUTH, timeout=10)
