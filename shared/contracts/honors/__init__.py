"""Honours' contracts: its commands, the events it publishes, the errors it answers."""

from shared.contracts.honors import commands, errors, events

__all__ = ["commands", "errors", "events"]
