"""Refusals of placement commands, each with the code and kind a client receives; a class's
docstring describes its code in the API document."""

from __future__ import annotations

from shared.domain import DomainError, ErrorKind, NotFoundError


class HostUnitNotFoundError(NotFoundError):
    """No such host unit, or not one this caller may act for."""

    subject, id_field = "host unit", "host_unit_id"


class PositionNotFoundError(NotFoundError):
    """No such position, or not one this caller may act on."""

    subject, id_field = "position", "position_id"


class PlacementNotFoundError(NotFoundError):
    """No such placement, or not one this caller is a party to."""

    subject, id_field = "placement", "placement_id"


class MatchingRoundNotFoundError(NotFoundError):
    """No such matching round, or the caller may not run rounds."""

    subject, id_field = "matching round", "round_id"


class CandidateNotEligibleError(DomainError):
    """The student is not (or no longer) admitted to this campaign's two-way selection."""

    code, kind = "CANDIDATE_NOT_ELIGIBLE", ErrorKind.CONFLICT


class SelectionClosedError(DomainError):
    """The campaign's selection window is not open (not yet opened, or already closed)."""

    code, kind = "SELECTION_CLOSED", ErrorKind.CONFLICT


class PositionStateError(DomainError):
    """The position's status does not allow this (e.g. closing it twice)."""

    code, kind = "POSITION_STATE_CONFLICT", ErrorKind.CONFLICT


class OfferStateError(DomainError):
    """The offer or placement is not in a state that allows this (e.g. confirming twice)."""

    code, kind = "OFFER_STATE_CONFLICT", ErrorKind.CONFLICT


class MatchingRoundStateError(DomainError):
    """The matching round's status does not allow this (e.g. publishing it twice)."""

    code, kind = "MATCHING_ROUND_STATE_CONFLICT", ErrorKind.CONFLICT


class SeatUnavailableError(DomainError):
    """The position has no free seat, or the student already holds a placement."""

    code, kind = "SEAT_UNAVAILABLE", ErrorKind.CONFLICT


class PlacementNotReadyError(DomainError):
    """A readiness gate is still missing; details.missing lists which (insurance, training,
    practice_notice, confidentiality_commitment)."""

    code, kind = "PLACEMENT_NOT_READY", ErrorKind.CONFLICT


class InvalidSelectionWindowError(DomainError):
    """The selection window closes before it opens, or its max_choices is out of range."""

    code, kind = "INVALID_SELECTION_WINDOW", ErrorKind.INVALID


class InvalidRankingError(DomainError):
    """A ranking repeats, exceeds the window's max_choices or names what is not in the round."""

    code, kind = "INVALID_RANKING", ErrorKind.INVALID


class InvalidPreferencesError(DomainError, ValueError):
    """A ranking repeats, exceeds the window's max_choices or names what is not in the round."""

    code, kind = "INVALID_RANKING", ErrorKind.INVALID


class InsuranceCoverageError(DomainError):
    """The insurance does not cover the whole placement period."""

    code, kind = "INVALID_INSURANCE_COVERAGE", ErrorKind.INVALID


class InvalidPositionError(DomainError):
    """The position contradicts itself (e.g. it ends before it starts)."""

    code, kind = "INVALID_POSITION", ErrorKind.INVALID


class InvalidAssessmentError(DomainError):
    """An evaluation or feedback is out of range or incomplete."""

    code, kind = "INVALID_ASSESSMENT", ErrorKind.INVALID


class PlacementPeriodError(DomainError):
    """A date outside what the placement's period allows: a start before the position's first
    day, after its last or in the future; a completion before the start; more days served than
    have passed since the start."""

    code, kind = "OUTSIDE_PLACEMENT_PERIOD", ErrorKind.INVALID


class DocumentVersionError(DomainError):
    """No such published version of the document, its hash differs from the published one,
    or the version was published already."""

    code, kind = "DOCUMENT_VERSION_CONFLICT", ErrorKind.CONFLICT


class InsuredPersonError(DomainError):
    """The policy must name the placed student, as registered in recruitment."""

    code, kind = "INSURED_PERSON_MISMATCH", ErrorKind.INVALID
