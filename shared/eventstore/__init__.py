"""Event store, outbox and inbox on SQLAlchemy (SQLite or PostgreSQL)."""
