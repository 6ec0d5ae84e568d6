"""Retention erases each field class on its own rule, over the real log and services (SQLite
and PostgreSQL read models): with the ID-number rule due and the phone rule not, only the ID
number reads ``[erased]``, its keys are gone in every component and its plain text from every
file and table, while the name and phone still read back; the phone goes when its rule comes.
A redelivered or re-projected erasure changes nothing, and the log verifies and replays."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from structlog.testing import capture_logs

from gateway.core.replay import replay_read_models
from gateway.sections import SECTIONS
from gravity.retention_run import read_facts, run_retention
from shared.eventlog.verify import verify_chain
from shared.events.envelope import Envelope
from shared.eventstore.database import create_database_engine
from shared.eventstore.store import row_to_envelope
from shared.eventstore.tables import events
from shared.privacy.classes import CONTACT, IDENTITY, NAME
from shared.privacy.sealing import ERASED
from tests.factories import make_resident_id
from tests.integration.test_gateway_api import wait_for
from tests.integration.test_gateway_lists import open_campaign, register
from tests.integration.test_gateway_placement import PlacementStack, settings, stack
from tests.integration.test_retention import RULES, days_on
from tests.support.broker import publish_events

__all__ = ["settings", "stack"]  # the placement tests' fixtures, used here as they are
STUDENT_NAME, STUDENT_PHONE, SEED = "慕容思远", "13600004321", 74
ID_NUMBER = make_resident_id(SEED)


def profile(stack: PlacementStack, student_id: str) -> tuple[str, str, str] | None:
    """The student's personal fields as the read models give them (None: not projected yet)."""
    answer = stack.call("GET", f"/students/{student_id}")
    if answer.status_code == 404:
        return None
    found = answer.json()
    return found["name"], found["phone"], found["id_number"]


def live_classes(stack: PlacementStack, component: str, student_id: str) -> dict[str, bool]:
    """Each field class the component has a key row of, for the student: live or not."""
    engine = create_database_engine(stack.settings.database_url(component), reader=True)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT field_class, wrapped_key FROM subject_keys WHERE subject_id = :s"),
                {"s": student_id},
            ).all()
    finally:
        engine.dispose()
    return {row.field_class: row.wrapped_key is not None for row in rows}


def holding_id_number(stack: PlacementStack) -> list[str]:
    """Every data file, and every PostgreSQL table of the gateway, that holds the ID number."""
    value = ID_NUMBER.encode()
    found = [p.name for p in sorted(stack.settings.data_dir.rglob("*")) if _holds(p, value)]
    url = stack.settings.databases.get("gateway", "")
    if url:
        engine = create_database_engine(url)
        try:
            with engine.connect() as connection:
                for table in sa.inspect(connection).get_table_names():
                    rows = connection.execute(sa.text(f'SELECT * FROM "{table}"'))
                    found += [table for row in rows if ID_NUMBER in repr(tuple(row))]
        finally:
            engine.dispose()
    return found


def _holds(path: Path, value: bytes) -> bool:
    return path.is_file() and value in path.read_bytes()


def stored_erasures(stack: PlacementStack) -> list[Envelope]:
    engine = create_database_engine(stack.settings.database_url("recruitment"), reader=True)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.select(events)
                .where(events.c.event_type == "SubjectErased")
                .order_by(events.c.seq)
            ).all()
        return [row_to_envelope(row) for row in rows]
    finally:
        engine.dispose()


def reapply_every_event(stack: PlacementStack) -> None:
    """The gateway's projector reads the log again from the start, up to where it was."""
    gateway = create_database_engine(stack.settings.database_url("gateway"))
    try:
        with gateway.begin() as connection:
            position = connection.execute(sa.text("SELECT position FROM checkpoint")).scalar_one()
            connection.execute(sa.text("UPDATE checkpoint SET position = 0"))

        def now() -> int:
            with gateway.connect() as connection:
                return int(
                    connection.execute(sa.text("SELECT position FROM checkpoint")).scalar_one()
                )

        wait_for(now, lambda at: at >= position)
    finally:
        gateway.dispose()


def retention(stack: PlacementStack, settings: Any, capsys: Any, days: int, *, dry: bool) -> str:
    assert run_retention(settings, dry_run=dry, now_text=days_on(days)) == 0
    return str(capsys.readouterr().out)


def test_retention_erases_the_id_number_first_and_the_phone_on_its_own_rule(stack, capsys):
    campaign_id = open_campaign(stack)
    student = register(stack, campaign_id, SEED, name=STUDENT_NAME, phone=STUDENT_PHONE)
    whole = (STUDENT_NAME, STUDENT_PHONE, ID_NUMBER)
    wait_for(lambda: profile(stack, student), lambda found: found == whole)
    stack.ok("POST", f"/campaigns/{campaign_id}/close")
    settings = dataclasses.replace(stack.settings, retention=RULES)
    wait_for(lambda: read_facts(settings).closed_at, lambda closed: campaign_id in closed)

    listed = retention(stack, settings, capsys, 200, dry=True)  # the ID number's rule only
    assert f"{student}  id_number  resident_id_days_after_campaign_end=180  due " in listed
    assert f"{student}  phone" not in listed
    assert "1 field(s) of 1 student(s) would be erased" in listed
    assert "1 field(s) not yet due" in listed
    assert f"{student}  id_number  erased" in retention(stack, settings, capsys, 200, dry=False)

    after_identity = (STUDENT_NAME, STUDENT_PHONE, ERASED)
    wait_for(lambda: profile(stack, student), lambda found: found == after_identity)
    for component in ("recruitment", "placement", "gateway"):
        keys = wait_for(
            lambda c=component: live_classes(stack, c, student), lambda k: IDENTITY in k
        )
        assert keys[IDENTITY] is False, component
    assert live_classes(stack, "recruitment", student) == {
        IDENTITY: False,
        CONTACT: True,
        NAME: True,
    }
    assert live_classes(stack, "gateway", student) == {IDENTITY: False, CONTACT: True, NAME: True}
    assert holding_id_number(stack) == []

    [identity_erasure] = stored_erasures(stack)
    assert identity_erasure.payload["field_classes"] == [IDENTITY]
    with capture_logs() as logs:  # placement gets the same erasure again: found in its inbox
        publish_events(stack.settings.amqp_uri, [identity_erasure], stack.settings.keys_dir)
        wait_for(lambda: [x for x in logs if x["event"] == "event.already_consumed"], bool)
    assert live_classes(stack, "placement", student)[IDENTITY] is False
    assert "0 field(s) of 0 student(s) to erase" in retention(
        stack, settings, capsys, 200, dry=False
    )

    listed = retention(stack, settings, capsys, 400, dry=True)  # now the phone's rule too
    assert f"{student}  phone  phone_days_after_alliance_left=365  due " in listed
    assert f"{student}  id_number" not in listed
    assert f"{student}  phone  erased" in retention(stack, settings, capsys, 400, dry=False)
    after_contact = (STUDENT_NAME, ERASED, ERASED)
    wait_for(lambda: profile(stack, student), lambda found: found == after_contact)
    assert live_classes(stack, "recruitment", student) == {
        IDENTITY: False,
        CONTACT: False,
        NAME: True,
    }
    assert [e.payload["field_classes"] for e in stored_erasures(stack)] == [[IDENTITY], [CONTACT]]
    assert "0 field(s) of 0 student(s) to erase" in retention(
        stack, settings, capsys, 400, dry=False
    )

    reapply_every_event(stack)  # both erasures applied again by the live read models
    assert profile(stack, student) == after_contact

    log = create_database_engine(stack.settings.database_url("eventlog"), reader=True)
    try:
        assert verify_chain(log, workers=1).ok
    finally:
        log.dispose()
    replay = replay_read_models(stack.settings, SECTIONS, progress=False)
    assert replay.equal, replay.differences
    assert profile(stack, student) == after_contact
