"""An EVA report as an A4 PDF, in the quarterly report's type and tables (reports.pdf)."""

from __future__ import annotations

import io

from flask import current_app
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

from core.timeutil import london_today
from havens.stickers.art import MM, REGULAR, font_paths
from places.choices import ACTION_STATUSES, CHECKLIST, EVA_STATUSES, RATINGS
from reports import pdf
from reports.eva_report import EvaReport


def eva_pdf_bytes(report: EvaReport) -> bytes:
    """The EVA: where and when, who took part, findings, actions, and the reports it
    answers as suppressed counts."""
    font_paths(current_app.config["STICKER_FONT_DIR"])  # FontMissing when not installed
    eva = report.eva
    out = io.BytesIO()
    title = _("EVA %(number)d: %(place)s", number=eva.number, place=eva.place)
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=pdf.MARGIN,
        rightMargin=pdf.MARGIN,
        topMargin=pdf.MARGIN,
        bottomMargin=pdf.MARGIN + 4 * MM,
        title=title,
        author=eva.area.name if eva.area else "",
        creator="Lantern",
    )
    footer = _(
        "%(title)s · made %(date)s", title=title, date=format_date(london_today(), "d MMMM yyyy")
    )

    def on_page(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(REGULAR, 7.5)
        canvas.setFillColor(HexColor(pdf.MUTED))
        canvas.drawString(pdf.MARGIN, pdf.MARGIN - 2 * MM, footer)
        canvas.drawRightString(
            A4[0] - pdf.MARGIN, pdf.MARGIN - 2 * MM, _("Page %(n)d", n=document.page)
        )
        canvas.restoreState()

    doc.build(story(report, title), onFirstPage=on_page, onLaterPages=on_page)
    return out.getvalue()


def story(report: EvaReport, title: str) -> list:
    eva = report.eva
    parts: list = [
        pdf.para(_("Environmental visual audit"), "lead"),
        pdf.para(title, "title"),
        Spacer(1, 2 * MM),
        pdf.para(
            f"{EVA_STATUSES[eva.status]} · {format_datetime(eva.walked_at, 'd MMMM yyyy, HH:mm')}",
            "lead",
        ),
        Spacer(1, 3 * MM),
        pdf.para(_("Organisations taking part"), "h3"),
        pdf.para(", ".join(eva.organisations) or _("None recorded")),
    ]
    if eva.summary:
        parts += [pdf.para(_("Summary"), "h3"), pdf.para(eva.summary)]
    parts += [pdf.para(_("Findings"), "h2"), findings_table(report)]
    parts += [pdf.para(_("Actions"), "h2"), *actions_block(report)]
    parts += [pdf.para(_("The reports from the public"), "h2")]
    parts += pdf.table_block(report.answered)
    parts.append(pdf.para(pdf.partners_note(report.small_max), "note"))
    return parts


def grid(rows: list[list], widths: list[float]) -> Table:
    """A plain table with a header row, in the quarterly report's lines."""
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, HexColor(pdf.INK)),
            ("LINEBELOW", (0, 1), (-1, -1), 0.3, HexColor(pdf.LINE)),
            ("TOPPADDING", (0, 0), (-1, -1), 2.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ]
    )
    return table


def cell(text: str, style: str = "cell") -> Paragraph:
    return pdf.para(text, style)


def findings_table(report: EvaReport) -> Table:
    findings = report.eva.findings or {}
    rows = [
        [
            cell(_("Checked"), "cell-bold"),
            cell(_("Finding"), "cell-bold"),
            cell(_("Notes"), "cell-bold"),
        ]
    ]
    for code, label in CHECKLIST.items():
        found = findings.get(code) or {}
        rating = RATINGS.get(found.get("rating") or "not_checked", "")
        rows.append([cell(str(label)), cell(str(rating)), cell(found.get("note", ""))])
    return grid(rows, [pdf.WIDTH * 0.3, pdf.WIDTH * 0.2, pdf.WIDTH * 0.5])


def actions_block(report: EvaReport) -> list:
    actions = report.eva.actions
    if not actions:
        return [pdf.para(_("No actions yet."))]
    rows = [
        [
            cell(_("Action"), "cell-bold"),
            cell(_("Owner organisation"), "cell-bold"),
            cell(_("Due by"), "cell-bold"),
            cell(_("Status"), "cell-bold"),
        ]
    ]
    for action in actions:
        rows.append(
            [
                cell(action.what),
                cell(action.owner),
                cell(format_date(action.due_on, "d MMM yyyy")),
                cell(str(ACTION_STATUSES[action.status])),
            ]
        )
    widths = [pdf.WIDTH * 0.45, pdf.WIDTH * 0.25, pdf.WIDTH * 0.15, pdf.WIDTH * 0.15]
    return [grid(rows, widths)]
