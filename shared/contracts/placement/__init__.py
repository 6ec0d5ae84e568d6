"""Placement's contracts: its commands, the events it publishes (and their older versions),
the errors it answers."""

from shared.contracts.placement import commands, documents, errors, events, legacy, placements

__all__ = ["commands", "documents", "errors", "events", "legacy", "placements"]
