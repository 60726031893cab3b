"""The public's report of a place where they felt unsafe (action plan 5.13 and 5.14).

No account, no JavaScript needed. The form posts like any other; a page with its small
report outbox (static/js/report-outbox.js) sends the same fields with fetch and asks for
JSON, so that a report saved with no connection is sent later, and once: the browser
makes each report's id, and the same id sent again is the report already stored.

Nothing about the sender is kept: not their address, not their browser, and not who is
signed in, if anyone is.
"""

import uuid

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from accounts.models import Scheme
from core.access import public
from core.errors import wants_json
from core.timeutil import london_today
from extensions import db, limiter
from havens.public import only_scheme_id
from places import services
from places.forms import ReportForm
from places.maps import map_config


def _report_rate() -> str:
    return current_app.config["UNSAFE_PLACE_RATE_LIMIT"]


@public
def report():
    """The address a council prints: the one scheme's form, or a choice of schemes."""
    scheme_id = only_scheme_id()
    if scheme_id is not None:
        return report_page(db.session.get(Scheme, scheme_id), new_form())
    schemes = db.session.scalars(select(Scheme).order_by(Scheme.name)).all()
    return render_template("places/choose_scheme.html", schemes=schemes, purpose="report")


def new_form() -> ReportForm:
    """An empty report with its own id, the day at today."""
    form = ReportForm(formdata=None)
    form.id.data = str(uuid.uuid4())
    form.happened_on.data = london_today()
    return form


def report_page(scheme: Scheme, form: ReportForm, status: int = 200):
    return render_template(
        "places/report.html", scheme=scheme, form=form, map=map_config(scheme.id)
    ), status


@public
@limiter.limit(_report_rate, methods=["POST"])
def report_for_scheme(scheme_id: int):
    scheme = db.session.get(Scheme, scheme_id) or abort(404)
    if request.method == "GET":
        return report_page(scheme, new_form())
    form = ReportForm()
    if not form.validate():
        if wants_json():
            return {"status": "invalid", "errors": field_errors(form), "say": needs_look()}, 400
        return report_page(scheme, form, 400)
    created = False
    if not form.website.data:  # a filled honeypot is a bot: thank it, keep nothing
        _report, created = services.save_report(
            form.id.data, scheme.id, form.values(), form.contact_email()
        )
        db.session.commit()
    thanks = url_for("places.report_thanks", scheme_id=scheme.id)
    if wants_json():
        return {"status": "stored" if created else "duplicate", "thanks": thanks}, (
            201 if created else 200
        )
    return redirect(thanks, 303)


def field_errors(form: ReportForm) -> dict[str, list[str]]:
    """Each field's errors as text, for the outbox to show by the field."""
    return {name: [str(e) for e in errors] for name, errors in form.errors.items() if name}


def needs_look() -> str:
    return _("Some answers need another look. Everything else you entered is kept.")


@public
def report_thanks(scheme_id: int):
    scheme = db.session.get(Scheme, scheme_id) or abort(404)
    return render_template("places/report_thanks.html", scheme=scheme)
