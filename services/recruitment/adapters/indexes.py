"""Recruitment's index of registered ID numbers, kept by the unit of work as students register.

Only a keyed digest of each number is stored (``shared.lookup_digest``: HMAC-SHA256 with the
lookup key), so the index answers "registered already?" without holding ID numbers in clear
or in a form that guessing could reverse. Rows made before the key (plain SHA-256, scheme
``sha256``) are still read, so the rule holds across the upgrade, until ``gravity privacy
rekey-registrations`` replaces them (docs/privacy.md, "Keyed digest").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from nameko.extensions import DependencyProvider
from sqlalchemy.exc import IntegrityError

from services.recruitment.adapters.tables import registrations
from services.recruitment.domain.student import Student
from shared.config import CONFIG_KEY
from shared.contracts.records import Event
from shared.contracts.recruitment.errors import DuplicateRegistrationError
from shared.contracts.recruitment.events import StudentRegistered
from shared.domain import Aggregate
from shared.eventstore.driver_sql import DriverStatement
from shared.eventstore.uow import IndexKeeper, UnitOfWork
from shared.lookup_digest import (
    LEGACY_SCHEME,
    SCHEME,
    LookupDigest,
    legacy_digest,
    lookup_digest,
)

# Built once and run on the driver's cursor (``shared.eventstore.driver_sql``): building it per
# registration, or running it through SQLAlchemy's execute, cost more CPU than SQLite spent on
# it (docs/performance.md, "The command path"). One statement claims the keyed digest unless
# a plain row from before the key holds the same number (then it inserts nothing).
_CLAIM = DriverStatement(
    registrations.insert().from_select(
        ["campaign_id", "resident_id_digest", "digest_scheme", "student_id"],
        sa.select(
            sa.bindparam("campaign_id", type_=sa.String),
            sa.bindparam("digest", type_=sa.String),
            sa.literal(SCHEME, type_=sa.String),
            sa.bindparam("student_id", type_=sa.String),
        ).where(
            ~sa.exists().where(
                registrations.c.campaign_id == sa.bindparam("campaign_id"),
                registrations.c.resident_id_digest == sa.bindparam("legacy_digest"),
                registrations.c.digest_scheme == LEGACY_SCHEME,
            )
        ),
    )
)


class ResidentIdIndex:
    """The index keeper; its lookup key is set when the service is bound to its container
    (``services.recruitment.service.LookupKey``), from the settings."""

    def __init__(self, digest: LookupDigest | None = None) -> None:
        self.digest = digest

    def __call__(self, uow: UnitOfWork, _student: Student, new_events: Sequence[Event]) -> None:
        """Claim a registering student's ID number in its campaign, or refuse a second one.

        The primary key makes this safe against two registrations racing each other; after a
        refusal the command's transaction is rolled back as a whole.
        """
        if self.digest is None:
            raise RuntimeError("the registrations index has no lookup key (container not set up)")
        for event in new_events:
            if not isinstance(event, StudentRegistered):
                continue
            campaign_id, number = event.campaign_id, event.id_number
            try:
                claimed = _CLAIM.run(
                    uow.store.connection,
                    {
                        "campaign_id": campaign_id,
                        "digest": self.digest.digest(campaign_id, number),
                        "legacy_digest": legacy_digest(campaign_id, number),
                        "student_id": event.student_id,
                    },
                ).rowcount
            except IntegrityError:
                raise _duplicate() from None
            if claimed != 1:  # a plain row from before the key holds the number
                raise _duplicate()


def _duplicate() -> DuplicateRegistrationError:
    return DuplicateRegistrationError(
        "this ID number is already registered in the campaign", {"field": "id_number"}
    )


class LookupKey(DependencyProvider):  # type: ignore[misc] # nameko is untyped
    """Loads the lookup key into the index keeper when the service is bound to its container
    (before anything starts): a missing key in production refuses the start with
    ``LookupKeyError`` (a ``ConfigError``, which the process prints as its reason)."""

    def __init__(self, index: ResidentIdIndex) -> None:
        self.index = index

    def bind(self, container: Any, attr_name: str) -> Any:
        bound = super().bind(container, attr_name)
        self.index.digest = lookup_digest(container.config[CONFIG_KEY]["settings"])
        return bound


RESIDENT_IDS = ResidentIdIndex()
KEEPERS: dict[type[Aggregate], IndexKeeper] = {Student: RESIDENT_IDS}
