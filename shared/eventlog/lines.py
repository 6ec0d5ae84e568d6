"""JSON lines as auditors read them: one value per line, whatever its strings hold."""

from __future__ import annotations

import json
from typing import Any

# Characters that json.dumps leaves raw but that line-oriented tools (Python's splitlines,
# JavaScript, some terminals) take for line ends: escaped, so that one entry is one line.
_LINE_BREAKERS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def json_line(value: Any) -> str:
    """``value`` as one JSON line (without its ``\\n``): non-ASCII kept readable, line-breaking
    characters escaped (they only occur inside strings, where the escape means the same)."""
    return json.dumps(value, ensure_ascii=False).translate(_LINE_BREAKERS)
