"""Refusals of recruitment commands, each with the code and kind a client receives."""

from __future__ import annotations

from shared.domain import DomainError, ErrorKind, NotFoundError


class CampaignNotFoundError(NotFoundError):
    subject, id_field = "campaign", "campaign_id"


class StudentNotFoundError(NotFoundError):
    subject, id_field = "student", "student_id"


class InvalidCampaignError(DomainError):
    """The campaign contradicts itself (e.g. its window)."""

    code, kind = "INVALID_CAMPAIGN", ErrorKind.INVALID


class CampaignStateError(DomainError):
    """The campaign's status does not allow this (e.g. opening it twice)."""

    code, kind = "CAMPAIGN_STATE_CONFLICT", ErrorKind.CONFLICT


class RegistrationClosedError(DomainError):
    """The campaign is not open or its window has passed."""

    code, kind = "REGISTRATION_CLOSED", ErrorKind.CONFLICT


class DuplicateRegistrationError(DomainError):
    """This ID number is already registered in the campaign."""

    code, kind = "DUPLICATE_REGISTRATION", ErrorKind.CONFLICT


class AlreadyScreenedError(DomainError):
    """The student has already been screened."""

    code, kind = "ALREADY_SCREENED", ErrorKind.CONFLICT


class StudentWithdrawnError(DomainError):
    """The student has withdrawn from the campaign."""

    code, kind = "STUDENT_WITHDRAWN", ErrorKind.CONFLICT


class AllianceMembershipError(DomainError):
    """Joining the Spark Alliance twice, or leaving it without being a member."""

    code, kind = "ALLIANCE_MEMBERSHIP_CONFLICT", ErrorKind.CONFLICT


class AllianceNotEligibleError(DomainError):
    """Only students who took part may join the Spark Alliance: approved in screening and not
    withdrawn."""

    code, kind = "ALLIANCE_NOT_ELIGIBLE", ErrorKind.CONFLICT


class PlacementRunningError(DomainError):
    """The student's placement is running (agreed or started): their data is still needed
    for it, so it cannot be erased until the placement ends or completes."""

    code, kind = "PLACEMENT_RUNNING", ErrorKind.CONFLICT
