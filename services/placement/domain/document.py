"""A published document version: the text a placed student signs, fixed by its hash.

An operator publishes each version of the practice notice (实践活动告知书) and the
confidentiality commitment (保密承诺书); a signature must name a published version and carry
its content hash, so that what a student signed can always be shown.
"""

from __future__ import annotations

import hashlib

from shared.actors import Actor
from shared.contracts.placement.documents import (
    DocumentPublished,
    PublishDocument,
    document_version_id,
)
from shared.contracts.placement.errors import DocumentVersionError
from shared.contracts.placement.placements import SignDocument
from shared.domain import Aggregate


def content_hash(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


class PublishedDocument(Aggregate, stream="document"):
    """One version of one document kind; its id follows from the kind and the version."""

    document_kind: str
    edition: str  # the document's version name ("version" is the stream's, on every aggregate)
    content_hash: str

    @classmethod
    def publish(cls, actor: Actor, document: PublishDocument) -> PublishedDocument:
        """Operators publish; a version is published once and never changes."""
        if not actor.is_operator:
            raise DocumentVersionError("only an operator publishes document versions")
        published = cls(document_version_id(document.document_kind, document.version))
        published._record(
            DocumentPublished(
                document.document_kind, document.version, content_hash(document.text), document.text
            )
        )
        return published

    def check_signed_as(self, signature: SignDocument) -> None:
        """A signature names this version by its content hash."""
        if signature.content_hash != self.content_hash:
            raise DocumentVersionError(
                "the content hash differs from the published version's",
                {"document_kind": self.document_kind, "version": self.edition},
            )

    def _when_DocumentPublished(self, event: DocumentPublished) -> None:
        self.document_kind = event.document_kind
        self.edition = event.version
        self.content_hash = event.content_hash
