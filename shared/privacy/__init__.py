"""Personal data under per-subject keys: sealed fields, key stores, key sharing, erasure
(docs/privacy.md)."""
