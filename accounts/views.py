"""Signing in and out, the person's own account, and password reset links."""

from datetime import timedelta

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from accounts import enrolment, services
from accounts.forms import ChangePasswordForm, NewPasswordForm, PinForm, PinSignInForm, SignInForm
from accounts.sessions import current_session
from core import signals
from core.access import public, signed_in
from core.forms import options
from core.urls import safe_next
from extensions import db, limiter


def _login_key() -> str:
    """Rate-limit key for the account being tried: its username and email share one
    count, and a name that matches no account is counted by itself."""
    name = request.form.get("username", "").strip().lower()[:254]
    user = services.find_by_login(name) if name else None
    return f"signin:user:{user.id}" if user else f"signin:name:{name}"


def _account_key() -> str:
    """Rate-limit key for the signed-in person."""
    return f"account:{current_user.get_id() and current_user.id}"


def _signin_rate() -> str:
    return current_app.config["SIGNIN_RATE_LIMIT"]


def _address_rate() -> str:
    return current_app.config["SIGNIN_ADDRESS_RATE_LIMIT"]


def _failed(_response) -> bool:
    """Whether this sign-in counts against the limits: only a password that was checked
    and did not match does, so a shift signing in on a venue's one connection never
    locks itself out. The limits are checked before a try and added to after it, so
    tries arriving at the same moment can each pass: at most one per server thread."""
    return g.get("signin_failed", False)


@public
@limiter.limit(_address_rate, methods=["POST"], deduct_when=_failed)
@limiter.limit(_signin_rate, methods=["POST"], key_func=_login_key, deduct_when=_failed)
def sign_in():
    form = SignInForm(formdata=request.form)  # a form, never JSON: the limit reads the form
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is None:
            g.signin_failed = True
            # One message for every failure: no hint whether the account exists.
            flash(_("That username and password do not match. Try again."), "error")
        else:
            enrolment.unlock_pin(user)  # the full password lifts a PIN lock
            start_session_for(user)
            return redirect(safe_next(request.args.get("next")) or url_for("core.home"))
    return render_template("accounts/sign_in.html", form=form, pin=pin_form())


def pin_form() -> PinSignInForm | None:
    """The PIN sign-in, on a venue's enrolled tablet with staff who have set a PIN."""
    people = enrolment.pin_people(enrolment.current_device())
    if not people:
        return None
    form = PinSignInForm(formdata=None)
    form.person.choices = options((p.id, p.name) for p in people)
    return form


@signed_in
def sign_out():
    # Alerts stop on the browser signed out of (alerts.js puts its push endpoint in the form).
    user = current_user._get_current_object()
    signals.browser_signed_out.send(user, push_endpoint=request.form.get("push_endpoint", ""))
    services.sign_out(user)
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("accounts.sign_in"))


@signed_in
def account():
    return render_template(
        "accounts/account.html",
        password=ChangePasswordForm(),
        pin=PinForm() if current_user.roles == {"venue_staff"} else None,
        session_row=current_session(current_user),
        shift=timedelta(hours=current_app.config["SESSION_MAX_HOURS"]),
    )


@signed_in
@limiter.limit(_signin_rate, key_func=_account_key)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if services.authenticate(current_user.username, form.current_password.data):
            user = current_user._get_current_object()
            services.set_password(user, form.new_password.data)
            start_session_for(user)
            flash(_("Password changed. You have been signed out on every other device."), "info")
            return redirect(url_for("accounts.account"))
        form.current_password.errors.append(_("That is not your current password."))
    return render_template("accounts/account.html", password=form), 400


def start_session_for(user) -> None:
    """Forget the old session entirely and open a new one for this person."""
    session.clear()
    services.sign_in(user)
    login_user(user)


@public
@limiter.limit(_signin_rate, methods=["POST"])
def reset_password(token: str):
    reset = services.valid_reset(token)
    if reset is None:
        return render_template("accounts/reset_invalid.html"), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        if not services.use_reset(reset, form.new_password.data):
            return render_template("accounts/reset_invalid.html"), 404  # used meanwhile
        db.session.commit()
        logout_user()
        session.clear()
        flash(_("Your password is set. Sign in with it now."), "info")
        return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/reset.html", form=form, person=reset.user)
