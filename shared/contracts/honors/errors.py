"""Refusals of honours commands, each with the code and kind a client receives."""

from __future__ import annotations

from shared.domain import DomainError, ErrorKind, NotFoundError


class TitleNotFoundError(NotFoundError):
    subject, id_field = "title", "title_code"


class AwardNotFoundError(NotFoundError):
    subject, id_field = "award", "award_id"


class CertificateNotFoundError(NotFoundError):
    subject, id_field = "certificate", "serial"


class AppointmentNotFoundError(NotFoundError):
    subject, id_field = "appointment", "serial"


class DiaryNotFoundError(NotFoundError):
    subject, id_field = "diary", "diary_id"


class HonoreeNotFoundError(NotFoundError):
    """Another student's consents or diaries: answered as if the student did not exist."""

    subject, id_field = "student", "student_id"


class InvalidTitleError(DomainError):
    """The title's code is reserved (``APT`` numbers appointment letters)."""

    code, kind = "INVALID_TITLE", ErrorKind.INVALID


class NotEligibleError(DomainError):
    """The student may not receive the title in this campaign: no completed practice evaluated
    at the title's minimum score or above, or a rejection in the campaign's screening
    (``details.reasons``)."""

    code, kind = "NOT_ELIGIBLE", ErrorKind.CONFLICT


class QuotaExceededError(DomainError):
    """Every award the title allows per campaign is granted (``details.quota``); a revoked
    certificate frees its place."""

    code, kind = "QUOTA_EXCEEDED", ErrorKind.CONFLICT


class AwardStateError(DomainError):
    """The award is granted already, its certificate revoked already, or the student holds
    the title in the campaign already."""

    code, kind = "AWARD_STATE_CONFLICT", ErrorKind.CONFLICT


class InvalidAppointmentError(DomainError):
    """The term ends before it starts, or an early dismissal without a reason
    (``details.field``)."""

    code, kind = "INVALID_APPOINTMENT", ErrorKind.INVALID


class AppointmentConflictError(DomainError):
    """The student holds an active appointment of this committee already
    (``details.serial``), or the appointment has ended already."""

    code, kind = "APPOINTMENT_CONFLICT", ErrorKind.CONFLICT


class ConsentRequiredError(DomainError):
    """The student has not given (or has withdrawn) the consent this needs
    (``details.purpose``)."""

    code, kind = "CONSENT_REQUIRED", ErrorKind.CONFLICT


class InvalidDiaryError(DomainError):
    """A diary entry without any text."""

    code, kind = "INVALID_DIARY", ErrorKind.INVALID
