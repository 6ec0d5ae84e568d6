"""Refusals of volunteering commands, each with the code and kind a client receives."""

from __future__ import annotations

from shared.domain import DomainError, ErrorKind, NotFoundError


class ActivityNotFoundError(NotFoundError):
    subject, id_field = "activity", "activity_id"


class HoursNotFoundError(NotFoundError):
    subject, id_field = "hours entry", "hours_id"


class InvalidActivityError(DomainError):
    """The activity contradicts itself: it ends before it starts, a classroom without a
    subject, a safety talk without a topic, or a subject or topic on another kind."""

    code, kind = "INVALID_ACTIVITY", ErrorKind.INVALID


class ActivityStateError(DomainError):
    """The activity's status or time does not allow this (signing up after it started,
    completing a cancelled one, reporting beneficiaries before it took place)."""

    code, kind = "ACTIVITY_STATE_CONFLICT", ErrorKind.CONFLICT


class ActivityFullError(DomainError):
    """Every seat of the activity is taken."""

    code, kind = "ACTIVITY_FULL", ErrorKind.CONFLICT


class NotAVolunteerError(DomainError):
    """The student may not volunteer in this campaign: neither approved in its screening nor a
    Spark Alliance member (or withdrawn since)."""

    code, kind = "NOT_A_VOLUNTEER", ErrorKind.CONFLICT


class SignUpConflictError(DomainError):
    """Signed up already, not signed up, recorded as a no-show, or signed up for another
    activity at that time (``details.overlapping_activity_id``; also when a reschedule would
    move a volunteer's activity onto another of theirs)."""

    code, kind = "SIGN_UP_CONFLICT", ErrorKind.CONFLICT


class HoursExceedActivityError(DomainError):
    """The hours logged for a student and an activity would exceed the activity's duration."""

    code, kind = "HOURS_EXCEED_ACTIVITY", ErrorKind.INVALID


class InvalidHoursDecisionError(DomainError):
    """A decline without a reason: the volunteer is owed one."""

    code, kind = "INVALID_HOURS_DECISION", ErrorKind.INVALID


class HoursStateError(DomainError):
    """The hours entry was decided already, or is not approved (only approved hours are
    corrected)."""

    code, kind = "HOURS_STATE_CONFLICT", ErrorKind.CONFLICT
