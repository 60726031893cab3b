"""The coordinator's export downloads and the audit log. The log is read-only (GET): it
cannot be changed in the app. A download is a POST with a CSRF token, because it writes
its audit event: another site must not be able to make one in a coordinator's name."""

import io

from flask import render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user

from core.access import roles
from core.forms import options
from core.services import audit_read
from core.timeutil import london_today
from extensions import db
from reports import audit_log, exports, writers
from reports.filters import AuditFilterForm, ExportForm


@roles("coordinator")
def exports_page():
    form = ExportForm(format="csv")
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("reports/exports.html", form=form, tables=exports.TABLES), status
    fmt, period = form.format.data, exports.Period(form.date_from.data, form.date_to.data)
    scheme_id = current_user.scheme_id
    export = exports.build([scheme_id], period)
    body = writers.write(export, fmt)
    audit_read("exported", scheme_id=scheme_id, **exports.audit_detail(export, fmt, period, "web"))
    return send_file(
        io.BytesIO(body),
        mimetype=writers.MEDIA_TYPES[fmt],
        as_attachment=True,
        download_name=file_name(period, fmt),
    )


def file_name(period: exports.Period, fmt: str) -> str:
    """lantern-export-FROM-to-TO.zip, with 'start' and today's date for open ends."""
    start = period.start.isoformat() if period.start else "start"
    end = (period.end or london_today()).isoformat()
    return f"lantern-export-{start}-to-{end}{writers.SUFFIXES[fmt]}"


@roles("coordinator")
def audit_log_page():
    scheme_id = current_user.scheme_id
    people = audit_log.people_in(scheme_id)
    filters = AuditFilterForm(request.args)
    filters.action.choices = options(
        [("", _("Anything"))]
        + [(a, audit_log.ACTIONS.get(a, a)) for a in audit_log.actions_in(scheme_id)]
    )
    filters.person.choices = options(
        [(0, _("Anyone")), (audit_log.NO_ONE, _("No one signed in (command line, devices)"))]
        + list(people.items())
    )
    if filters.validate():
        data = filters.data
        stmt = audit_log.events(
            scheme_id, data["action"], data["person"], data["date_from"], data["date_to"]
        )
    else:
        stmt = audit_log.events(scheme_id)
    page = db.paginate(
        stmt,
        page=request.args.get("page", 1, type=int),
        per_page=audit_log.PER_PAGE,
        error_out=False,
    )
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "reports/audit_log.html",
        page=page,
        filters=filters,
        people=people,
        actions=audit_log.ACTIONS,
        targets=audit_log.TARGETS,
        args=args,
    )
