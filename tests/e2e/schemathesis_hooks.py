"""schemathesis hooks for the API run (``SCHEMATHESIS_HOOKS=tests.e2e.schemathesis_hooks``).

JSON Schema states every rule of a single value that the server enforces; three kinds of
rule it cannot state, and the OpenAPI document says them in words instead. So that a
schema-valid request means a request the server should accept, each request is adjusted
before it is sent, only where it is otherwise valid:

* an ``Idempotency-Key`` that is well-formed is made unique: the same key with another
  request is refused by design (422 IDEMPOTENCY_KEY_REUSED, as the IETF draft says);
* a resident ID number of the right shape gets a real birth date and its check digit;
* a window (opens/closes, starts/ends, covers from/until) is made to close after it opens;
* an activity has a subject if and only if it is a classroom, a topic if and only if it is a
  safety talk;
* a practice diary's text holds something besides white space;
* a list's ``cursor`` of the right shape is left out (the first page): only a cursor that the
  gateway gave is one, and any other answers 422 by design.

Malformed values are left alone, so the negative cases stay negative.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import date, datetime, timedelta
from typing import Any

import schemathesis

from gateway.core.paging import CURSOR_PATTERN
from shared.resident_id import check_character

KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
ID_SHAPE = re.compile(r"^[1-9]\d{16}[\dXx]$")
WINDOWS = (
    ("registration_opens_at", "registration_closes_at"),
    ("opens_at", "closes_at"),
    ("starts_at", "ends_at"),
    ("starts_on", "ends_on"),
    ("covers_from", "covers_until"),
    ("term_starts_on", "term_ends_on"),
)


def real_resident_id(shape: str) -> str:
    """A valid ID number derived from ``shape``: its region, a birth date in 1990-2005."""
    seed = int(hashlib.sha256(shape.encode()).hexdigest(), 16)
    born = date(1990, 1, 1) + timedelta(days=seed % (16 * 365))
    first = f"{shape[:6]}{born:%Y%m%d}{seed % 1000:03d}"
    return first + check_character(first)


def _later(opens: Any, closes: Any) -> Any:
    """``closes`` if it is after ``opens``; else a day after ``opens``; unparseable: as is."""
    if not isinstance(opens, str) or not isinstance(closes, str):
        return closes
    try:
        if "T" in opens:
            start, end = datetime.fromisoformat(opens), datetime.fromisoformat(closes)
            return closes if end > start else (start + timedelta(days=1)).isoformat()
        first, last = date.fromisoformat(opens), date.fromisoformat(closes)
        return closes if last > first else (first + timedelta(days=1)).isoformat()
    except (ValueError, TypeError, OverflowError):
        return closes


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    query = case.query or {}
    if isinstance(query.get("cursor"), str) and re.match(CURSOR_PATTERN, query["cursor"]):
        del query["cursor"]
    headers = case.headers or {}
    key = headers.get("Idempotency-Key")
    if isinstance(key, str) and KEY.match(key):
        headers["Idempotency-Key"] = uuid.uuid4().hex
    body = case.body
    if not isinstance(body, dict):
        return
    number = body.get("id_number")
    if isinstance(number, str) and ID_SHAPE.match(number):
        body["id_number"] = real_resident_id(number)
    for opens, closes in WINDOWS:
        if opens in body and closes in body:
            body[closes] = _later(body[opens], body[closes])
    text = body.get("text")
    if "display_name" in body and isinstance(text, str) and not text.strip():
        body["text"] = "A morning at the street office."
    for detail, kind, example in (
        ("subject", "classroom", "painting"),
        ("topic", "safety_talk", "other"),
    ):
        if isinstance(body.get("kind"), str) and isinstance(body.get(detail), str):
            if body["kind"] != kind:
                body[detail] = ""
            elif not body[detail]:
                body[detail] = example
