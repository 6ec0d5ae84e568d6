"""Event ids that sort by the time they were made: RFC 9562's UUID version 7.

The event log keeps a unique index on the event id. With random ids (version 4) every entry
lands on a random page of that index, so once the index is much larger than a batch each
commit writes about one index page per entry; ids that begin with their time land together at
the index's end, whatever its size (docs/performance.md, "The event log's append rate").

Written with the standard library (Python 3.11 has no ``uuid.uuid7``; 3.14 does), so that the
services' images need no further package. Layout (RFC 9562, section 5.7): 48 bits of Unix time
in milliseconds, the version (7), 12 random bits, the variant (``10``), 62 random bits. Ids made
in the same millisecond are ordered at random among themselves: the index needs only that they
land near each other, not a strict order. A version 7 UUID is a UUID like any other: every
contract that takes a UUID takes it, and ids logged before stay what they are.
"""

from __future__ import annotations

import os
import time

_TIME_BITS = 48
_RANDOM_BITS = 80
_VERSION = 7 << 76
_VERSION_MASK = 0xF << 76
_VARIANT = 0b10 << 62
_VARIANT_MASK = 0b11 << 62


def time_ordered_id(now_ns: int | None = None) -> str:
    """A new version 7 UUID (text), of the time ``now_ns`` (Unix nanoseconds, default now)."""
    millis = (time.time_ns() if now_ns is None else now_ns) // 1_000_000
    value = (millis % (1 << _TIME_BITS)) << _RANDOM_BITS
    value |= int.from_bytes(os.urandom(_RANDOM_BITS // 8), "big")
    value = (value & ~_VERSION_MASK & ~_VARIANT_MASK) | _VERSION | _VARIANT
    digits = f"{value:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"
