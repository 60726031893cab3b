"""Coordinators' triage of unsafe-place reports: the queue, a report, and each step of
its life cycle (new, reviewed, EVA planned, EVA done, action taken, closed)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.access import roles
from core.forms import options
from core.services import audit_read
from extensions import db
from patrols.schema import areas
from places import services
from places.access import reports_for
from places.choices import CATEGORIES, STATUSES, TIME_OF_DAY, WHEN
from places.forms import AreaForm, MergeForm, StatusForm, filter_form
from places.maps import map_config
from places.models import UnsafePlaceReport
from places.queries import filtered_reports

LABELS = {
    "categories": CATEGORIES,
    "status": STATUSES,
    "when": WHEN,
    "time_of_day": TIME_OF_DAY,
}
QUEUE_MAX = 500


def report_or_404(report_id: str) -> UnsafePlaceReport:
    """A report this person may see, or 404, whether it is another scheme's or none at all."""
    found = db.session.scalar(reports_for(current_user).where(UnsafePlaceReport.id == report_id))
    return found or abort(404)


@roles("coordinator")
def queue():
    scheme_areas = areas(current_user.scheme_id)
    filters = filter_form(request.args, scheme_areas)
    stmt = filtered_reports(reports_for(current_user), filters)
    found = db.session.scalars(
        stmt.order_by(UnsafePlaceReport.received_at.desc()).limit(QUEUE_MAX)
    ).all()
    return render_template(
        "places/queue.html",
        reports=found,
        filters=filters,
        labels=LABELS,
        areas={a.id: a.name for a in scheme_areas},
    )


def status_form(report: UnsafePlaceReport, form: StatusForm | None = None) -> StatusForm:
    form = form or StatusForm(formdata=None)
    nexts = sorted(services.TRANSITIONS[report.status], key=list(STATUSES).index)
    form.status.choices = options((s, STATUSES[s]) for s in nexts)
    return form


def merge_form(report: UnsafePlaceReport, form: MergeForm | None = None) -> MergeForm:
    """Any other report of the scheme that is not itself a duplicate, newest first."""
    form = form or MergeForm(formdata=None)
    others = db.session.scalars(
        reports_for(current_user)
        .where(UnsafePlaceReport.id != report.id, UnsafePlaceReport.merged_into_id.is_(None))
        .order_by(UnsafePlaceReport.number.desc())
        .limit(QUEUE_MAX)
    )
    form.into.choices = options(
        (r.id, f"{r.number} · {r.place or STATUSES[r.status]}") for r in others
    )
    return form


def area_form(report: UnsafePlaceReport, form: AreaForm | None = None) -> AreaForm:
    form = form or AreaForm(formdata=None, area_id=report.area_id or 0)
    choices = [(0, _("No particular area"))] + [(a.id, a.name) for a in areas(report.scheme_id)]
    form.area_id.choices = options(choices)
    return form


def render_report(report: UnsafePlaceReport, **forms):
    """The report's page with all its forms; a form with errors is passed in by its view."""
    duplicates = db.session.scalars(
        reports_for(current_user).where(UnsafePlaceReport.merged_into_id == report.id)
    ).all()
    code = 400 if any(form.errors for form in forms.values()) else 200
    return render_template(
        "places/report_page.html",
        report=report,
        labels=LABELS,
        duplicates=duplicates,
        status_form=status_form(report, forms.get("status")),
        merge_form=merge_form(report, forms.get("merge")),
        area_form=area_form(report, forms.get("area")),
        map=map_config(report.scheme_id),
    ), code


@roles("coordinator")
def report_page(report_id: str):
    report = report_or_404(report_id)
    response = render_report(report)
    audit_read("viewed", report, scheme_id=report.scheme_id)  # who read which report
    return response


@roles("coordinator")
def report_status(report_id: str):
    report = report_or_404(report_id)
    form = status_form(report, StatusForm())
    if form.validate_on_submit():
        try:
            services.change_status(report, form.status.data, form.reason.data, current_user)
        except services.RuleBroken as broken:
            form.status.errors.append(str(broken))
            return render_report(report, status=form)
        db.session.commit()
        flash(
            _(
                "Report %(number)d is now: %(status)s.",
                number=report.number,
                status=STATUSES[report.status],
            ),
            "info",
        )
        return redirect(url_for("places.report_page", report_id=report.id))
    return render_report(report, status=form)


@roles("coordinator")
def report_merge(report_id: str):
    report = report_or_404(report_id)
    form = merge_form(report, MergeForm())
    if form.validate_on_submit():
        into = report_or_404(form.into.data)
        try:
            services.merge(report, into, current_user)
        except services.RuleBroken as broken:
            form.into.errors.append(str(broken))
            return render_report(report, merge=form)
        db.session.commit()
        flash(_("Report %(number)d merged as a duplicate.", number=report.number), "info")
        return redirect(url_for("places.report_page", report_id=services.root_of(into).id))
    return render_report(report, merge=form)


@roles("coordinator")
def report_area(report_id: str):
    report = report_or_404(report_id)
    form = area_form(report, AreaForm())
    if form.validate_on_submit():
        services.set_area(report, form.area_id.data or None, current_user)
        db.session.commit()
        flash(_("Area saved."), "info")
        return redirect(url_for("places.report_page", report_id=report.id))
    return render_report(report, area=form)


@roles("coordinator")
def report_delete(report_id: str):
    report = report_or_404(report_id)
    number = report.number
    services.delete_report(report, current_user)
    db.session.commit()
    flash(_("Report %(number)d deleted, with its contact details.", number=number), "info")
    return redirect(url_for("places.queue"))
