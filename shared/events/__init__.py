"""Event contracts, the envelope every event travels in, and its canonical encoding."""
