"""Coordinators' device pages: one-time codes that enrol a venue's or a team's tablet,
the list of enrolled devices, and revoking one."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from accounts import enrolment
from accounts.forms import EnrolmentForm
from accounts.models import Device, EnrolmentCode
from core.access import in_my_scheme_or_404, roles
from core.forms import options
from core.timeutil import utcnow
from extensions import db
from havens.access import venues_for
from patrols.access import teams_for


def enrolment_form(**kwargs) -> EnrolmentForm:
    form = EnrolmentForm(**kwargs)
    venues = db.session.scalars(venues_for(current_user).order_by("name"))
    teams = db.session.scalars(teams_for(current_user).order_by("name"))
    form.target.choices = options(
        [(f"venue:{v.id}", v.name) for v in venues] + [(f"team:{t.id}", t.name) for t in teams]
    )
    return form


@roles("coordinator")
def devices():
    form = enrolment_form()
    if form.validate_on_submit():
        kind, _sep, target_id = form.target.data.partition(":")
        target = {f"{kind}_id": int(target_id)}
        token = enrolment.make_code(
            current_user.scheme_id, form.name.data.strip(), current_user, **target
        )
        db.session.commit()
        return render_template("accounts/enrolment_code.html", name=form.name.data, token=token)
    scheme = current_user.scheme_id
    found = db.session.scalars(
        select(Device).filter_by(scheme_id=scheme).order_by(Device.enrolled_at.desc())
    ).all()
    codes = db.session.scalars(
        select(EnrolmentCode)
        .filter_by(scheme_id=scheme, used_at=None)
        .where(EnrolmentCode.expires_at > utcnow())
        .order_by(EnrolmentCode.created_at.desc())
    ).all()
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/devices.html", form=form, devices=found, codes=codes), status


@roles("coordinator")
def revoke_device(device_id: int):
    device = in_my_scheme_or_404(Device, device_id)
    enrolment.revoke(device, current_user)
    db.session.commit()
    flash(_("%(name)s is revoked. It can no longer send records.", name=device.name), "info")
    return redirect(url_for("accounts.devices"))
