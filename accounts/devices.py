"""Enrolling a browser with a one-time code, and PIN sign-in on a venue's tablet. The
coordinator's pages that make codes and revoke devices are in schemes.devices."""

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts import enrolment
from accounts.forms import PinForm, PinSignInForm
from accounts.sessions import token_hash
from accounts.views import start_session_for
from core.access import public, roles
from core.forms import options
from core.services import audit
from extensions import db, limiter

# A year: the device stays enrolled until revoked, not until the browser is closed.
DEVICE_COOKIE_SECONDS = 365 * 24 * 3600


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


def _pin_failed(_response) -> bool:
    """Only a wrong PIN counts against the tablet's limit: a shift signing in all night
    with the right ones never locks the tablet."""
    return g.get("pin_failed", False)


@public
@limiter.limit(
    lambda: current_app.config["PIN_RATE_LIMIT"], key_func=_device_key, deduct_when=_pin_failed
)
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
        g.pin_failed = True
        if why == "locked":
            flash(
                _("PIN sign-in is locked after too many tries. Sign in with your password."),
                "error",
            )
        else:
            flash(_("That PIN is not right. Try again."), "error")
    return redirect(url_for("accounts.sign_in"))


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
