"""The recommendation bundle without a broker: what the ZIP holds, that its bytes repeat, that
the signature checks with the public key alone and fails on a touched manifest, and that a
transcript other than the recorded one is refused; the documents key's file and rotation."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import uuid
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from gateway.core.openapi import openapi_document
from gateway.honors.bundle import (
    FORMAT,
    BundleManifest,
    TranscriptChangedError,
    build_bundle,
    hex_digest,
)
from gateway.honors.signing import DocumentsSigner, documents_key_path
from gateway.sections import ROUTES
from shared.config import load_settings
from shared.eventlog.keys import ensure_private_key, key_id

PDF = b"%PDF-1.4 a transcript standing in for the rendered one\n%%EOF\n"


def make_manifest(**overrides: str) -> BundleManifest:
    fields = {
        "recommendation_id": str(uuid.uuid4()),
        "student_id": str(uuid.uuid4()),
        "campaign_id": str(uuid.uuid4()),
        "campaign_name": "2023年引力计划暑期社会实践",
        "university": "河南大学",
        "sent_at": "2023-08-30T09:15:00.000000Z",
        "transcript_sha256": hashlib.sha256(PDF).hexdigest(),
        "transcript_verification_url": "https://gravity.example.org/verify/TR-x?code=ABC",
        "signing_key_id": "0123456789abcdef",
        "public_keys_url": "https://gravity.example.org/verify/keys",
    }
    return BundleManifest(**(fields | overrides))


@pytest.fixture
def signer(tmp_path: Path) -> DocumentsSigner:
    return DocumentsSigner.from_path(tmp_path / "documents" / "documents.key")


def unzip(bundle: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def public_key_of(signer: DocumentsSigner) -> Ed25519PublicKey:
    [entry] = signer.public_keys()
    key = load_pem_public_key(entry["pem"].encode())
    assert isinstance(key, Ed25519PublicKey)
    return key


def test_a_bundle_holds_the_transcript_the_manifest_and_its_signature_in_that_order(signer):
    manifest = make_manifest()
    bundle = build_bundle(manifest, PDF, signer.sign)
    files = unzip(bundle)
    assert list(files) == ["transcript.pdf", "manifest.json", "manifest.sig"]
    assert files["transcript.pdf"] == PDF
    read = json.loads(files["manifest.json"])
    assert read["format"] == FORMAT
    assert read["university"] == "河南大学"
    assert read["transcript_sha256"] == hashlib.sha256(PDF).hexdigest()
    assert len(files["manifest.sig"]) == 64


def test_the_same_recommendation_gives_the_same_bytes_stamped_with_when_it_was_sent(signer):
    manifest = make_manifest()
    first = build_bundle(manifest, PDF, signer.sign)
    again = build_bundle(manifest, PDF, signer.sign)
    assert first == again
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        stamps = {entry.date_time for entry in archive.infolist()}
        assert {entry.compress_type for entry in archive.infolist()} == {zipfile.ZIP_STORED}
    assert stamps == {(2023, 8, 30, 9, 15, 0)}


def test_the_signature_checks_with_the_public_key_and_fails_on_a_touched_manifest(signer):
    files = unzip(build_bundle(make_manifest(), PDF, signer.sign))
    key = public_key_of(signer)
    key.verify(files["manifest.sig"], files["manifest.json"])
    touched = files["manifest.json"].replace("河南大学".encode(), "郑州大学".encode())
    with pytest.raises(InvalidSignature):
        key.verify(files["manifest.sig"], touched)


def test_a_transcript_other_than_the_recorded_one_is_refused(signer):
    with pytest.raises(TranscriptChangedError) as changed:
        build_bundle(make_manifest(), PDF + b" ", signer.sign)
    assert changed.value.recorded == hashlib.sha256(PDF).hexdigest()
    assert changed.value.rendered == hashlib.sha256(PDF + b" ").hexdigest()


def test_the_manifest_never_holds_a_name_only_ids_and_the_university():
    text = make_manifest().encoded().decode()
    assert set(json.loads(text)) == {
        "format",
        "signature_file",
        "transcript_file",
        *make_manifest().__dataclass_fields__,
    }
    assert text.endswith("}\n")
    assert replace(make_manifest(), university="x").encoded() != make_manifest().encoded()


def test_a_recorded_hash_is_compared_without_its_prefix():
    assert hex_digest("sha256:" + "ab" * 32) == "ab" * 32


def test_the_documents_key_is_made_once_in_a_folder_apart_from_the_logs_keyring(tmp_path):
    settings = load_settings(environ={"GRAVITY_DATA_DIR": str(tmp_path)})
    path = documents_key_path(settings)
    assert path == tmp_path / "keys" / "documents" / "documents.key"
    first = DocumentsSigner.from_path(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert DocumentsSigner.from_path(path).key_id == first.key_id
    assert list((tmp_path / "keys").glob("*.pub")) == []  # the log's keyring never sees it


def test_a_retired_public_key_kept_beside_the_key_is_still_listed(tmp_path, signer):
    folder = tmp_path / "documents"
    retired = ensure_private_key(tmp_path / "old" / "documents.key")
    (folder / "2023.pub").write_bytes((tmp_path / "old" / "documents.pub").read_bytes())
    listed = DocumentsSigner.from_path(folder / "documents.key").public_keys()
    assert [entry["key_id"] for entry in listed] == [
        signer.key_id,
        key_id(retired.public_key()),
    ]
    raw = base64.b64decode(listed[0]["public_key"])
    assert Ed25519PublicKey.from_public_bytes(raw) == public_key_of(signer)


def test_the_bundle_and_the_public_keys_are_in_the_api_document():
    paths = openapi_document(ROUTES)["paths"]
    bundle = paths["/api/v1/recommendations/{recommendation_id}/bundle"]["get"]
    assert list(bundle["responses"]["200"]["content"]) == ["application/zip"]
    assert "TRANSCRIPT_CHANGED" in bundle["responses"]["409"]["description"]
    keys = paths["/verify/keys"]["get"]
    assert keys["security"] == []
