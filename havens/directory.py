"""The support directory's pages: everyone signed in reads it (and keeps it offline);
coordinators add, edit and remove services."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.access import in_my_scheme_or_404, roles, signed_in
from core.services import audit
from extensions import db
from havens.access import directory_for
from havens.forms import ServiceForm
from havens.models import SupportService


@signed_in
def directory():
    return render_template("havens/directory.html", services=directory_for(current_user.scheme_id))


def service_or_404(service_id: int) -> SupportService:
    return in_my_scheme_or_404(SupportService, service_id)


@roles("coordinator")
def add_service():
    form = ServiceForm()
    if form.validate_on_submit():
        service = SupportService(scheme_id=current_user.scheme_id)
        form.populate_obj(service)
        db.session.add(service)
        db.session.flush()
        audit("service_added", service)
        db.session.commit()
        flash(_("%(name)s added to the directory.", name=service.name), "info")
        return redirect(url_for("havens.directory"))
    return render_template(
        "havens/service_form.html", form=form, service=None
    ), 400 if form.errors else 200


@roles("coordinator")
def edit_service(service_id: int):
    service = service_or_404(service_id)
    form = ServiceForm(obj=service)
    if form.validate_on_submit():
        form.populate_obj(service)
        audit("service_updated", service)
        db.session.commit()
        flash(_("Changes to %(name)s saved.", name=service.name), "info")
        return redirect(url_for("havens.directory"))
    return render_template(
        "havens/service_form.html", form=form, service=service
    ), 400 if form.errors else 200


@roles("coordinator")
def delete_service(service_id: int):
    service = service_or_404(service_id)
    audit("service_removed", service, name=service.name)
    db.session.delete(service)
    db.session.commit()
    flash(_("%(name)s removed from the directory.", name=service.name), "info")
    return redirect(url_for("havens.directory"))
