"""Stickers as files: PDF for printing, SVG and PNG for sign makers.

Each writer draws the items of a laid-out Art (havens.stickers.art) and nothing else.
QR modules are vector rectangles in the PDF and SVG, one filled path per code, so a
printer or a sign maker can scale them without blur.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from xml.sax.saxutils import escape

from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.pens.transformPen import TransformPen
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.colors import HexColor
from reportlab.pdfgen.canvas import Canvas

from havens.stickers.art import MM, PAGES, Art, Box, Code, Text

# An A4 sheet holds four A6 stickers, two by two, centred (A4 is 1 mm taller than 2 x A6).
SHEET_SLOTS = [(0, 0.5 * MM), (PAGES["a6"][0], 0.5 * MM)]
SHEET_SLOTS += [(x, y + PAGES["a6"][1]) for x, y in SHEET_SLOTS]
CUT_LINE = "#9a9a9a"


def runs(matrix: Sequence[Sequence[bool]]) -> Iterator[tuple[int, int, int]]:
    """Each horizontal run of dark modules as (row, first column, length)."""
    for row, cells in enumerate(matrix):
        col = 0
        while col < len(cells):
            if cells[col]:
                start = col
                while col < len(cells) and cells[col]:
                    col += 1
                yield row, start, col - start
            col += 1


# --- PDF ---------------------------------------------------------------------------


def pdf(arts: Iterable[Art], four_up: bool = False, title: str = "Safe Haven stickers") -> bytes:
    """One sticker per page, or four A6 stickers per A4 page with cut lines."""
    out = io.BytesIO()
    sheet = PAGES["a4"]
    canvas = Canvas(out, pagesize=sheet if four_up else PAGES["a6"], pageCompression=1)
    canvas.setTitle(title)
    canvas.setCreator("Lantern")
    slot = 0
    for art in arts:
        if not four_up:
            canvas.setPageSize((art.width, art.height))
            draw_pdf(canvas, art, 0, 0, art.height)
            canvas.showPage()
            continue
        x, y = SHEET_SLOTS[slot]
        if slot == 0:
            cut_lines(canvas, sheet)
        draw_pdf(canvas, art, x, y, sheet[1])
        slot = (slot + 1) % 4
        if slot == 0:
            canvas.showPage()
    if four_up and slot:
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def cut_lines(canvas: Canvas, page: tuple[float, float]) -> None:
    """Thin dashed lines between the four stickers on a sheet."""
    canvas.saveState()
    canvas.setStrokeColor(HexColor(CUT_LINE))
    canvas.setLineWidth(0.3)
    canvas.setDash(3, 3)
    middle_x, middle_y = page[0] / 2, page[1] - SHEET_SLOTS[2][1]
    canvas.line(middle_x, 0, middle_x, page[1])
    canvas.line(0, middle_y, page[0], middle_y)
    canvas.restoreState()


def draw_pdf(canvas: Canvas, art: Art, dx: float, dy: float, page_height: float) -> None:
    """Draw art with its top left at (dx, dy) from the page's top left."""

    def flip(y: float) -> float:
        return page_height - dy - y

    for item in art.items:
        if isinstance(item, Box):
            canvas.saveState()
            if item.fill:
                canvas.setFillColor(HexColor(item.fill))
            if item.stroke:
                canvas.setStrokeColor(HexColor(item.stroke))
                canvas.setLineWidth(item.line)
            inset = item.line / 2  # keep the stroke inside the box, as in the PNG
            x, y, w, h = item.x + inset, item.y + inset, item.w - item.line, item.h - item.line
            radius = item.radius - inset
            canvas.roundRect(
                dx + x, flip(y + h), w, h, radius, stroke=bool(item.stroke), fill=bool(item.fill)
            )
            canvas.restoreState()
        elif isinstance(item, Text):
            canvas.setFillColor(HexColor(item.fill))
            canvas.setFont(item.font, item.size)
            canvas.drawCentredString(dx + item.x, flip(item.y), item.text)
        elif isinstance(item, Code):
            canvas.setFillColor(HexColor("#ffffff"))
            canvas.rect(dx + item.x, flip(item.y + item.side), item.side, item.side, 0, 1)
            canvas.setFillColor(HexColor("#000000"))
            path, m = canvas.beginPath(), item.module
            for row, col, length in runs(item.matrix):
                path.rect(dx + item.x + col * m, flip(item.y + (row + 1) * m), length * m, m)
            canvas.drawPath(path, stroke=0, fill=1)


# --- SVG ---------------------------------------------------------------------------


def number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


@lru_cache(maxsize=4)
def outline_font(path: str) -> TTFont:
    return TTFont(path, lazy=True)


def text_path(item: Text, font_path: str) -> str:
    """The line of text as outlines, so it looks the same without the font installed."""
    font = outline_font(font_path)
    glyphs, cmap = font.getGlyphSet(), font.getBestCmap()
    scale = item.size / font["head"].unitsPerEm
    names = [cmap.get(ord(char), ".notdef") for char in item.text]
    x = item.x - sum(glyphs[name].width for name in names) * scale / 2
    pen = SVGPathPen(glyphs, ntos=number)
    for name in names:
        glyphs[name].draw(TransformPen(pen, (scale, 0, 0, -scale, x, item.y)))
        x += glyphs[name].width * scale
    return pen.getCommands()


def svg(art: Art, fonts: dict[str, str]) -> str:
    """The sticker as a standalone SVG, sized in millimetres, text as outlines."""
    width_mm, height_mm = number(art.width / MM), number(art.height / MM)
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" version="1.1" '
        f'width="{width_mm}mm" height="{height_mm}mm" '
        f'viewBox="0 0 {number(art.width)} {number(art.height)}">'
    ]
    for item in art.items:
        if isinstance(item, Box):
            inset = item.line / 2
            paint = f'fill="{item.fill}"' if item.fill else 'fill="none"'
            if item.stroke:
                paint += f' stroke="{item.stroke}" stroke-width="{number(item.line)}"'
            parts.append(
                f'<rect x="{number(item.x + inset)}" y="{number(item.y + inset)}" '
                f'width="{number(item.w - item.line)}" height="{number(item.h - item.line)}" '
                f'rx="{number(item.radius - inset)}" {paint}/>'
            )
        elif isinstance(item, Text):
            d = text_path(item, fonts[item.font])
            parts.append(
                f'<path fill="{item.fill}" d="{d}"><title>{escape(item.text)}</title></path>'
            )
        elif isinstance(item, Code):
            m = item.module
            d = "".join(
                f"M{number(item.x + c * m)} {number(item.y + r * m)}h{number(n * m)}"
                f"v{number(m)}h{number(-n * m)}z"
                for r, c, n in runs(item.matrix)
            )
            side = number(item.side)
            parts.append(
                f'<rect x="{number(item.x)}" y="{number(item.y)}" '
                f'width="{side}" height="{side}" fill="#ffffff"/>'
            )
            parts.append(f'<path fill="#000000" d="{d}"/>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


# --- PNG ---------------------------------------------------------------------------


@lru_cache(maxsize=32)
def raster_font(path: str, pixels: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, pixels)


def png(art: Art, fonts: dict[str, str], dpi: int = 300) -> bytes:
    """The sticker as a PNG at dpi dots per inch (300 by default, for print)."""
    k = dpi / 72
    image = Image.new("RGB", (round(art.width * k), round(art.height * k)), "#ffffff")
    draw = ImageDraw.Draw(image)
    for item in art.items:
        if isinstance(item, Box):
            box = [item.x * k, item.y * k, (item.x + item.w) * k - 1, (item.y + item.h) * k - 1]
            draw.rounded_rectangle(
                box,
                radius=item.radius * k,
                fill=item.fill,
                outline=item.stroke,
                width=round(item.line * k) if item.stroke else 0,
            )
        elif isinstance(item, Text):
            font = raster_font(fonts[item.font], max(1, round(item.size * k)))
            draw.text((item.x * k, item.y * k), item.text, fill=item.fill, font=font, anchor="ms")
        elif isinstance(item, Code):
            m = item.module * k
            x0, y0 = item.x * k, item.y * k
            draw.rectangle([x0, y0, x0 + item.side * k - 1, y0 + item.side * k - 1], fill="#ffffff")
            for row, col, length in runs(item.matrix):
                left, top = round(x0 + col * m), round(y0 + row * m)
                right, bottom = round(x0 + (col + length) * m), round(y0 + (row + 1) * m)
                draw.rectangle([left, top, right - 1, bottom - 1], fill="#000000")
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(dpi, dpi), optimize=True)
    return out.getvalue()
