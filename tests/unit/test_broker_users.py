"""Each process's broker user: what its permissions let it touch, its password file, and the
registry's check of the user an event was published by."""

from __future__ import annotations

import re
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gravity.broker_users import consumed_producers
from shared.events.envelope import Envelope
from shared.events.producer_keys import ProducerKeys, ProducerSigner
from shared.messaging.broker_users import ensure_password, permissions, rpc_topic_permissions

PRODUCERS = ("recruitment", "placement", "volunteering", "honors", "gateway")


def allows(pattern: str, resource: str) -> bool:
    """As RabbitMQ matches a permission: the pattern anywhere in the name (ours are anchored)."""
    return re.search(pattern, resource) is not None


def test_a_service_writes_to_its_own_exchange_and_to_no_other_producers() -> None:
    granted = permissions("recruitment", PRODUCERS)
    assert allows(granted.write, "recruitment.events")
    for other in PRODUCERS[1:]:
        assert not allows(granted.write, f"{other}.events"), other
    assert not allows(granted.write, "amq.default")
    assert not allows(granted.write, "amq.topic")
    assert not allows(granted.write, "recruitment.events.extra")  # whole names only
    assert not allows(granted.write, "xrecruitment.events")


def test_a_service_uses_its_own_queues_and_the_shared_exchanges_but_not_anothers_queues() -> None:
    granted = permissions("placement", PRODUCERS, consumes=("recruitment",))
    own = [
        "rpc-placement",
        "rpc.reply-placement-3f2a9c1e-0b7d-4c1a-9e55-6f1c1e9a8a5e",
        "evt-recruitment-StudentScreened--placement.on_student_screened",
        "evt-recruitment-StudentScreened--placement.on_student_screened.dead-letter",
    ]
    for queue in own:
        assert allows(granted.configure, queue), queue
        assert allows(granted.write, queue), queue
        assert allows(granted.read, queue), queue
    for shared in ("nameko-rpc", "gravity.dead-letters"):
        assert allows(granted.write, shared), shared
        assert allows(granted.read, shared), shared
    assert allows(granted.configure, "nameko-rpc")  # nameko declares it with every RPC queue
    assert not allows(granted.configure, "gravity.dead-letters")  # gravity broker-users does
    foreign = [
        "rpc-recruitment",
        "rpc.reply-recruitment-3f2a9c1e-0b7d-4c1a-9e55-6f1c1e9a8a5e",
        "rpc.reply-placement-anything",
        "evt-placement-X--honors.on_x",
        "evt-honors-X--placement.on_x",  # a source it does not consume
        "evt-recruitment-X--placement.on_x--honors.on_y",
    ]
    for queue in foreign:
        assert not allows(granted.configure, queue), queue
        assert not allows(granted.read, queue), queue


def test_a_service_declares_only_its_own_exchange_and_binds_only_to_what_it_consumes() -> None:
    granted = permissions("placement", PRODUCERS, consumes=("recruitment",))
    assert allows(granted.configure, "placement.events")
    for other in ("recruitment", "volunteering", "honors", "gateway"):
        assert not allows(granted.configure, f"{other}.events"), other  # nor delete it
    assert allows(granted.read, "recruitment.events")
    for unconsumed in ("placement", "volunteering", "honors", "gateway"):
        assert not allows(granted.read, f"{unconsumed}.events"), unconsumed


def test_the_event_logs_queues_are_the_event_logs_alone() -> None:
    for component in PRODUCERS:
        granted = permissions(component, PRODUCERS, consumes=PRODUCERS)
        for queue in ("gravity.eventlog", "gravity.eventlog.dead-letter"):
            assert not allows(granted.configure, queue), (component, queue)
            assert not allows(granted.write, queue), (component, queue)
            assert not allows(granted.read, queue), (component, queue)


def test_a_service_that_consumes_nothing_binds_to_no_producers_exchange() -> None:
    granted = permissions("recruitment", PRODUCERS, consumes=())
    for producer in PRODUCERS:
        assert not allows(granted.read, f"{producer}.events"), producer
    assert not allows(granted.configure, "evt-placement-X--recruitment.on_x")


def test_the_event_log_reads_every_producers_exchange_and_publishes_only_its_dead_letters() -> None:
    granted = permissions("eventlog", PRODUCERS)
    for producer in PRODUCERS:
        assert allows(granted.read, f"{producer}.events"), producer
        assert allows(granted.configure, f"{producer}.events"), producer
        assert not allows(granted.write, f"{producer}.events"), producer
    for queue in ("gravity.eventlog", "gravity.eventlog.dead-letter"):
        assert allows(granted.read, queue), queue
        assert allows(granted.write, queue), queue
    assert allows(granted.write, "amq.default")
    assert not allows(granted.write, "nameko-rpc")
    assert not allows(granted.read, "rpc-recruitment")


def test_a_password_file_is_made_once_readable_by_its_owner_only(tmp_path) -> None:
    path = tmp_path / "broker" / "recruitment.password"
    first = ensure_password(path)
    assert len(first) >= 40
    assert path.stat().st_mode & 0o777 == 0o600
    assert ensure_password(path) == first
    path.write_text("\n")
    with pytest.raises(ValueError, match="holds no password"):
        ensure_password(path)


def signed_event(signer: ProducerSigner, producer: str = "recruitment") -> Envelope:
    return signer.sign(
        Envelope(
            event_type="AllianceJoined",
            schema_version=1,
            stream_id=f"student-{uuid.uuid4()}",
            stream_version=1,
            producer=producer,
            actor="student:x",
            correlation_id="corr-1",
            payload={"student_id": str(uuid.uuid4()), "campaign_id": str(uuid.uuid4())},
        )
    )


def test_without_registered_broker_users_only_the_signature_decides() -> None:
    key = Ed25519PrivateKey.generate()
    keys = ProducerKeys({"recruitment": [key.public_key()]})
    event = signed_event(ProducerSigner(key))
    for user_id in (None, "guest", "placement"):
        assert keys.publisher_refusal(event, user_id) is None


def test_an_event_from_another_login_than_its_producers_user_is_refused() -> None:
    key = Ed25519PrivateKey.generate()
    keys = ProducerKeys(
        {"recruitment": [key.public_key()], "placement": []},
        broker_users={"recruitment": "recruitment", "placement": ""},
    )
    event = signed_event(ProducerSigner(key))
    assert keys.refusal(event, "recruitment.events") is None  # signed right, right exchange
    assert keys.publisher_refusal(event, "recruitment") is None
    assert keys.publisher_refusal(event, "guest") == (
        "recruitment's event was published with broker user guest, not recruitment"
    )
    assert keys.publisher_refusal(event, None) == (
        "recruitment's event was published with no broker user_id, not recruitment"
    )
    # An empty setting registers no user: placement's events are checked by signature only.
    assert keys.publisher_refusal(signed_event(ProducerSigner(key), "placement"), "x") is None


def test_what_each_service_consumes_is_read_from_its_event_handlers() -> None:
    assert consumed_producers("placement") == ("recruitment",)
    assert consumed_producers("volunteering") == ("recruitment",)
    assert consumed_producers("honors") == ("placement", "recruitment")
    assert consumed_producers("recruitment") == ()
    assert consumed_producers("gateway") == ()  # it follows the log, not the broker
    assert consumed_producers("eventlog") is None  # no service: its permissions are its own


def test_a_service_binds_to_nameko_rpc_only_for_its_own_requests_and_its_replies() -> None:
    topic = rpc_topic_permissions("placement")
    assert topic is not None
    assert topic.exchange == "nameko-rpc"
    assert allows(topic.read, "placement.*")  # nameko's binding of rpc-placement
    assert allows(topic.read, "3f2a9c1e-0b7d-4c1a-9e55-6f1c1e9a8a5e")  # a reply queue's
    for eavesdropping in ("recruitment.*", "#", "*.*", "recruitment.register_student", "x"):
        assert not allows(topic.read, eavesdropping), eavesdropping
    assert allows(topic.write, "recruitment.register_student")  # it calls other services
    assert rpc_topic_permissions("eventlog") is None
