"""Refusals of placement commands; the gateway maps each, by class name, to a status and code."""

from __future__ import annotations

from shared.domain import DomainError, NotFoundError


class HostUnitNotFoundError(NotFoundError):
    """No such host unit, or not one this caller may act for."""


class PositionNotFoundError(NotFoundError):
    """No such position, or not one this caller may act on."""


class PlacementNotFoundError(NotFoundError):
    """No such placement, or not one this caller is a party to."""


class MatchingRoundNotFoundError(NotFoundError):
    """No such matching round, or the caller may not run rounds."""


class CandidateNotEligibleError(DomainError):
    """The student is not an approved, still-participating candidate of this campaign."""


class SelectionClosedError(DomainError):
    """No selection window is open for the campaign at this moment."""


class InvalidSelectionWindowError(DomainError):
    """A selection window that closes before it opens, or a choice limit out of range."""


class InvalidRankingError(DomainError):
    """A ranking that repeats itself, is too long, or names positions or students it may not."""


class InvalidPositionError(DomainError):
    """A position that ends before it starts or has no seat."""


class PositionStateError(DomainError):
    """The position is not open (closed or withdrawn) or still has placements under way."""


class OfferStateError(DomainError):
    """The placement's status does not allow this (confirming twice, declining an agreed one,
    recording a gate before agreement, evaluating twice)."""


class PlacementNotReadyError(DomainError):
    """A readiness gate is missing; ``details["missing"]`` names each one."""


class InsuranceCoverageError(DomainError):
    """The policy's dates do not cover the whole placement period."""


class MatchingRoundStateError(DomainError):
    """The round was published already, is unstable, or no longer fits the seats and students."""


class InvalidAssessmentError(DomainError):
    """A completion, evaluation or feedback whose figures are out of range."""


class SeatUnavailableError(DomainError):
    """The position has no free seat, or the student already holds a placement."""
