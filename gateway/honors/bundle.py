"""A recommendation's bundle: what an operator hands to a university (推优), as one ZIP.

* ``transcript.pdf``: exactly the PDF whose SHA-256 ``RecommendationSent`` recorded. The
  gateway keeps no copy: it renders the transcript again from its read models, and if that
  no longer gives the recorded bytes (a fact changed since: an award, hours, a diary, the
  public URL) the bundle is refused (``TranscriptChangedError``) rather than delivering a
  transcript other than the one recorded; a new recommendation records today's.
* ``manifest.json``: the recommendation (id, student id, campaign, university, sent at), the
  transcript's SHA-256 and public verification URL, the signing key's id and where the
  public keys are; UTF-8 JSON, keys sorted.
* ``manifest.sig``: the raw 64-byte Ed25519 signature of ``manifest.json``'s bytes, which
  ``openssl pkeyutl -verify -rawin`` checks as it is.

The bytes are reproducible: entries stored (not deflated) in a fixed order, each stamped
with the recommendation's ``sent_at``, so the same recommendation gives the same ZIP.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime

FORMAT = "gravity-recommendation-bundle/1"
TRANSCRIPT, MANIFEST, SIGNATURE = "transcript.pdf", "manifest.json", "manifest.sig"
ZIP_MEDIA_TYPE = "application/zip"
_FILE_MODE = 0o644 << 16
_UNIX = 3


class TranscriptChangedError(ValueError):
    """The transcript rendered now is not the one the recommendation recorded."""

    def __init__(self, recorded: str, rendered: str) -> None:
        super().__init__(f"transcript is {rendered}, recommendation recorded {recorded}")
        self.recorded, self.rendered = recorded, rendered


@dataclass(frozen=True)
class BundleManifest:
    """What the signature vouches for. ``transcript_sha256`` is hex, as ``sha256sum``
    prints it (the recorded ``transcript_hash`` without its ``sha256:`` prefix)."""

    recommendation_id: str
    student_id: str
    campaign_id: str
    campaign_name: str
    university: str
    sent_at: str
    transcript_sha256: str
    transcript_verification_url: str
    signing_key_id: str
    public_keys_url: str

    def encoded(self) -> bytes:
        body = {"format": FORMAT, "signature_file": SIGNATURE, "transcript_file": TRANSCRIPT}
        text = json.dumps(body | asdict(self), ensure_ascii=False, sort_keys=True, indent=2)
        return (text + "\n").encode("utf-8")


def hex_digest(recorded_hash: str) -> str:
    """``sha256:<hex>`` (as events record it) to ``<hex>``."""
    return recorded_hash.removeprefix("sha256:")


def build_bundle(
    manifest: BundleManifest, transcript_pdf: bytes, sign: Callable[[bytes], bytes]
) -> bytes:
    """The ZIP, or ``TranscriptChangedError`` if ``transcript_pdf`` is not the recorded one."""
    rendered = hashlib.sha256(transcript_pdf).hexdigest()
    if rendered != manifest.transcript_sha256:
        raise TranscriptChangedError(manifest.transcript_sha256, rendered)
    encoded = manifest.encoded()
    stamp = datetime.fromisoformat(manifest.sent_at.replace("Z", "+00:00"))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_STORED) as archive:
        for name, content in (
            (TRANSCRIPT, transcript_pdf),
            (MANIFEST, encoded),
            (SIGNATURE, sign(encoded)),
        ):
            entry = zipfile.ZipInfo(name, date_time=stamp.timetuple()[:6])
            entry.create_system, entry.external_attr = _UNIX, _FILE_MODE
            archive.writestr(entry, content)
    return output.getvalue()
