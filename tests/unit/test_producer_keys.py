"""Authenticated producers: what a service signs, and what the registry of their keys accepts."""

from __future__ import annotations

import argparse
import base64
import json
import os
import uuid
from dataclasses import replace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gravity.audit import add_audit_commands
from shared.config import load_settings
from shared.eventlog.chain import entry_hash
from shared.eventlog.keys import KeyFileError, key_id, public_key_text
from shared.events.canonical import canonical_bytes
from shared.events.envelope import Envelope, MalformedEnvelopeError
from shared.events.producer_keys import (
    PRODUCERS_DIR,
    ProducerKeys,
    ProducerSigner,
    ensure_producer_key,
    registered_keys,
    signing_bytes,
)

RECORDED_AT = "2026-07-01T08:00:00.000000Z"


def make_envelope(**overrides: object) -> Envelope:
    values: dict[str, object] = {
        "event_type": "StudentScreened",
        "schema_version": 1,
        "stream_id": f"student-{uuid.uuid4()}",
        "stream_version": 2,
        "producer": "recruitment",
        "actor": "operator:ops-1",
        "correlation_id": "corr-1",
        "payload": {"student_id": str(uuid.uuid4()), "decision": "approved"},
    }
    values.update(overrides)
    return Envelope(**values)  # type: ignore[arg-type]


def registry(**keys: list[Ed25519PrivateKey]) -> ProducerKeys:
    return ProducerKeys(
        {service: [k.public_key() for k in owned] for service, owned in keys.items()}
    )


def settings_with_keys(tmp_path, **producer_keys: str):
    return load_settings(
        environ={},
        overrides={"keys_dir": str(tmp_path / "keys"), "producer_keys": producer_keys},
    )


RECRUITMENT, PLACEMENT = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
KEYS = registry(recruitment=[RECRUITMENT], placement=[PLACEMENT])


def test_a_signed_event_carries_its_key_id_and_a_signature_over_its_canonical_encoding():
    envelope = make_envelope()
    signed = ProducerSigner(RECRUITMENT).sign(envelope)

    assert signed.key_id == key_id(RECRUITMENT.public_key())
    RECRUITMENT.public_key().verify(
        base64.b64decode(signed.signature or ""), canonical_bytes(envelope.to_dict())
    )
    assert signing_bytes(signed) == canonical_bytes(envelope.to_dict())
    assert signed.unsigned() == envelope


def test_an_unsigned_event_keeps_the_json_and_the_hash_it_had_before_producers_signed():
    envelope = make_envelope()

    assert not {"key_id", "signature"} & set(envelope.to_dict())
    assert Envelope.from_dict(json.loads(json.dumps(envelope.to_dict()))) == envelope
    old_hash = entry_hash(1, RECORDED_AT, "0" * 64, envelope.to_dict())
    signed = ProducerSigner(RECRUITMENT).sign(envelope)
    assert entry_hash(1, RECORDED_AT, "0" * 64, signed.to_dict()) != old_hash  # chain covers it


def test_a_signed_event_survives_the_wire():
    signed = ProducerSigner(RECRUITMENT).sign(make_envelope())

    assert Envelope.from_dict(json.loads(json.dumps(signed.to_dict()))) == signed


def test_an_envelope_with_a_key_id_but_no_signature_is_malformed():
    data = make_envelope().to_dict() | {"key_id": "0123456789abcdef"}

    with pytest.raises(MalformedEnvelopeError):
        Envelope.from_dict(data)


def test_the_registry_accepts_an_event_its_producer_signed_through_its_own_exchange():
    signed = ProducerSigner(RECRUITMENT).sign(make_envelope())

    assert KEYS.refusal(signed, "recruitment.events") is None


def test_the_registry_refuses_an_unsigned_event():
    assert KEYS.refusal(make_envelope(), "recruitment.events") == "the event is not signed"


def test_the_registry_refuses_a_key_it_does_not_know():
    stranger = ProducerSigner(Ed25519PrivateKey.generate())

    reason = KEYS.refusal(stranger.sign(make_envelope()), "recruitment.events")

    assert reason == f"key {stranger.key_id} is not a registered producer key"


def test_the_registry_refuses_another_services_key():
    forged = ProducerSigner(PLACEMENT).sign(make_envelope())

    reason = KEYS.refusal(forged, "recruitment.events")

    assert reason == f"key {forged.key_id} is placement's, not recruitment's"


def test_the_registry_refuses_the_right_key_through_another_services_exchange():
    signed = ProducerSigner(RECRUITMENT).sign(make_envelope())

    reason = KEYS.refusal(signed, "placement.events")

    assert reason == "recruitment's event came through placement.events"


def test_the_registry_refuses_a_signed_event_replayed_with_a_new_id_or_other_content():
    signed = ProducerSigner(RECRUITMENT).sign(make_envelope())
    replayed = replace(signed, event_id=str(uuid.uuid4()))
    edited = replace(signed, actor="operator:forger")

    for forged in (replayed, edited):
        reason = KEYS.refusal(forged, "recruitment.events")
        assert reason == f"the signature does not verify with key {signed.key_id}"


def test_the_registry_refuses_a_signature_that_is_not_base64():
    signed = ProducerSigner(RECRUITMENT).sign(make_envelope())

    reason = KEYS.refusal(replace(signed, signature="not base64!"), "recruitment.events")

    assert reason == f"the signature does not verify with key {signed.key_id}"


def test_after_a_rotation_events_signed_with_the_old_key_still_verify():
    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    before = ProducerSigner(old).sign(make_envelope())
    after = ProducerSigner(new).sign(make_envelope())
    rotated = registry(recruitment=[old, new])

    assert rotated.refusal(before, "recruitment.events") is None
    assert rotated.refusal(after, "recruitment.events") is None


def test_one_key_may_not_belong_to_two_producers():
    with pytest.raises(KeyFileError, match="registered for two producers"):
        registry(recruitment=[RECRUITMENT], placement=[RECRUITMENT])


def test_a_service_key_is_made_once_readable_by_its_owner_only(tmp_path):
    settings = settings_with_keys(tmp_path)

    signer = ensure_producer_key(settings, "placement")

    path = tmp_path / "keys" / PRODUCERS_DIR / "placement.key"
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    assert ensure_producer_key(settings, "placement").key_id == signer.key_id
    assert path.with_suffix(".pub").is_file()


def test_the_registry_reads_key_files_and_configured_keys_and_old_keys_kept_beside(tmp_path):
    configured = Ed25519PrivateKey.generate()
    settings = settings_with_keys(tmp_path, honors=public_key_text(configured.public_key()))
    current = ensure_producer_key(settings, "recruitment")
    folder = tmp_path / "keys" / PRODUCERS_DIR
    (folder / "recruitment.pub").rename(folder / "recruitment.2026-06.pub")  # rotated away
    (folder / "recruitment.key").unlink()
    newer = ensure_producer_key(settings, "recruitment")

    found = registered_keys(settings)

    ids = {service: {key_id(key) for key in keys} for service, keys in found.items()}
    assert ids["recruitment"] == {current.key_id, newer.key_id}
    assert ids["honors"] == {key_id(configured.public_key())}
    assert ids["placement"] == set()


def test_the_registry_finds_a_key_made_after_it_was_read(tmp_path):
    settings = settings_with_keys(tmp_path)
    keys = ProducerKeys.from_settings(settings)

    signer = ensure_producer_key(settings, "volunteering")

    assert (
        keys.refusal(signer.sign(make_envelope(producer="volunteering")), "volunteering.events")
        is None
    )


def test_the_gateway_is_a_producer_with_keys_of_its_own(tmp_path):
    configured = Ed25519PrivateKey.generate()
    settings = settings_with_keys(tmp_path, gateway=public_key_text(configured.public_key()))
    made = ensure_producer_key(settings, "gateway")  # as gravity up makes it
    keys = ProducerKeys.from_settings(settings)

    assert keys.key_ids()["gateway"] == sorted([made.key_id, key_id(configured.public_key())])
    disabled = make_envelope(producer="gateway", event_type="AccountDisabled")
    assert keys.refusal(made.sign(disabled), "gateway.events") is None
    assert keys.refusal(made.sign(disabled), "recruitment.events") == (
        "gateway's event came through recruitment.events"
    )
    recruitment = ensure_producer_key(settings, "recruitment")
    assert keys.refusal(recruitment.sign(disabled), "gateway.events") == (
        f"key {recruitment.key_id} is recruitment's, not gateway's"
    )


def test_a_configured_key_that_is_not_a_key_is_refused(tmp_path):
    settings = settings_with_keys(tmp_path, placement="bm90IGEga2V5")

    with pytest.raises(KeyFileError, match=r"producer_keys\.placement"):
        registered_keys(settings)


def test_keygen_makes_a_producer_key_whose_printed_public_key_registers_it(tmp_path, capsys):
    """The Kubernetes way: a key made once, mounted as a Secret file, its public key in config."""
    parser = argparse.ArgumentParser(prog="gravity")
    add_audit_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["audit", "keygen", "--producer", "honors", "--out", str(tmp_path)])
    assert args.handler(args, load_settings(environ={})) == 0
    public = capsys.readouterr().out.split("public key ")[-1].strip()
    assert oct(os.stat(tmp_path / "honors.key").st_mode & 0o777) == "0o600"
    settings = load_settings(
        environ={
            "GRAVITY_HONORS_SIGNING_KEY": str(tmp_path / "honors.key"),
            "GRAVITY_HONORS_PUBLIC_KEYS": f"{public},{public_key_text(RECRUITMENT.public_key())}",
            "GRAVITY_KEYS_DIR": str(tmp_path / "elsewhere"),
        }
    )

    signer = ensure_producer_key(settings, "honors")
    keys = ProducerKeys.from_settings(settings)

    assert keys.refusal(signer.sign(make_envelope(producer="honors")), "honors.events") is None
    assert not (tmp_path / "elsewhere").exists()  # nothing made where a Secret is configured


def test_a_configured_private_key_that_is_missing_is_an_error_not_a_new_key(tmp_path):
    settings = load_settings(
        environ={"GRAVITY_PLACEMENT_SIGNING_KEY": str(tmp_path / "absent.key")}
    )

    with pytest.raises(KeyFileError, match="no signing key"):
        ensure_producer_key(settings, "placement")
    assert not (tmp_path / "absent.key").exists()


def test_the_registry_names_each_services_key_ids_for_the_logs():
    assert KEYS.key_ids() == {
        "placement": [key_id(PLACEMENT.public_key())],
        "recruitment": [key_id(RECRUITMENT.public_key())],
    }
