"""Erasure of a student registered through the real gateway (docs/privacy.md): their name,
phone and ID number are sealed before any store holds them, read in plain text through the
gateway while their keys live, and read ``[erased]`` everywhere once an operator erased them,
while the log still verifies, replays, and the campaign's counts stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from nameko.standalone.rpc import ClusterRpcProxy
from structlog.testing import capture_logs

from gateway.core.replay import replay_read_models
from gateway.sections import SECTIONS
from services.placement.adapters.registered_names import note_name
from services.placement.service import PlacementService
from services.recruitment.service import RecruitmentService
from shared.config import load_settings
from shared.eventlog.verify import verify_chain
from shared.events.envelope import Envelope
from shared.events.producer_keys import ensure_producer_key
from shared.eventstore.database import create_database_engine
from shared.eventstore.store import row_to_envelope
from shared.eventstore.tables import events
from shared.migrations import upgrade_to_head
from shared.privacy.sealing import ERASED, is_sealed
from shared.privacy.sharing import KeyRequester
from shared.process import nameko_config
from tests.factories import make_resident_id
from tests.integration import test_gateway_api
from tests.integration.test_gateway_api import Stack, make_registration, wait_for
from tests.support.broker import publish_events

settings = test_gateway_api.settings  # the fixtures: SQLite, and the gateway on PostgreSQL
stack = test_gateway_api.stack

NAME, PHONE, SEED = "欧阳明轩", "13700001234", 7


def plaintexts() -> list[bytes]:
    return [value.encode() for value in (NAME, PHONE, make_resident_id(SEED))]


def files_holding_plaintext(data_dir: Path) -> list[str]:
    """Every file of the data dir (databases, their -wal and -shm, keys) holding a value."""
    found = []
    for path in sorted(data_dir.rglob("*")):
        if path.is_file():
            raw = path.read_bytes()
            found += [f"{path.name}: {value!r}" for value in plaintexts() if value in raw]
    return found


def recruitment_files(stack: Stack) -> list[Path]:
    database = Path(stack.settings.database_url("recruitment").removeprefix("sqlite:///"))
    return sorted(database.parent.glob("recruitment.db*"))


def postgres_rows_holding_plaintext(settings: object) -> list[str]:
    url = settings.databases.get("gateway", "")  # type: ignore[attr-defined]
    if not url:
        return []
    engine = create_database_engine(url)
    found = []
    try:
        with engine.connect() as connection:
            for table in sa.inspect(connection).get_table_names():
                for row in connection.execute(sa.text(f'SELECT * FROM "{table}"')):
                    text = repr(tuple(row)).encode()
                    found += [
                        f"{table}: {v!r}"
                        for v in plaintexts()
                        if v.decode() in repr(tuple(row)) or v in text
                    ]
    finally:
        engine.dispose()
    return found


def recruitment_events(settings: Any, event_type: str) -> list[Envelope]:
    """Recruitment's events of ``event_type`` as it stored (and its relay published) them."""
    engine = create_database_engine(settings.database_url("recruitment"), reader=True)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.select(events).where(events.c.event_type == event_type))
            return [row_to_envelope(row) for row in rows]
    finally:
        engine.dispose()


def registered_name_over_rpc(recruitment: Any, settings: Any, student_id: object) -> Any:
    """Recruitment's answer to placement's question for a student's name, signed with
    placement's producer key as placement signs it."""
    placement = KeyRequester("placement", ensure_producer_key(settings, "placement"))
    return recruitment.registered_name(placement.signed({"student_id": student_id}))


def register_over_rpc(recruitment: Any, context: dict[str, str], body: dict[str, Any]) -> str:
    """The id of a student registered with ``body`` in a new open campaign, over RPC."""
    now = datetime.now(UTC)
    campaign = recruitment.create_campaign(
        context,
        {
            "name": "Gravity Plan summer",
            "year": now.year,
            "season": "summer",
            "registration_opens_at": (now - timedelta(days=1)).isoformat(),
            "registration_closes_at": (now + timedelta(days=9)).isoformat(),
            "scope": "home-district students",
            "practice_content": "host units",
        },
    )
    recruitment.open_campaign(context, {"campaign_id": campaign["campaign_id"]})
    registration = body | {"campaign_id": campaign["campaign_id"]}
    return str(recruitment.register_student(context, registration)["student_id"])


def stored_erasure(settings: Any) -> Envelope:
    """Recruitment's SubjectErased as it stored (and its relay published) it."""
    [erasure] = recruitment_events(settings, "SubjectErased")
    return erasure


def register(stack: Stack) -> tuple[str, str]:
    campaign_id = stack.open_campaign()
    body = make_registration(SEED, name=NAME, phone=PHONE)
    created = stack.call("POST", f"/api/v1/campaigns/{campaign_id}/registrations", json=body)
    assert created.status_code == 201, created.text
    return campaign_id, str(created.json()["student_id"])


def test_an_erased_student_leaves_no_plaintext_and_the_log_still_verifies(stack: Stack) -> None:
    with capture_logs() as logs:
        campaign_id, student_id = register(stack)
        profile = wait_for(
            lambda: stack.call("GET", f"/api/v1/students/{student_id}"),
            lambda r: r.status_code == 200,
        ).json()
        assert (profile["name"], profile["phone"]) == (NAME, PHONE)  # opened with its key
        stored = b"".join(p.read_bytes() for p in recruitment_files(stack))
        assert not [v for v in plaintexts() if v in stored], "sealed before it is stored"
        report = stack.call("GET", f"/api/v1/campaigns/{campaign_id}/report").json()
        with stack.recruitment_db.connect() as connection:
            wrapped = (
                connection.execute(
                    sa.text("SELECT wrapped_key FROM subject_keys WHERE subject_id = :s"),
                    {"s": student_id},
                )
                .scalars()
                .all()
            )
        assert len(wrapped) == 3  # one data key per field class: name, phone, ID number

        erased = stack.call(
            "POST",
            f"/api/v1/students/{student_id}/erasure",
            json={"reason": "the student's request of 1 July"},
        )
        assert erased.status_code == 200, erased.text
        wait_for(
            lambda: stack.call("GET", f"/api/v1/students/{student_id}").json(),
            lambda p: p["name"] == ERASED,
        )
        again = stack.call(
            "POST",
            f"/api/v1/students/{student_id}/erasure",
            json={"reason": "asked twice"},
        )
        assert again.status_code == 200, again.text
        assert len(stack.recruitment_events("SubjectErased")) == 1

    profile = stack.call("GET", f"/api/v1/students/{student_id}").json()
    assert (profile["name"], profile["phone"], profile["id_number"]) == (ERASED,) * 3
    assert profile["university"] == "Henan University"  # non-personal facts stay
    after = stack.call("GET", f"/api/v1/campaigns/{campaign_id}/report").json()
    assert after | {"as_of_position": 0} == report | {"as_of_position": 0}
    assert files_holding_plaintext(stack.settings.data_dir) == []
    # the destroyed keys' wrapped bytes are gone from recruitment's file and its WAL too
    stored = b"".join(p.read_bytes() for p in recruitment_files(stack))
    assert [key for key in wrapped if key.encode() in stored] == []
    assert postgres_rows_holding_plaintext(stack.settings) == []
    assert not [v for v in plaintexts() if v.decode() in repr(logs)]

    log = create_database_engine(stack.settings.database_url("eventlog"), reader=True)
    try:
        assert verify_chain(log, workers=1).ok
    finally:
        log.dispose()
    replay = replay_read_models(stack.settings, SECTIONS, progress=False)
    assert replay.equal, replay.differences


def test_an_erasure_applied_again_by_the_read_models_changes_nothing(stack: Stack) -> None:
    _campaign_id, student_id = register(stack)
    wait_for(lambda: stack.call("GET", f"/api/v1/students/{student_id}"), lambda r: r.ok)
    body = {"reason": "the student's request"}
    assert stack.call("POST", f"/api/v1/students/{student_id}/erasure", json=body).ok
    wait_for(
        lambda: stack.call("GET", f"/api/v1/students/{student_id}").json(),
        lambda p: p["name"] == ERASED,
    )
    with stack.gateway_db.connect() as connection:
        position = connection.execute(sa.text("SELECT position FROM checkpoint")).scalar_one()
    gateway = create_database_engine(stack.settings.database_url("gateway"))
    try:
        with gateway.begin() as connection:  # the projector re-reads the log from the start
            connection.execute(sa.text("UPDATE checkpoint SET position = 0"))
    finally:
        gateway.dispose()
    wait_for(
        lambda: (
            stack.gateway_db.connect()
            .execute(sa.text("SELECT position FROM checkpoint"))
            .scalar_one()
        ),
        lambda now: now >= position,
    )
    profile = stack.call("GET", f"/api/v1/students/{student_id}").json()
    assert (profile["name"], profile["phone"], profile["id_number"]) == (ERASED,) * 3


def test_an_erasure_during_placements_outage_completes_when_it_comes_back(
    tmp_path: Path, amqp_uri: str, container_factory: Any, rabbit_config: dict[str, Any]
) -> None:
    settings = load_settings(
        environ={},
        overrides={"amqp_uri": amqp_uri, "data_dir": str(tmp_path / "var"), "rpc_timeout": 5},
    )
    for service in ("recruitment", "placement"):
        upgrade_to_head(settings.database_url(service), f"services.{service}.migrations")
    container_factory(RecruitmentService, nameko_config(settings, "recruitment")).start()
    placement = container_factory(PlacementService, nameko_config(settings, "placement"))
    placement.start()
    placement_db = create_database_engine(settings.database_url("placement"), reader=True)
    context = {"actor": "operator:op-1", "correlation_id": "corr-erasure"}
    with ClusterRpcProxy(rabbit_config) as cluster:
        recruitment = cluster.recruitment
        body = make_registration(SEED, name=NAME, phone=PHONE)
        student_id = register_over_rpc(recruitment, context, body)

        def registered_name() -> str | None:
            with placement_db.connect() as connection:
                return connection.execute(
                    sa.text("SELECT name FROM registered_names WHERE student_id = :s"),
                    {"s": student_id},
                ).scalar()

        # recruitment answers placement's question with the name as it stored it: sealed,
        # bound to the registration; placement keeps it so once it checked a policy
        answer = registered_name_over_rpc(recruitment, settings, student_id)
        registration = recruitment_events(settings, "StudentRegistered")[0]
        assert answer == {"name": registration.payload["name"], "sealed_in": registration.event_id}
        assert is_sealed(answer["name"])
        placement_writer = create_database_engine(settings.database_url("placement"))
        with placement_writer.begin() as connection:
            note_name(connection, student_id, answer["name"], answer["sealed_in"])
        placement_writer.dispose()
        placement.stop()
        recruitment.erase_student(context, {"student_id": student_id, "reason": "request"})
        assert registered_name_over_rpc(recruitment, settings, student_id) == {"erased": True}
        container_factory(PlacementService, nameko_config(settings, "placement")).start()
        wait_for(registered_name, lambda name: name is None)

        with capture_logs() as logs:  # the same SubjectErased once more: found in the inbox
            publish_events(amqp_uri, [stored_erasure(settings)], settings.keys_dir)
            wait_for(
                lambda: [line for line in logs if line["event"] == "event.already_consumed"],
                bool,
            )
        assert [line for line in logs if line["event"] == "privacy.subject_erased"] == []

    with placement_db.connect() as connection:
        live = connection.execute(
            sa.text("SELECT count(*) FROM subject_keys WHERE wrapped_key IS NOT NULL")
        ).scalar_one()
    placement_db.dispose()
    assert live == 0
    assert files_holding_plaintext(settings.data_dir) == []


def test_an_erasure_naming_the_identity_class_erases_the_id_number_alone(stack: Stack) -> None:
    _campaign_id, student_id = register(stack)
    wait_for(lambda: stack.call("GET", f"/api/v1/students/{student_id}"), lambda r: r.ok)
    path = f"/api/v1/students/{student_id}/erasure"
    unknown = stack.call("POST", path, json={"reason": "r", "field_classes": ["hobbies"]})
    assert unknown.status_code == 422, unknown.text
    body = {"reason": "the student's request", "field_classes": ["identity"]}
    assert stack.call("POST", path, json=body).ok
    profile = wait_for(
        lambda: stack.call("GET", f"/api/v1/students/{student_id}").json(),
        lambda p: p["id_number"] == ERASED,
    )
    assert (profile["name"], profile["phone"]) == (NAME, PHONE)
    assert [
        v
        for v in plaintexts()[2:]
        if v
        in b"".join(
            p.read_bytes() for p in sorted(stack.settings.data_dir.rglob("*")) if p.is_file()
        )
    ] == []
    assert stack.call("POST", path, json={"reason": "the rest"}).ok
    wait_for(
        lambda: stack.call("GET", f"/api/v1/students/{student_id}").json(),
        lambda p: (p["name"], p["phone"]) == (ERASED, ERASED),
    )
    assert len(stack.recruitment_events("SubjectErased")) == 2
