"""An award: an operator nominates a student for a title in a campaign with a citation, then
grants it, which issues the honour certificate with the next serial number of its year and
title; a certificate may be revoked, with a reason.

nominated -> granted (certificate issued) -> revoked. Eligibility is checked at both steps
(the facts may change between them); the quota counts the campaign's certificates of the
title that are not revoked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.honors.domain.eligibility import Eligibility
from services.honors.domain.serials import certificate_serial
from services.honors.domain.titles import Title
from shared.actors import Actor
from shared.contracts.honors import events
from shared.contracts.honors.commands import NominateForAward
from shared.contracts.honors.errors import (
    AwardNotFoundError,
    AwardStateError,
    CertificateNotFoundError,
    QuotaExceededError,
)
from shared.domain import Aggregate

NOMINATED, GRANTED, REVOKED = "nominated", "granted", "revoked"


class Award(Aggregate, stream="award", missing=AwardNotFoundError):
    student_id: str
    campaign_id: str
    title_code: str
    status: str
    serial: str = ""
    issued_at: datetime | None = None
    revoked_at: datetime | None = None

    @classmethod
    def nominate(
        cls, nomination: NominateForAward, actor: Actor, title: Title, eligibility: Eligibility
    ) -> Award:
        if not actor.is_operator:
            raise AwardNotFoundError.for_id(nomination.award_id)
        eligibility.check(title.minimum_score)
        award = cls(nomination.award_id)
        award._record(
            events.AwardNominated(
                award.id,
                nomination.student_id,
                nomination.campaign_id,
                title.id,
                nomination.citation,
                nomination.holder_name,
            )
        )
        return award

    def grant(
        self,
        actor: Actor,
        title: Title,
        eligibility: Eligibility,
        standing: CertificatesStanding,
        now: datetime,
    ) -> None:
        """Grant it if the student is still eligible, holds no certificate of the title in
        the campaign, and the quota has room: the certificate takes the next number."""
        if not actor.is_operator:
            raise AwardNotFoundError.for_id(self.id)
        if self.status != NOMINATED:
            raise self._state_error(f"the award is {self.status} already")
        eligibility.check(title.minimum_score)
        if standing.held_by_student:
            raise self._state_error("the student holds this title in the campaign already")
        if standing.held_in_campaign >= title.quota:
            raise QuotaExceededError(
                "every award of this title in the campaign is granted",
                {"title_code": title.id, "campaign_id": self.campaign_id, "quota": title.quota},
            )
        number = standing.last_number + 1
        serial = certificate_serial(title.id, now.year, number)
        ids = (self.id, self.student_id, self.campaign_id, title.id)
        self._record(events.AwardGranted(*ids, serial))
        self._record(
            events.CertificateIssued(
                serial, *ids, title.name, now.year, number, now, self._holder_name
            )
        )

    def revoke(self, actor: Actor, reason: str, now: datetime) -> None:
        if not actor.is_operator:
            raise CertificateNotFoundError.for_id(self.serial)
        if self.status != GRANTED:
            raise self._state_error("the certificate is revoked already")
        self._record(events.CertificateRevoked(self.serial, self.id, reason, now))

    def _state_error(self, message: str) -> AwardStateError:
        return AwardStateError(message, {"award_id": self.id, "status": self.status})

    def _when_AwardNominated(self, event: events.AwardNominated) -> None:
        self.student_id, self.campaign_id = event.student_id, event.campaign_id
        self.title_code, self._holder_name = event.title_code, event.holder_name
        self.status = NOMINATED

    def _when_AwardGranted(self, event: events.AwardGranted) -> None:
        self.status, self.serial = GRANTED, event.serial

    def _when_CertificateIssued(self, event: events.CertificateIssued) -> None:
        self.issued_at = event.issued_at

    def _when_CertificateRevoked(self, event: events.CertificateRevoked) -> None:
        self.status, self.revoked_at = REVOKED, event.revoked_at


@dataclass(frozen=True)
class CertificatesStanding:
    """The certificates issued so far that a grant decides on (read under the title's lock):
    whether the student holds the title in the campaign, how many the campaign holds, and the
    last number of the year and title."""

    held_by_student: bool
    held_in_campaign: int
    last_number: int
