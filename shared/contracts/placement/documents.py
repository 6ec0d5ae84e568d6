"""The documents a placed student signs (the practice notice and the confidentiality
commitment): an operator publishes each version's text, and a signature must name a published
version and its hash."""

from __future__ import annotations

import uuid
from typing import Annotated

from marshmallow import fields, validate

from shared.contracts.fields import Text, one_of
from shared.contracts.placement import errors
from shared.contracts.placement.events import DOCUMENT_KINDS
from shared.contracts.records import Command, Event

_DOCUMENTS = uuid.UUID("0b0c5b8e-3f7e-4c57-9d2a-6a1f3b9c2e41")  # namespace of version ids

Kind = Annotated[str, one_of(DOCUMENT_KINDS)]
Version = Annotated[str, Text(40, metadata={"example": "2026.1"})]


def document_version_id(document_kind: str, version: str) -> str:
    """The one id of a kind's version: publishing and signing find it alike."""
    return str(uuid.uuid5(_DOCUMENTS, f"{document_kind}\n{version}"))


class PublishDocument(Command, service="placement", refusals=(errors.DocumentVersionError,)):
    """A version of the practice notice or the confidentiality commitment, with its whole
    text; its content hash is computed on publication (``sha256:`` of the UTF-8 text)."""

    document_kind: Kind
    version: Version
    text: Annotated[str, Text(20_000)]


class DocumentPublished(Event):
    document_kind: Annotated[str, fields.String(validate=validate.OneOf(DOCUMENT_KINDS))]
    version: Annotated[str, fields.String()]
    content_hash: Annotated[str, fields.String()]
    text: Annotated[str, fields.String()]
