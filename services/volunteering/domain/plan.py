"""What an activity must look like, beyond each field's own rule (the contract's): it ends
after it starts, a classroom teaches a subject and a safety talk has a topic, and no other
kind carries either."""

from __future__ import annotations

from datetime import datetime

from shared.contracts.volunteering.errors import InvalidActivityError

CLASSROOM, SAFETY_TALK = "classroom", "safety_talk"


def check_window(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise InvalidActivityError("an activity must end after it starts", {"field": "ends_at"})


def check_kind(kind: str, subject: str, topic: str) -> None:
    """A subject for and only for a classroom, a topic for and only for a safety talk."""
    _check_detail("subject", subject, needed=kind == CLASSROOM, of="a classroom")
    _check_detail("topic", topic, needed=kind == SAFETY_TALK, of="a safety talk")


def _check_detail(field: str, value: str, *, needed: bool, of: str) -> None:
    if needed and not value:
        raise InvalidActivityError(f"{of} needs a {field}", {"field": field})
    if value and not needed:
        raise InvalidActivityError(f"only {of} has a {field}", {"field": field})
