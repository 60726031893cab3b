"""The coordinator's dashboard and the quarterly partnership report (page, PDF and CSV).

Partners reach only the quarterly report, always with small numbers hidden and only for
quarters that have ended; coordinators see every number unless they ask to see it as
partners do.
"""

from __future__ import annotations

import io

from flask import abort, current_app, render_template, request, send_file
from flask_login import current_user

from core.access import roles
from core.services import audit_read
from havens.stickers.art import FontMissing
from reports import dashboard, notes, priority5_charts, quarterly
from reports.forms import QuarterForm
from reports.pdf import pdf_bytes
from reports.periods import PERIODS, Period, last_ended_quarter, quarter, quarter_of, tonight
from reports.spreadsheet import csv_bytes


@roles("coordinator")
def dashboard_page():
    kind = request.args.get("period", "month")
    kind = kind if kind in PERIODS else "month"
    night = tonight()
    periods = dashboard.periods(night)
    return render_template(
        "reports/dashboard.html",
        kind=kind,
        periods=periods,
        names=dashboard.PERIOD_NAMES,
        label=dashboard.period_label,
        glance=dashboard.at_a_glance(current_user.scheme_id, night),
        breakdowns=dashboard.breakdowns(current_user.scheme_id, periods[kind])
        + priority5_charts.breakdowns(current_user.scheme_id, periods[kind]),
        night_note=notes.nights(),
    )


def partner_view() -> bool:
    """Partners always see small numbers hidden; coordinators when they choose to."""
    return not current_user.has_role("coordinator") or request.args.get("view") == "partner"


def chosen_quarter() -> tuple[QuarterForm, Period | None]:
    """The quarter asked for, or by default the current one (the last ended for partners)."""
    default = last_ended_quarter() if partner_view() else quarter_of(tonight())
    if "year" not in request.args:
        form = QuarterForm(
            formdata=None,
            year=default.first.year,
            quarter=(default.first.month - 1) // 3 + 1,
            view="partner" if request.args.get("view") == "partner" else "all",
        )
        return form, default
    form = QuarterForm(request.args)
    if not form.validate():
        return form, None
    return form, quarter(form.year.data, form.quarter.data)


def report_for(period: Period) -> quarterly.Report:
    scheme = current_user.scheme
    data = quarterly.gather(scheme.id, period)
    # Below 1 nothing would be hidden: never for partners.
    small_max = max(1, int(current_app.config["SMALL_COUNT_MAX"]))
    return quarterly.build(data, scheme.name, period, partner_view(), small_max)


def open_to_me(period: Period) -> bool:
    """Partners see a quarter once its last night is over, so its figures stand still;
    coordinators may look at one in progress, as partners will see it too."""
    return current_user.has_role("coordinator") or period.has_ended()


@roles("coordinator", "partner")
def quarterly_page():
    form, period = chosen_quarter()
    if period is None:
        return render_template("reports/quarterly.html", form=form, report=None), 400
    if not open_to_me(period):
        return render_template("reports/quarterly.html", form=form, report=None, not_yet=True)
    report = report_for(period)
    return render_template(
        "reports/quarterly.html",
        form=form,
        report=report,
        counted=notes.counted(),
        suppression=notes.suppression(report.small_max),
        query=download_args(form),
    )


def download_args(form: QuarterForm) -> dict:
    args = {"year": form.year.data, "quarter": form.quarter.data}
    return args | (
        {"view": "partner"} if partner_view() and current_user.has_role("coordinator") else {}
    )


def download(fmt: str):
    """The report as a file, with an audit event saying who took which version of it."""
    form, period = chosen_quarter()
    if period is None or not open_to_me(period):
        abort(404)
    report = report_for(period)
    try:
        body = pdf_bytes(report) if fmt == "pdf" else csv_bytes(report)
    except FontMissing:
        current_app.logger.error("report PDF: the DejaVu font is missing")
        abort(503)
    detail = {"report": "quarterly", "format": fmt, "period": file_stem(report)}
    audit_read(
        "exported", scheme_id=current_user.scheme_id, suppressed=report.partner_view, **detail
    )
    kind = "application/pdf" if fmt == "pdf" else "text/csv; charset=utf-8"
    return send_file(
        io.BytesIO(body),
        mimetype=kind,
        as_attachment=fmt == "csv",
        download_name=f"{file_stem(report)}.{fmt}",
    )


def file_stem(report: quarterly.Report) -> str:
    suffix = "" if report.partner_view else "-coordinators-only"
    return f"lantern-{report.period.first.year}-q{report.quarter}{suffix}"


@roles("coordinator", "partner")
def quarterly_pdf():
    return download("pdf")


@roles("coordinator", "partner")
def quarterly_csv():
    return download("csv")
