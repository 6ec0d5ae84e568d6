"""Access records: who read a student's personal data through the gateway (docs/privacy.md)."""
