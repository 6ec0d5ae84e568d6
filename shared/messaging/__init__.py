"""Getting events out (outbox relay) and in (idempotent, never-losing handlers)."""
