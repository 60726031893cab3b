"""The sticker's design: what goes where, in points from the top left, at any A size.

One design serves every output. The PDF, SVG and PNG writers in havens.stickers.render
only draw what is laid out here, so what a sign maker gets is what the printer gets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import qrcode
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

MM = 72 / 25.4
# Portrait A sizes in points. The design is drawn for A6 and scaled by width.
PAGES = {"a6": (105 * MM, 148 * MM), "a5": (148 * MM, 210 * MM), "a4": (210 * MM, 297 * MM)}
MIN_QR_MM = 40  # the QR symbol itself, quiet zone excluded: scannable from arm's length

# High contrast for a sign seen through glass at night: near-black on white and on
# signal yellow (about 14:1), no thin strokes, nothing in a light colour.
INK = "#111111"
BAND = "#ffd100"
PAPER = "#ffffff"

REGULAR, BOLD = "LanternSans", "LanternSans-Bold"
NBSP = "\u00a0"  # keeps "Safe Haven" on one line in the words around it
FONT_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}


class FontMissing(RuntimeError):
    """The sticker font is not installed where the STICKER_FONT_DIR setting says."""


def font_paths(font_dir: str) -> dict[str, Path]:
    """The font files by name, registered with ReportLab; FontMissing when one is absent."""
    paths = {name: Path(font_dir) / file for name, file in FONT_FILES.items()}
    missing = [str(path) for path in paths.values() if not path.is_file()]
    if missing:
        raise FontMissing(
            f"Stickers need the DejaVu Sans font, not found at {', '.join(missing)}. "
            "Install it (Debian: apt-get install fonts-dejavu-core) or point "
            "LANTERN_STICKER_FONT_DIR at a folder holding DejaVuSans.ttf and DejaVuSans-Bold.ttf."
        )
    for name, path in paths.items():
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(path)))
    return paths


@dataclass(frozen=True)
class Words:
    """The sticker's words in one language."""

    headline: str
    instruction: str
    footer: str


@dataclass(frozen=True)
class Content:
    """What one sticker says: English words first, then optionally one other language."""

    url: str
    scheme: str
    venue: str
    number: int
    issued: date
    words: tuple[Words, ...]


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    fill: str | None = None
    stroke: str | None = None
    line: float = 0
    radius: float = 0


@dataclass(frozen=True)
class Text:
    """One line, centred on x, its baseline at y."""

    x: float
    y: float
    text: str
    size: float
    font: str
    fill: str = INK


@dataclass(frozen=True)
class Code:
    """A QR code: its matrix (quiet zone included) drawn as a square of `side` points."""

    x: float
    y: float
    side: float
    matrix: Sequence[Sequence[bool]]

    @property
    def module(self) -> float:
        return self.side / len(self.matrix)


@dataclass
class Art:
    """A laid-out sticker: its size and what to draw, in order."""

    width: float
    height: float
    items: list = field(default_factory=list)


# One fixed mask: qrcode otherwise tries all eight and scores each, over half of a
# batch's time; any mask scans (tests/test_stickers.py reads every format back).
QR_MASK: int | None = 2


@lru_cache(maxsize=4096)
def qr_matrix(url: str, mask: int | None = QR_MASK) -> tuple[tuple[bool, ...], ...]:
    """The QR modules for url: error correction Q, a quiet zone of 4 modules. Kept per
    address, so a reprint of the same venues draws no code again."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_Q, border=4, mask_pattern=mask
    )
    code.add_data(url)
    code.make(fit=True)
    return tuple(tuple(row) for row in code.get_matrix())


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap to lines no wider than width (a longer word gets its own line)."""
    lines: list[str] = []
    for word in text.split(" "):  # not at no-break spaces
        if lines and pdfmetrics.stringWidth(f"{lines[-1]} {word}", font, size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def fit(text: str, font: str, size: float, width: float, lines: int, smallest: float):
    """The largest size from `size` down to `smallest` that wraps text into `lines` lines,
    and the wrapped lines; a word too wide for the width shrinks the text further."""
    while True:
        wrapped = wrap(text, font, size, width)
        widest = max(pdfmetrics.stringWidth(line, font, size) for line in wrapped)
        if (len(wrapped) <= lines and widest <= width) or size <= smallest:
            if widest > width:  # one very long word: shrink it until it fits
                size *= width / widest
            return size, wrapped
        size = max(smallest, size - 0.5)


class Column:
    """Lines of centred text stacked downward from a starting point."""

    def __init__(self, art: Art, x: float, y: float, width: float) -> None:
        self.art, self.x, self.y, self.width = art, x, y, width

    def add(self, text, font, size, lines=1, smallest=None, leading=1.2, fill=INK) -> None:
        size, wrapped = fit(text, font, size, self.width, lines, smallest or size)
        for line in wrapped:
            self.y += size * 0.95  # cap height and a little: the baseline of this line
            self.art.items.append(Text(self.x, self.y, line, size, font, fill))
            self.y += size * (leading - 0.95)

    def height_of(self, text, font, size, lines=1, smallest=None, leading=1.2) -> float:
        size, wrapped = fit(text, font, size, self.width, lines, smallest or size)
        return len(wrapped) * size * leading


def layout(content: Content, size: str) -> Art:
    """Lay out one sticker on an A6 or A5 page."""
    width, height = PAGES[size]
    s = width / PAGES["a6"][0]  # every length below is for A6, scaled
    art = Art(width, height)
    # 6 mm keeps the border clear of what a printer cannot reach, even on a full A4 sheet.
    margin, pad, radius = 6 * MM * s, 4 * MM * s, 4 * MM * s
    inner = width - 2 * margin - 2 * pad
    card = (margin, margin, width - 2 * margin, height - 2 * margin)
    art.items.append(Box(*card, fill=PAPER, radius=radius))

    # The band: "Safe Haven" as large as the width allows, then the scheme's name.
    band = Column(art, width / 2, margin + pad * 0.6, inner * 0.92)
    band_top = len(art.items)
    for headline in dict.fromkeys(w.headline for w in content.words):
        band.add(headline, BOLD, 40 * s, smallest=20 * s, leading=1.12)
    band.width = inner
    band.add(content.scheme, BOLD, 14 * s, lines=2, smallest=9 * s)
    band_bottom = band.y + pad * 0.5
    art.items[band_top:band_top] = [
        Box(margin, margin, card[2], band_bottom - margin, fill=BAND, radius=radius),
        Box(margin, margin + radius, card[2], band_bottom - margin - radius, fill=BAND),
    ]

    # Below the band: the instruction in each language, the first one bolder.
    words = Column(art, width / 2, band_bottom + pad * 0.7, inner)
    for index, w in enumerate(content.words):
        font, big = (BOLD, 12.5 * s) if index == 0 else (REGULAR, 10.5 * s)
        words.y += pad * 0.4 if index else 0
        instruction = w.instruction.replace(w.headline, w.headline.replace(" ", NBSP))
        words.add(instruction, font, big, lines=2, smallest=8 * s, leading=1.18)

    # From the bottom up: the footer, then the venue's name above it.
    footers = [w.footer for w in content.words]
    foot_size = 7.5 * s
    bottom = height - margin - pad * 0.8 - len(footers) * foot_size * 1.25
    name_height = words.height_of(content.venue, BOLD, 15 * s, lines=2, smallest=10 * s)
    name_top = bottom - name_height - pad * 0.3

    # The QR code takes the square left in the middle, centred in the space.
    room = name_top - words.y
    side = min(inner + pad, room - pad * 0.8)
    matrix = qr_matrix(content.url, QR_MASK)
    code = Code((width - side) / 2, words.y + (room - side) / 2, side, matrix)
    if code.module * (len(matrix) - 8) < MIN_QR_MM * MM:
        raise ValueError("the QR code would be narrower than 4 cm; shorten the words")
    art.items.append(code)

    Column(art, width / 2, name_top, inner).add(
        content.venue, BOLD, 15 * s, lines=2, smallest=10 * s
    )
    foot = Column(art, width / 2, bottom, inner)
    for footer in footers:
        foot.add(footer, REGULAR, foot_size, smallest=6 * s, leading=1.25)
    art.items.append(Box(*card, stroke=INK, line=1.2 * MM * s, radius=radius))
    return art
