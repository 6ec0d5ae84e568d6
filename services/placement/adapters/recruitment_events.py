"""Recruitment's events, read as placement commands.

Only an approval (StudentScreened with decision "approved") and a withdrawal matter here;
any other event, or a rejection, is skipped. A malformed envelope, or a schema version this
build does not know, raises: the message is retried and then parked in the dead-letter
queue, where an operator can replay it after an upgrade, rather than silently dropped.
"""

from __future__ import annotations

from typing import Any

from services.placement import commands
from shared.contracts import CONTRACTS
from shared.events.envelope import Envelope

APPROVED = "approved"

Command = commands.AdmitCandidate | commands.WithdrawCandidate


def command_for(body: Any) -> Command | None:
    """The command a recruitment event asks for, or None when it asks for nothing."""
    envelope = Envelope.from_dict(body)
    if envelope.event_type == "StudentScreened":
        screened = CONTRACTS.load(envelope)
        if screened["decision"] != APPROVED:
            return None
        return commands.AdmitCandidate(
            screened["student_id"], screened["campaign_id"], envelope.event_id
        )
    if envelope.event_type == "StudentWithdrew":
        withdrew = CONTRACTS.load(envelope)
        return commands.WithdrawCandidate(
            withdrew["student_id"], withdrew["campaign_id"], withdrew["reason"], envelope.event_id
        )
    return None
