"""The CJK font every document is set in, and the check that it can draw a document's text.

Why this font, shipped this way: the documents are certificates people keep and show, so the
Chinese must render the same in any viewer and on any machine that makes them, and
``pdftotext`` must read it back. That needs a real CJK font embedded in the PDF (fpdf2 embeds
the subset of glyphs a document uses). The font is Noto Serif CJK SC (Adobe/Google, SIL Open
Font License 1.1, licence in ``OFL.txt`` beside it): a serif (宋体-style) face, as Chinese
certificates and letters are set, well kept upstream and packaged by Debian.

It lives in the repository as a subset (``NotoSerifCJKsc-Regular-subset.otf``, 3.2 MB),
rebuilt reproducibly by ``make_subset.py`` from Debian's ``fonts-noto-cjk``: the 8,105
characters of the Table of General Standard Chinese Characters (通用规范汉字表, the set names
are registered in), all of GB 2312, Latin and the punctuation and full-width blocks. So
``pip install`` of the package brings it everywhere the code goes: ``make setup`` without root,
the Docker image's wheel, CI, with no system package to install. The alternatives were worse:
Debian's package (91 MB, needs root, and the image is built offline from a wheelhouse); the
whole font (11-15 MB in git); the PyPI packages that carry CJK fonts are one-person uploads
of unknown provenance, not something to put under a government certificate.

A name with a rarer character than the subset holds is refused with ``MissingGlyphError``
naming the character, never printed as a blank box. A deployment that needs more coverage
points ``DocumentFont.load`` at a complete font, e.g. Debian's
``/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc`` with ``face=2`` (its SC face).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path

from fontTools.ttLib import TTFont, TTLibError

from gateway.documents.checks import DocumentInputError

PACKAGED_FONT = Path(__file__).with_name("NotoSerifCJKsc-Regular-subset.otf")
# Characters a layout adds around the input (punctuation, 〇 for dates): always present.
_LAYOUT_TEXT = "：，。、“”（）《》〇一二三四五六七八九十年月日至第页共-—/· 0123456789."


class DocumentFontError(RuntimeError):
    """The configured font cannot be used; the message names the file."""


class FontNotFoundError(DocumentFontError, FileNotFoundError):
    """The configured font file does not exist."""


class MissingGlyphError(DocumentInputError):
    """The input holds a character the font cannot draw; the message names field and code point."""


@dataclass(frozen=True)
class DocumentFont:
    """A font file (with its face number in a collection) and the characters it can draw."""

    path: Path
    face: int
    code_points: frozenset[int]

    @classmethod
    def load(cls, path: str | Path | None = None, *, face: int = 0) -> DocumentFont:
        """The font at ``path`` (default: the packaged subset), read once; fails loudly."""
        font_path = Path(path) if path is not None else PACKAGED_FONT
        if not font_path.is_file():
            raise FontNotFoundError(
                f"document font not found: {font_path} (the packaged font ships in "
                f"gateway/documents/fonts/; reinstall the package or configure a font file)"
            )
        try:
            with TTFont(str(font_path), fontNumber=face, lazy=True) as font:
                code_points = frozenset(font.getBestCmap())
        except (TTLibError, OSError, AssertionError) as error:
            raise DocumentFontError(f"document font {font_path} (face {face}): {error}") from None
        loaded = cls(font_path, face, code_points)
        loaded.check_text("layout", _LAYOUT_TEXT)
        return loaded

    def check_text(self, field: str, text: str) -> None:
        """``MissingGlyphError`` for the first character of ``text`` this font cannot draw."""
        for character in text:
            if ord(character) not in self.code_points and not character.isspace():
                raise MissingGlyphError(
                    f"{field}: the document font has no glyph for U+{ord(character):04X} "
                    f"({character!r}); configure a font that covers it"
                )

    def check_document(self, record: object, prefix: str = "") -> None:
        """Check every text field of a document record, nested rows included."""
        if not is_dataclass(record):
            return
        for field in fields(record):
            value = getattr(record, field.name)
            where = f"{prefix}{field.name}"
            if isinstance(value, str):
                self.check_text(where, value)
            elif isinstance(value, tuple):
                for index, row in enumerate(value):
                    self.check_document(row, f"{where}[{index}].")
