"""Refusals of recruitment commands; the gateway maps each to a status and code."""

from __future__ import annotations

from shared.domain import DomainError, NotFoundError


class CampaignNotFoundError(NotFoundError):
    pass


class StudentNotFoundError(NotFoundError):
    pass


class InvalidCampaignError(DomainError):
    """The campaign's own data contradicts itself (e.g. a window that closes before it opens)."""


class CampaignStateError(DomainError):
    """The campaign is not in a state that allows this (opening twice, closing a draft...)."""


class RegistrationClosedError(DomainError):
    """Registration is outside the campaign's window or the campaign is not open."""


class InvalidResidentIdError(DomainError):
    """The ID number is not a valid 18-character PRC resident identity number."""


class DuplicateRegistrationError(DomainError):
    """The same resident ID number is already registered in this campaign."""


class AlreadyScreenedError(DomainError):
    pass


class StudentWithdrawnError(DomainError):
    """The student has withdrawn; the command no longer applies."""


class AllianceMembershipError(DomainError):
    """Joining the Spark Alliance twice, or leaving it without being a member."""


class InvalidScreeningError(DomainError):
    """A decision that is neither approval nor rejection, or a rejection without a reason."""


class InvalidApplicationError(DomainError):
    """A registration whose fields break a programme rule (e.g. an unknown channel)."""
