"""Coordinators' sticker pages: print one venue's or a batch, reissue, and the register."""

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.access import roles
from extensions import db
from havens.access import venues_for
from havens.models import Venue
from havens.services import is_valid_haven
from havens.stickers import services
from havens.stickers.forms import PrintForm, ReissueForm
from havens.venues import venue_or_404

MEDIA_TYPES = {"pdf": "application/pdf", "svg": "image/svg+xml", "png": "image/png"}


def download(body: bytes, kind: str, name: str):
    """A file to save, never to show inline (an SVG shown inline could be a page)."""
    return send_file(
        io.BytesIO(body), mimetype=MEDIA_TYPES[kind], as_attachment=True, download_name=name
    )


def render_sticker_page(venue: Venue, **forms):
    """The venue's sticker page; a form with errors is passed in by its view."""
    stickers = services.history(venue)
    code = 400 if any(form.errors for form in forms.values()) else 200
    return render_template(
        "havens/sticker.html",
        venue=venue,
        current=next((s for s in stickers if s.code == venue.public_code), None),
        stickers=stickers,
        print_form=forms.get("print_form") or PrintForm(),
        reissue_form=forms.get("reissue_form") or ReissueForm(),
        url=services.public_url(venue.public_code),
        valid=is_valid_haven(venue),
    ), code


@roles("coordinator")
def venue_sticker(venue_id: int):
    return render_sticker_page(venue_or_404(venue_id))


@roles("coordinator")
def print_sticker(venue_id: int):
    venue = venue_or_404(venue_id)
    form = PrintForm()
    if not form.validate_on_submit():
        return render_sticker_page(venue, print_form=form)
    kind, size, language = form.file_type.data, form.size.data, form.language.data
    number = services.current_sticker(venue, current_user).number
    if kind == "pdf":
        body = services.pdf([venue], size, language, current_user)
    else:  # a sign maker's file is one sticker, whatever the sheet
        size = "a6" if size == "a4-4up" else size
        body = services.image(venue, kind, size, language, current_user)
    db.session.commit()
    return download(body, kind, f"safe-haven-sticker-{number}-{size}.{kind}")


@roles("coordinator")
def print_stickers():
    form = PrintForm()
    if not form.validate_on_submit():
        abort(400)
    chosen = set(request.form.getlist("venue", type=int))
    if chosen:
        stmt = venues_for(current_user).where(Venue.id.in_(chosen)).order_by(Venue.name)
        venues = db.session.scalars(stmt).all()
        if len(venues) != len(chosen):
            abort(404)  # another scheme's venue, or none at all
    else:
        venues = services.active_venues(current_user.scheme_id)
    if not venues:
        flash(_("There are no active venues to print stickers for."), "error")
        return redirect(url_for("havens.venues"))
    body = services.pdf(venues, form.size.data, form.language.data, current_user)
    db.session.commit()
    return download(body, "pdf", f"safe-haven-stickers-{form.size.data}.pdf")


@roles("coordinator")
def reissue_sticker(venue_id: int):
    venue = venue_or_404(venue_id)
    form = ReissueForm()
    if not form.validate_on_submit():
        return render_sticker_page(venue, reissue_form=form)
    sticker = services.reissue(venue, form.reason.data, current_user)
    db.session.commit()
    flash(
        _(
            "Sticker no. %(number)d issued under a new code. The old sign is no longer "
            "valid: print the new one and put it up in its place.",
            number=sticker.number,
        ),
        "info",
    )
    return redirect(url_for("havens.venue_sticker", venue_id=venue.id))


@roles("coordinator")
def sticker_register():
    stickers = services.register(current_user.scheme_id)
    return render_template("havens/sticker_register.html", stickers=stickers)
