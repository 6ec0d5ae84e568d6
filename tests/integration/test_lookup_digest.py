"""The one-registration-per-ID-number index holds keyed digests (HMAC-SHA256), never plain
hashes; old plain rows still count until they are re-keyed. SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from services.recruitment.adapters.rekeying import rekey_registrations
from services.recruitment.adapters.tables import registrations
from services.recruitment.handlers import HANDLERS
from shared.config import load_settings
from shared.contracts.recruitment import commands
from shared.contracts.recruitment.errors import DuplicateRegistrationError
from shared.domain import CommandContext
from shared.eventstore.uow import UnitOfWork
from shared.lookup_digest import LookupDigest, LookupKeyError, lookup_digest, lookup_key_path
from tests.factories import make_application, make_resident_id, recruitment_keepers

CONTEXT = CommandContext(actor="operator:test", correlation_id="corr-test")
KEY_A, KEY_B = b"a" * 32, b"b" * 32


def run(engine, command, key=KEY_A):
    def make(_context):
        return UnitOfWork(
            sessionmaker(engine), "recruitment", CONTEXT, keepers=recruitment_keepers(key)
        )

    return HANDLERS.run(command, make, CONTEXT)


def open_campaign(engine, key=KEY_A):
    campaign_id = str(uuid.uuid4())
    run(
        engine,
        commands.CreateCampaign(
            campaign_id=campaign_id,
            name="Gravity 2023",
            year=2023,
            season="summer",
            registration_opens_at=datetime(2023, 1, 1, tzinfo=UTC),
            registration_closes_at=datetime(2099, 1, 1, tzinfo=UTC),
            scope="district",
            practice_content="practice",
        ),
        key,
    )
    run(engine, commands.OpenCampaign(campaign_id=campaign_id), key)
    return campaign_id


def register(engine, campaign_id, id_number, key=KEY_A):
    arguments = make_application(campaign_id=campaign_id).arguments()
    command = commands.RegisterStudent.parse(arguments | {"id_number": id_number})
    return run(engine, command, key)


def stored_digests(engine, campaign_id):
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(registrations.c.resident_id_digest, registrations.c.digest_scheme).where(
                registrations.c.campaign_id == campaign_id
            )
        ).all()
    return [tuple(row) for row in rows]


def test_the_stored_digest_is_keyed_and_not_a_plain_hash(recruitment_engine):
    campaign_id, number = open_campaign(recruitment_engine), make_resident_id(21)
    register(recruitment_engine, campaign_id, number)
    [(digest, scheme)] = stored_digests(recruitment_engine, campaign_id)
    plain = hashlib.sha256(f"{campaign_id}:{number}".encode()).hexdigest()
    keyed = hmac.new(KEY_A, f"{campaign_id}:{number}".encode(), hashlib.sha256).hexdigest()
    assert (digest, scheme) == (keyed, "hmac-sha256")
    assert digest != plain


def test_another_key_gives_another_digest_of_the_same_number(recruitment_engine):
    number = make_resident_id(22)
    campaign_id = open_campaign(recruitment_engine)
    register(recruitment_engine, campaign_id, number, KEY_A)
    with recruitment_engine.begin() as connection:
        connection.execute(registrations.delete())
    register(recruitment_engine, campaign_id, number, KEY_B)
    [(digest, _scheme)] = stored_digests(recruitment_engine, campaign_id)
    assert digest == LookupDigest(KEY_B).digest(campaign_id, number)
    assert digest != LookupDigest(KEY_A).digest(campaign_id, number)


def test_the_same_number_still_cannot_register_twice_in_a_campaign(recruitment_engine):
    campaign_id, number = open_campaign(recruitment_engine), make_resident_id(23)
    register(recruitment_engine, campaign_id, number)
    with pytest.raises(DuplicateRegistrationError):
        register(recruitment_engine, campaign_id, number)
    assert len(stored_digests(recruitment_engine, campaign_id)) == 1


def test_a_plain_row_from_before_the_key_still_refuses_its_number_until_re_keyed(
    recruitment_engine,
):
    campaign_id, number = open_campaign(recruitment_engine), make_resident_id(24)
    register(recruitment_engine, campaign_id, number)
    plain = hashlib.sha256(f"{campaign_id}:{number}".encode()).hexdigest()
    with recruitment_engine.begin() as connection:  # as an older version stored it
        connection.execute(
            registrations.update().values(resident_id_digest=plain, digest_scheme="sha256")
        )
    with pytest.raises(DuplicateRegistrationError):
        register(recruitment_engine, campaign_id, number)
    with recruitment_engine.begin() as connection:
        done = rekey_registrations(connection, LookupDigest(KEY_A))
    assert (done.replaced, done.kept) == (1, 0)
    assert stored_digests(recruitment_engine, campaign_id) == [
        (LookupDigest(KEY_A).digest(campaign_id, number), "hmac-sha256")
    ]
    with pytest.raises(DuplicateRegistrationError):
        register(recruitment_engine, campaign_id, number)
    other = open_campaign(recruitment_engine)
    register(recruitment_engine, other, make_resident_id(25))
    with recruitment_engine.begin() as connection:
        assert rekey_registrations(connection, LookupDigest(KEY_A)).replaced == 0


def test_outside_production_the_key_is_made_once_0600(tmp_path):
    settings = load_settings(environ={"GRAVITY_DATA_DIR": str(tmp_path)})
    first = lookup_digest(settings).digest("c", "n")
    path = lookup_key_path(settings)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
    assert lookup_digest(settings).digest("c", "n") == first


def test_in_production_a_missing_key_is_never_made(tmp_path):
    settings = load_settings(
        environ={"GRAVITY_DATA_DIR": str(tmp_path), "GRAVITY_ENV": "production"}
    )
    with pytest.raises(LookupKeyError, match=r"no lookup key at .*gravity privacy lookup-key"):
        lookup_digest(settings)
    assert not lookup_key_path(settings).exists()


def production_environ(tmp_path):
    return {
        **os.environ,
        "GRAVITY_ENV": "production",
        "GRAVITY_DATA_DIR": str(tmp_path),
        "GRAVITY_JWT_SECRET": "x7" * 24,
        "GRAVITY_VERIFICATION_SECRET": "k9" * 24,
        "GRAVITY_AMQP_URI": "amqp://gravity:Unguessable-5ecret@127.0.0.1:5672/",
    }


def test_a_production_recruitment_process_without_its_key_refuses_to_start(tmp_path):
    finished = subprocess.run(
        [sys.executable, "-m", "services.recruitment"],
        env=production_environ(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert finished.returncode == 2, finished.stderr[-2000:]
    assert "recruitment: no lookup key at" in finished.stderr
    assert "Traceback" not in finished.stderr


def test_gravity_up_in_production_without_the_key_refuses_before_starting_anything(tmp_path):
    finished = subprocess.run(
        [sys.executable, "-m", "gravity.cli", "up"],
        env=production_environ(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert finished.returncode == 2, finished.stderr[-2000:]
    assert "gravity: no lookup key at" in finished.stderr
    assert not list(tmp_path.glob("*.db"))  # no process started, no database made


def test_gravity_privacy_lookup_key_makes_the_key_once_and_never_prints_it(tmp_path):
    environ = {**os.environ, "GRAVITY_DATA_DIR": str(tmp_path), "GRAVITY_ENV": "production"}

    def make() -> str:
        finished = subprocess.run(
            [sys.executable, "-m", "gravity.cli", "privacy", "lookup-key"],
            env=environ,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return finished.stdout

    path = tmp_path / "keys" / "lookup" / "recruitment.key"
    assert make() == f"lookup key made at {path} (mode 0600)\n"
    key = path.read_text()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert make() == f"lookup key already at {path} (mode 0600)\n"
    assert path.read_text() == key
    assert key.strip() not in make()
