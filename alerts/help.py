"""The pages of a venue's call for help: asking, following it, accepting and cancelling.

A venue's request is seen by its staff and the scheme's coordinators; pastors of the
scheme see it when they were asked, or are on patrol while it is open (help_requests).
"""

from flask import abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from alerts import help_requests as requests
from alerts.forms import AcceptForm, HelpRequestForm
from alerts.models import HelpRequest
from core.access import roles
from core.forms import options
from core.timeutil import utcnow
from extensions import db
from havens.models import Venue

SEE = ("venue_staff", "coordinator", "pastor")


def my_venues() -> list[Venue]:
    """The venues this person is staff at: a request is asked for one of them."""
    mine = [v for v in current_user.venues if v.scheme_id == current_user.scheme_id]
    return sorted((v for v in mine if v.status != "left"), key=lambda v: v.name)


def request_or_404(help_id: str) -> HelpRequest:
    """A request this person may see; another scheme's, or another venue's, is not found."""
    req = db.session.get(HelpRequest, help_id)
    if req is None or not (
        requests.may_act_for_venue(req, current_user) or requests.may_answer(req, current_user)
    ):
        abort(404)
    if req.outcome == "open" and req.expires_at <= utcnow():
        # Looked at after its time: close it now (once; see time_out). On a GET this
        # transaction has only read: end it, and write in one that starts with the UPDATE.
        db.session.commit()
        requests.time_out(help_id)
        db.session.commit()
        req = db.session.get_one(HelpRequest, help_id)
    return req


def age(req: HelpRequest) -> str:
    """How long ago the venue asked: shown beside the live region, never in it, so that a
    screen reader is not made to read the status again each minute."""
    minutes = max(0, int((utcnow() - req.asked_at).total_seconds() // 60))
    return ngettext("Asked %(num)d minute ago.", "Asked %(num)d minutes ago.", minutes)


def shown(req: HelpRequest) -> dict:
    """What the page and the API show about a request, for this person."""
    accepter = req.accepted_by
    return {
        "req": req,
        "reason": requests.REASONS.get(req.reason, req.reason),
        "age": age(req),
        "accepter": requests.first_name(accepter),
        "team": requests.team_of(accepter, req.scheme_id) if accepter else "",
        "phones": requests.duty_phones(req.scheme_id)
        if req.outcome in ("timed_out", "no_patrol")
        else [],
        "for_venue": requests.may_act_for_venue(req, current_user),
        "mine": req.accepted_by_id == current_user.id,
    }


@roles("venue_staff")
def ask_for_help():
    venues = my_venues()
    form = HelpRequestForm()
    form.venue_id.choices = options((v.id, v.name) for v in venues)
    if not venues:
        return render_template("alerts/help_new.html", form=None, recent=[])
    if not form.is_submitted():
        form.venue_id.data = venues[0].id
    if form.validate_on_submit():
        venue = next(v for v in venues if v.id == form.venue_id.data)
        waiting = requests.open_request(venue)
        if waiting is not None:
            # A second tap on Send, or a second person at the bar: one call is enough.
            flash(_("Your call for help is already on its way."), "info")
            return redirect(url_for("alerts.help_request", help_id=waiting.id))
        req = requests.ask(venue, form.reason.data, current_user)
        db.session.commit()
        return redirect(url_for("alerts.help_request", help_id=req.id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "alerts/help_new.html", form=form, recent=recent_for_venue(), outcomes=requests.OUTCOMES
    ), status


@roles(*SEE)
def help_request(help_id: str):
    req = request_or_404(help_id)
    values = shown(req)
    answers = req.outcome == "open" and requests.may_answer(req, current_user)
    form = AcceptForm() if answers else None
    return render_template("alerts/help_request.html", form=form, **values)


@roles("pastor")
def accept_help(help_id: str):
    req = request_or_404(help_id)
    form = AcceptForm()
    if not requests.may_answer(req, current_user):
        abort(403)
    if not form.validate_on_submit():
        values = shown(req)
        return render_template("alerts/help_request.html", form=form, **values), 400
    if requests.accept(req, current_user, form.eta.data):
        db.session.commit()
        flash(_("Accepted. The venue can see you are on your way."), "info")
    else:
        db.session.rollback()
    return redirect(url_for("alerts.help_request", help_id=req.id))


@roles("venue_staff", "coordinator")
def cancel_help(help_id: str):
    req = request_or_404(help_id)
    if not requests.may_act_for_venue(req, current_user):
        abort(404)
    if requests.cancel(req, current_user):
        db.session.commit()
        flash(_("Cancelled. The Street Pastors have been told."), "info")
    return redirect(url_for("alerts.help_request", help_id=req.id))


@roles(*SEE)
def help_status(help_id: str):
    req = request_or_404(help_id)
    values = shown(req)
    body = {
        "id": req.id,
        "outcome": req.outcome,
        "closed": req.outcome != "open",
        "eta_minutes": req.eta_minutes,
        "accepted_by": values["accepter"] or None,
        "team": values["team"] or None,
        "phones": [phone for _team, phone in values["phones"]],
        "age": values["age"] if req.outcome == "open" else None,
        "html": render_template("alerts/help_status.html", **values),
    }
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"  # a live status, never from a cache
    return response


def recent_for_venue(limit: int = 5) -> list[HelpRequest]:
    """This person's venues' latest requests, for the ask page."""
    ids = [v.id for v in my_venues()]
    stmt = select(HelpRequest).where(HelpRequest.venue_id.in_(ids))
    return list(db.session.scalars(stmt.order_by(HelpRequest.asked_at.desc()).limit(limit)))
