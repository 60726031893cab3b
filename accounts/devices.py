"""Enrolled devices: codes to enrol them, the list, revoking, and PIN sign-in on a
venue's tablet."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from accounts import bp, enrolment
from accounts.access import in_my_scheme_or_404, public, roles, teams_for, venues_for
from accounts.forms import EnrolmentForm, PinForm, PinSignInForm, options
from accounts.models import Device, EnrolmentCode
from accounts.sessions import token_hash
from accounts.views import start_session_for
from core.services import audit
from core.timeutil import utcnow
from extensions import db, limiter

# A year: the device stays enrolled until revoked, not until the browser is closed.
DEVICE_COOKIE_SECONDS = 365 * 24 * 3600


def enrolment_form(**kwargs) -> EnrolmentForm:
    form = EnrolmentForm(**kwargs)
    venues = db.session.scalars(venues_for(current_user).order_by("name"))
    teams = db.session.scalars(teams_for(current_user).order_by("name"))
    form.target.choices = options(
        [(f"venue:{v.id}", v.name) for v in venues] + [(f"team:{t.id}", t.name) for t in teams]
    )
    return form


@bp.route("/devices", methods=["GET", "POST"])
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


@bp.route("/devices/<int:device_id>/revoke", methods=["POST"])
@roles("coordinator")
def revoke_device(device_id: int):
    device = in_my_scheme_or_404(Device, device_id)
    enrolment.revoke(device, current_user)
    db.session.commit()
    flash(_("%(name)s is revoked. It can no longer send records.", name=device.name), "info")
    return redirect(url_for("accounts.devices"))


@bp.route("/enrol/<token>", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute", methods=["POST"])
def enrol(token: str):
    code = enrolment.valid_code(token)
    if code is None:
        return render_template("accounts/enrol_invalid.html"), 404
    if request.method == "POST":  # CSRFProtect has checked the form's token
        enrolled = enrolment.enrol(code)
        if enrolled is None:
            return render_template("accounts/enrol_invalid.html"), 404
        device, device_token = enrolled
        db.session.commit()
        flash(_("This device is enrolled as %(name)s.", name=device.name), "info")
        response = redirect(url_for("accounts.sign_in"))
        response.set_cookie(
            enrolment.DEVICE_COOKIE,
            device_token,
            max_age=DEVICE_COOKIE_SECONDS,
            httponly=True,
            secure=request.is_secure or current_app.config["SESSION_COOKIE_SECURE"],
            samesite="Strict",
        )
        return response
    return render_template("accounts/enrol.html", code=code)


def _device_key() -> str:
    """Rate-limit key for PIN tries: the device, whose staff share one address."""
    return "pin:" + token_hash(request.cookies.get(enrolment.DEVICE_COOKIE, ""))


@bp.route("/signin/pin", methods=["POST"])
@public
@limiter.limit(lambda: current_app.config["PIN_RATE_LIMIT"], key_func=_device_key)
def pin_sign_in():
    device = enrolment.current_device()
    people = enrolment.pin_people(device)
    if not people:
        abort(404)
    form = PinSignInForm()
    form.person.choices = options((p.id, p.name) for p in people)
    if form.validate_on_submit():
        user, why = enrolment.check_pin(device, form.person.data, form.pin.data)
        db.session.commit()
        if user is not None:
            audit("signed_in_with_pin", user, actor=user, device=device.name)
            start_session_for(user)
            return redirect(url_for("havens.log_visit"))
        if why == "locked":
            flash(
                _("PIN sign-in is locked after too many tries. Sign in with your password."),
                "error",
            )
        else:
            flash(_("That PIN is not right. Try again."), "error")
    return redirect(url_for("accounts.sign_in"))


@bp.route("/account/pin", methods=["POST"])
@roles("venue_staff")
def set_pin():
    form = PinForm()
    if form.validate_on_submit():
        enrolment.set_pin(current_user._get_current_object(), form.pin.data)
        db.session.commit()
        flash(_("PIN saved. Use it on your venue's tablet."), "info")
        return redirect(url_for("accounts.account"))
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")
    return redirect(url_for("accounts.account"))
