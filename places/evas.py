"""Coordinators' pages for environmental visual audits (action plan 5.6): planning one,
writing up its findings, the reports it answers, and the actions agreed after it.

The printable EVA report, which partners read too, is the reports package's
(reports.evas): it shows the reports an EVA answers as suppressed counts.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.access import in_my_scheme_or_404, roles
from core.forms import options
from core.timeutil import london_now_minute, to_london
from extensions import db
from patrols.forms import area_choices
from places import services
from places.access import evas_for, reports_for
from places.choices import ACTION_STATUSES, CHECKLIST, EVA_STATUSES, RATINGS, STATUSES
from places.forms import ActionForm, ActionStatusForm, EvaForm
from places.models import Eva, EvaAction, UnsafePlaceReport

LABELS = {
    "checklist": CHECKLIST,
    "ratings": RATINGS,
    "status": EVA_STATUSES,
    "actions": ACTION_STATUSES,
}


def eva_or_404(eva_id: int) -> Eva:
    found = db.session.scalar(evas_for(current_user).where(Eva.id == eva_id))
    return found or abort(404)


@roles("coordinator")
def evas():
    found = db.session.scalars(evas_for(current_user).order_by(Eva.walked_at.desc())).all()
    return render_template("places/evas.html", evas=found, labels=LABELS)


def eva_form(eva: Eva | None, form: EvaForm | None = None) -> EvaForm:
    """The EVA form with the scheme's areas, and the reports it may answer: the open ones
    that are not duplicates, and those it answers already."""
    if form is None:
        form = EvaForm(formdata=None, obj=eva)
        if eva is None:
            form.walked_at.data = london_now_minute()
        else:
            form.walked_at.data = to_london(eva.walked_at)
            form.area_id.data = eva.area_id or 0
            form.organisations.data = "\n".join(eva.organisations)
            form.reports.data = [r.id for r in eva.reports]
        form.show_findings(eva.findings if eva else {})
    form.area_id.choices = area_choices(current_user.scheme_id)
    candidates = db.session.scalars(
        reports_for(current_user)
        .where(UnsafePlaceReport.merged_into_id.is_(None))
        .order_by(UnsafePlaceReport.number.desc())
    ).all()
    linked = {r.id for r in eva.reports} if eva else set()
    form.reports.choices = options(
        (r.id, report_label(r)) for r in candidates if r.status != "closed" or r.id in linked
    )
    return form


def report_label(report: UnsafePlaceReport) -> str:
    return _(
        "Report %(number)d: %(place)s (%(status)s)",
        number=report.number,
        place=report.place or _("a pin on the map"),
        status=STATUSES[report.status],
    )


def chosen_reports(form: EvaForm) -> list[UnsafePlaceReport]:
    ids = list(form.reports.data or [])
    stmt = reports_for(current_user).where(UnsafePlaceReport.id.in_(ids))
    return list(db.session.scalars(stmt))


@roles("coordinator")
def new_eva():
    form = eva_form(None, EvaForm() if request.method == "POST" else None)
    if form.validate_on_submit():
        eva = services.save_eva(
            None, current_user.scheme_id, form.values(), chosen_reports(form), current_user
        )
        db.session.commit()
        flash(_("EVA %(number)d saved.", number=eva.number), "info")
        return redirect(url_for("places.eva", eva_id=eva.id))
    status = 400 if form.is_submitted() else 200
    return render_template("places/eva_form.html", form=form, eva=None, checklist=CHECKLIST), status


@roles("coordinator")
def eva(eva_id: int):
    found = eva_or_404(eva_id)
    return render_eva(found)


def render_eva(eva: Eva, **forms):
    code = 400 if any(form.errors for form in forms.values()) else 200
    return render_template(
        "places/eva.html",
        eva=eva,
        labels=LABELS,
        action_form=forms.get("action") or ActionForm(formdata=None),
        status_forms={
            action.id: forms.get(f"action-{action.id}")
            or ActionStatusForm(formdata=None, prefix=f"action-{action.id}", status=action.status)
            for action in eva.actions
        },
    ), code


@roles("coordinator")
def edit_eva(eva_id: int):
    found = eva_or_404(eva_id)
    form = eva_form(found, EvaForm() if request.method == "POST" else None)
    if form.validate_on_submit():
        services.save_eva(found, found.scheme_id, form.values(), chosen_reports(form), current_user)
        db.session.commit()
        flash(_("EVA %(number)d saved.", number=found.number), "info")
        return redirect(url_for("places.eva", eva_id=found.id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "places/eva_form.html", form=form, eva=found, checklist=CHECKLIST
    ), status


@roles("coordinator")
def add_action(eva_id: int):
    found = eva_or_404(eva_id)
    form = ActionForm()
    if form.validate_on_submit():
        services.add_action(found, form.values(), current_user)
        db.session.commit()
        flash(_("Action added."), "info")
        return redirect(url_for("places.eva", eva_id=found.id) + "#actions")
    return render_eva(found, action=form)


@roles("coordinator")
def action_status(action_id: int):
    action = db.session.get(EvaAction, action_id)
    if action is None:
        abort(404)
    found = in_my_scheme_or_404(Eva, action.eva_id)
    form = ActionStatusForm(prefix=f"action-{action.id}")
    if form.validate_on_submit():
        services.set_action_status(action, form.status.data, current_user)
        db.session.commit()
        flash(_("Action status saved."), "info")
        return redirect(url_for("places.eva", eva_id=found.id) + "#actions")
    return render_eva(found, **{f"action-{action.id}": form})
