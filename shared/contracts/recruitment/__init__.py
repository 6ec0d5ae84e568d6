"""Recruitment's contracts: its commands, the events it publishes, the errors it answers."""

from shared.contracts.recruitment import commands, errors, events, legacy

__all__ = ["commands", "errors", "events", "legacy"]
