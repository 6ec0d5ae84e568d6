"""Rebuild the vendored font subset from Debian's packages (a maintainer's tool, not the app's).

    apt-get install fonts-noto-cjk unicode-data
    python -m gateway.documents.fonts.make_subset \\
        /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc \\
        /usr/share/unicode/Unihan_OtherMappings.txt.bz2 \\
        gateway/documents/fonts/NotoSerifCJKsc-Regular-subset.otf

It takes the "Noto Serif CJK SC" face out of the collection and keeps the characters of the
Table of General Standard Chinese Characters (通用规范汉字表, 2013: 8,105 characters, the set that
household registration draws names from; Unihan's kTGH field), every GB 2312 hanzi, and the
Latin, punctuation, CJK symbol and full-width blocks. The result is deterministic for the same
inputs: `head.modified` is set to the source's creation time instead of now.
"""

from __future__ import annotations

import bz2
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

FACE_NAME = "Noto Serif CJK SC"
# Latin, Latin-1, general punctuation, letterlike symbols, number forms, enclosed numbers,
# CJK symbols and punctuation, full-width forms.
BLOCKS = (
    (0x0020, 0x007E),
    (0x00A0, 0x00FF),
    (0x2000, 0x206F),
    (0x2100, 0x218F),
    (0x2460, 0x24FF),
    (0x3000, 0x303F),
    (0xFF00, 0xFFEF),
)


def general_standard_characters(unihan_other_mappings: Path) -> set[int]:
    """The code points Unihan marks with kTGH (通用规范汉字表)."""
    points: set[int] = set()
    with bz2.open(unihan_other_mappings, "rt", encoding="utf-8") as lines:
        for line in lines:
            fields = line.split("\t")
            if len(fields) == 3 and fields[1] == "kTGH":
                points.add(int(fields[0][2:], 16))
    return points


def gb2312_hanzi() -> set[int]:
    """Every hanzi GB 2312 encodes (levels 1 and 2: 6,763 characters)."""
    points: set[int] = set()
    for code in range(0x4E00, 0xA000):
        try:
            chr(code).encode("gb2312")
        except UnicodeEncodeError:
            continue
        points.add(code)
    return points


def main(argv: list[str]) -> int:
    """Write the subset; argv: source collection, Unihan_OtherMappings(.bz2), output path."""
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 64
    source, unihan, output = (Path(arg) for arg in argv)
    face = next(
        font
        for font in TTCollection(str(source)).fonts
        if font["name"].getDebugName(4) == FACE_NAME
    )
    wanted = general_standard_characters(unihan) | gb2312_hanzi()
    wanted |= {code for low, high in BLOCKS for code in range(low, high + 1)}
    covered = wanted & set(face.getBestCmap())
    options = subset.Options()
    options.layout_features = []  # fpdf2 sets CJK text without shaping
    options.name_IDs = ["*"]  # keep the copyright and licence records
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(covered))
    subsetter.subset(face)
    face.recalcTimestamp = False  # a re-run writes the same bytes
    face["head"].modified = face["head"].created
    face.save(str(output))
    print(f"{output}: {len(covered)} characters, {output.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
