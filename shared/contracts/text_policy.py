"""The one policy for free text: what a name, a title or a comment may hold.

Every text field of every command goes through ``police_text`` (``fields.Text`` and
``fields.free_text`` call it), so the rule is the same at the gateway and at a service's RPC
entry, and the OpenAPI document states it as a ``pattern`` built from the same table.

Refused, with the code point named (never the value):

* lone surrogates (U+D800-U+DFFF): not Unicode scalar values; they cannot be stored as UTF-8;
* control characters: C0 (U+0000-U+001F, so NUL, TAB, CR and LF), DEL and C1
  (U+007F-U+009F). Prose (``free_text``) may hold line feeds (LF) and no other control:
  CR is refused too, so a client sends ``\\n`` line ends;
* invisible format characters (Unicode category Cf): bidirectional embeddings, overrides and
  isolates (U+202A-U+202E, U+2066-U+2069) and marks (U+200E, U+200F, U+061C), zero-width
  spaces and joiners (U+200B-U+200D, U+2060), the byte-order mark U+FEFF, the soft hyphen,
  tag characters and the rest of the category;
* the line and paragraph separators U+2028 and U+2029;
* noncharacters (U+FDD0-U+FDEF and the last two code points of every plane).

Allowed: everything else, including private-use code points and code points that this
Python's Unicode database does not know yet: rare characters of Chinese names live there
(older encodings put them in the private-use area; Unicode 15 added CJK extension H).

Text is normalised to NFC; a length limit counts code points after normalisation (and the
raw text may not be longer either, so that the OpenAPI ``maxLength`` holds as written).
"""

from __future__ import annotations

import re
import sys
import unicodedata

# Inclusive code point ranges refused in every text field (LF is added back for prose).
CONTROLS = ((0x00, 0x1F), (0x7F, 0x9F))
SURROGATES = ((0xD800, 0xDFFF),)
SEPARATORS = ((0x2028, 0x2029),)
# Unicode category Cf as of Unicode 14 (Python 3.11's database), spelt out so that the rule
# does not move when Python's database does.
FORMAT_CHARACTERS = (
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x13438),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)
NONCHARACTERS = (
    (0xFDD0, 0xFDEF),
    *((plane + 0xFFFE, plane + 0xFFFF) for plane in range(0, sys.maxunicode + 1, 0x10000)),
)
REFUSED = tuple(sorted(CONTROLS + SURROGATES + SEPARATORS + FORMAT_CHARACTERS + NONCHARACTERS))
# White space that str.strip() removes and that is not refused anyway.
SPACES = (
    (0x20, 0x20),
    (0xA0, 0xA0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
)
LF = 0x0A


class TextPolicyError(ValueError):
    """The text holds a code point the policy refuses; the message names it, not the text."""


def _escape(code_point: int) -> str:
    # \uXXXX reads the same in Python's and ECMA-262's regular expressions; beyond the BMP
    # the character itself stands in the class (only the checking regex has those).
    return f"\\u{code_point:04x}" if code_point <= 0xFFFF else chr(code_point)


def _class(ranges: tuple[tuple[int, int], ...]) -> str:
    return "".join(
        _escape(low) if low == high else f"{_escape(low)}-{_escape(high)}" for low, high in ranges
    )


def _without_lf(ranges: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    kept: list[tuple[int, int]] = []
    for low, high in ranges:
        if low <= LF <= high:
            kept += [(low, LF - 1)] if low < LF else []
            kept += [(LF + 1, high)] if high > LF else []
        else:
            kept.append((low, high))
    return tuple(kept)


PROSE_REFUSED = _without_lf(REFUSED)
_FIND_REFUSED = re.compile(f"[{_class(REFUSED)}]")
_FIND_PROSE_REFUSED = re.compile(f"[{_class(PROSE_REFUSED)}]")

# The documented patterns state the refused code points of the Basic Multilingual Plane but
# the surrogates (a JSON Schema string holds none, and Rust's regex cannot name them). Those
# beyond it (tag characters, a few format characters, noncharacters) are refused all the same
# and named in the description: regex engines disagree on how to write them (\U000E0001 in
# Python, \u{E0001} in ECMA-262 with the u flag), and tools that merge a pattern with a
# length rewrite it in Python's syntax, which ECMA-262 engines then refuse.
_STATED = tuple(pair for pair in REFUSED if pair not in SURROGATES and pair[1] <= 0xFFFF)
_STATED_PROSE = _without_lf(_STATED)
TEXT_PATTERN = f"^[{_class(SPACES)}]*[^{_class(SPACES)}{_class(_STATED)}][^{_class(_STATED)}]*$"
"""JSON Schema ``pattern`` of a (non-blank) text field: what ``police_text`` accepts."""
PROSE_PATTERN = f"^[^{_class(_STATED_PROSE)}]*$"
"""JSON Schema ``pattern`` of a prose field."""


_KINDS = {"Cc": "a control character", "Cs": "a lone surrogate", "Cn": "a noncharacter"}


def _describe(code_point: int) -> str:
    character = chr(code_point)
    name = unicodedata.name(character, "").lower() or _KINDS.get(
        unicodedata.category(character), "a refused character"
    )
    return f"U+{code_point:04X} ({name})"


def police_text(value: str, max_length: int, *, prose: bool = False) -> str:
    """``value`` in NFC, or ``TextPolicyError`` naming the first refused code point or the
    length; prose may hold line feeds. Blank or not is the caller's rule."""
    finder = _FIND_PROSE_REFUSED if prose else _FIND_REFUSED
    found = finder.search(value)
    if found is not None:
        raise TextPolicyError(f"must not contain {_describe(ord(found.group()))}")
    normal = unicodedata.normalize("NFC", value)
    if max(len(value), len(normal)) > max_length:
        raise TextPolicyError(f"must be at most {max_length} characters long")
    return normal
