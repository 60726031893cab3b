"""The quarterly report as an A4 PDF, in the stickers' embedded DejaVu Sans (it covers Polish)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import CondPageBreak, Paragraph, SimpleDocTemplate, Spacer, Table

from core.timeutil import london_today
from havens.stickers.art import BOLD, MM, REGULAR, font_paths
from reports import notes
from reports.quarterly import Report
from reports.tables import Table as ReportTable

INK, MUTED, LINE, SHADE, WARN = "#111111", "#444444", "#8a8a8a", "#eef1f4", "#b00020"
MARGIN = 18 * MM
WIDTH = A4[0] - 2 * MARGIN

STYLES = {
    "title": ParagraphStyle("title", fontName=BOLD, fontSize=15, leading=19, textColor=INK),
    "lead": ParagraphStyle("lead", fontName=REGULAR, fontSize=10.5, leading=14, textColor=MUTED),
    "h2": ParagraphStyle(
        "h2",
        fontName=BOLD,
        fontSize=13,
        leading=16,
        spaceBefore=10,
        spaceAfter=4,
        textColor=INK,
        keepWithNext=1,
    ),
    "h3": ParagraphStyle(
        "h3",
        fontName=BOLD,
        fontSize=10.5,
        leading=13,
        spaceBefore=8,
        spaceAfter=3,
        textColor=INK,
    ),
    "body": ParagraphStyle("body", fontName=REGULAR, fontSize=9, leading=12, textColor=INK),
    "cell": ParagraphStyle("cell", fontName=REGULAR, fontSize=8.5, leading=10.5, textColor=INK),
    "cell-bold": ParagraphStyle("cell-bold", fontName=BOLD, fontSize=8.5, leading=10.5),
    "head-number": ParagraphStyle(
        "head-number", fontName=BOLD, fontSize=8.5, leading=10.5, alignment=TA_RIGHT
    ),
    "note": ParagraphStyle(
        "note", fontName=REGULAR, fontSize=9, leading=12, spaceAfter=4, textColor=INK
    ),
    "warn": ParagraphStyle(
        "warn",
        fontName=BOLD,
        fontSize=9.5,
        leading=12.5,
        textColor=WARN,
        borderColor=WARN,
        borderWidth=1.2,
        borderPadding=5,
        spaceBefore=6,
        spaceAfter=8,
    ),
}


def para(text: str, style: str = "body") -> Paragraph:
    return Paragraph(escape(str(text)), STYLES[style])


def pdf_bytes(report: Report) -> bytes:
    """The report: headline figures, the tables, and the method notes."""
    font_paths(current_app.config["STICKER_FONT_DIR"])  # FontMissing when not installed
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * MM,
        title=_("Partnership report: %(title)s", title=report.title),
        author=report.scheme,
        creator="Lantern",
    )
    footer = _(
        "%(scheme)s · %(title)s · made %(date)s",
        scheme=report.scheme,
        title=report.title,
        date=format_date(london_today(), "d MMMM yyyy"),
    )

    def on_page(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(REGULAR, 7.5)
        canvas.setFillColor(HexColor(MUTED))
        canvas.drawString(MARGIN, MARGIN - 2 * MM, footer)
        page = _("Page %(n)d", n=document.page)
        canvas.drawRightString(A4[0] - MARGIN, MARGIN - 2 * MM, page)
        canvas.restoreState()

    doc.build(story(report), onFirstPage=on_page, onLaterPages=on_page)
    return out.getvalue()


def story(report: Report) -> list:
    parts = [
        para(_("Partnership report: Street Pastors and Safe Havens"), "title"),
        Spacer(1, 2 * MM),
        para(f"{report.scheme} · {report.title} · {report.dates}", "lead"),
    ]
    if report.partner_view:
        parts.append(para(partners_note(report.small_max), "lead"))
    else:
        parts.append(para(coordinators_only(), "warn"))
    parts.append(Spacer(1, 3 * MM))
    parts.append(headline(report))
    for title, tables in report.sections:
        parts.append(para(title, "h2"))
        parts += [flowable for table in tables for flowable in table_block(table)]
    parts.append(para(_("How the figures are counted"), "h2"))
    parts += [para(text, "note") for text in notes.counted()]
    parts.append(para(_("Small numbers"), "h3"))
    parts += [para(text, "note") for text in notes.suppression(report.small_max)]
    return parts


def partners_note(small_max: int) -> str:
    return _(
        "Small numbers are hidden, as partners see them: 1-%(max)d for a count from 1 to "
        "%(max)d, and [c] for a count hidden so that a small one cannot be worked out.",
        max=small_max,
    )


def coordinators_only() -> str:
    return _(
        "Coordinators only: every number is shown, small ones too. Do not share this "
        "version; partners get the one with small numbers hidden."
    )


def headline(report: Report) -> Table:
    """The headline figures, three to a row."""
    # Each cell a figure over its label; "" fills the last row out to three.
    cells: list[object] = [
        [para(cell.text, "title"), para(label, "cell")] for label, cell in report.headline
    ]
    grid = [cells[i : i + 3] for i in range(0, len(cells), 3)]
    grid[-1] += [""] * (3 - len(grid[-1]))
    table = Table(grid, colWidths=[WIDTH / 3] * 3)
    table.setStyle(
        [
            ("BACKGROUND", (0, 0), (-1, -1), HexColor(SHADE)),
            ("LINEBELOW", (0, 0), (-1, -2), 3, HexColor("#ffffff")),
            ("LINEAFTER", (0, 0), (-2, -1), 3, HexColor("#ffffff")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 6),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
        ]
    )
    return table


def table_block(table: ReportTable) -> list:
    """A report table under its title; a long one breaks across pages, its header repeated."""
    head = [para(table.columns[0], "cell-bold")]
    head += [para(text, "head-number") for text in table.columns[1:]]
    body = []
    for row in table.rows:
        style = "cell-bold" if row.total else "cell"
        body.append([para(row.label, style)] + [cell.text for cell in row.cells])
    if not table.rows:
        return [CondPageBreak(25 * MM), para(table.title, "h3"), para(table.empty)]
    numbers = len(table.columns) - 1
    label_width = max(WIDTH - numbers * 24 * MM, 55 * MM)
    widths = [label_width] + [(WIDTH - label_width) / numbers] * numbers
    drawn = Table([head, *body], colWidths=widths, repeatRows=1)
    commands = [
        ("FONTNAME", (1, 1), (-1, -1), REGULAR),
        ("FONTSIZE", (1, 1), (-1, -1), 8.5),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, HexColor(INK)),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, HexColor(LINE)),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    for i, row in enumerate(table.rows, start=1):
        if row.total:
            commands += [
                ("FONTNAME", (1, i), (-1, i), BOLD),
                ("BACKGROUND", (0, i), (-1, i), HexColor(SHADE)),
            ]
    drawn.setStyle(commands)
    # A new page rather than a title with too little of its table under it.
    return [CondPageBreak(40 * MM), para(table.title, "h3"), drawn]
