#!/usr/bin/env python3
"""Makes NotoSansSC-Regular-subset.otf, the CJK font the binary prints with when the system has none.

The subset holds every character of GB 2312 (6,763 hanzi and its symbols), ASCII, Latin-1,
general and CJK punctuation, full-width forms, enclosed numbers, arrows, maths and box drawing,
and every character that Tiangong's own sources contain (labels, messages), so a document made
from the product's own words never shows a missing glyph. Rarer characters print as a box unless
a full font is installed (Debian fonts-noto-cjk) or named by TIANGONG_FONT.

Run from the repository root after adding text in new characters (needs fontTools from PyPI and
the font from Debian's fonts-noto-cjk; `apt-get download fonts-noto-cjk && dpkg -x` suffices):

    python3 -m pip install fonttools
    python3 crates/print/fonts/subset.py /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
"""

import os
import sys

from fontTools import subset

RANGES = [
    (0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x2100, 0x214F), (0x2190, 0x21FF),
    (0x2200, 0x22FF), (0x2460, 0x24FF), (0x2500, 0x257F), (0x25A0, 0x25FF), (0x3000, 0x303F),
    (0xFF00, 0xFFEF),
]
HERE = os.path.dirname(os.path.abspath(__file__))
SC_FACE = 2  # Noto Sans CJK SC inside NotoSansCJK-Regular.ttc


def characters(sources):
    chars = {chr(c) for lo, hi in RANGES for c in range(lo, hi + 1)}
    for first in range(0xA1, 0xF8):
        for second in range(0xA1, 0xFF):
            try:
                chars.add(bytes([first, second]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    for root, _, files in os.walk(sources):
        for name in files:
            if name.endswith((".rs", ".sql", ".toml", ".md")):
                with open(os.path.join(root, name), encoding="utf-8") as f:
                    chars.update(f.read())
    return "".join(sorted(c for c in chars if ord(c) >= 0x20))


def main():
    font = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
    out = os.path.join(HERE, "NotoSansSC-Regular-subset.otf")
    text = characters(os.path.join(HERE, "..", ".."))
    subset.main([
        font, f"--font-number={SC_FACE}", f"--text={text}", f"--output-file={out}",
        "--no-hinting", "--layout-features=", "--name-IDs=*", "--notdef-outline",
    ])
    print(f"{out}: {len(text)} characters, {os.path.getsize(out)} bytes")


if __name__ == "__main__":
    main()
