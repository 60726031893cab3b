"""EVA reports for partners and coordinators: the list, each report's page, and its PDF.

Partners of the scheme read these in full (they are written to be shared), but for the
reports from the public each EVA answers, which are counts with small numbers hidden.
"""

from __future__ import annotations

import io

from flask import abort, current_app, render_template, send_file
from flask_login import current_user

from core.access import roles
from core.services import audit_read
from extensions import db
from havens.stickers.art import FontMissing
from places.access import evas_for
from places.choices import ACTION_STATUSES, CHECKLIST, EVA_STATUSES, RATINGS
from places.models import Eva
from reports import eva_report
from reports.eva_pdf import eva_pdf_bytes

LABELS = {
    "checklist": CHECKLIST,
    "ratings": RATINGS,
    "status": EVA_STATUSES,
    "actions": ACTION_STATUSES,
}


def eva_or_404(eva_id: int) -> Eva:
    found = db.session.scalar(evas_for(current_user).where(Eva.id == eva_id))
    return found or abort(404)


def small_max() -> int:
    # Below 1 nothing would be hidden: never in a report partners read.
    return max(1, int(current_app.config["SMALL_COUNT_MAX"]))


@roles("coordinator", "partner")
def evas_page():
    found = db.session.scalars(evas_for(current_user).order_by(Eva.walked_at.desc())).all()
    return render_template("reports/evas.html", evas=found, labels=LABELS)


@roles("coordinator", "partner")
def eva_page(eva_id: int):
    report = eva_report.build(eva_or_404(eva_id), small_max())
    return render_template("reports/eva_report.html", report=report, eva=report.eva, labels=LABELS)


@roles("coordinator", "partner")
def eva_pdf(eva_id: int):
    report = eva_report.build(eva_or_404(eva_id), small_max())
    try:
        body = eva_pdf_bytes(report)
    except FontMissing:
        current_app.logger.error("EVA report PDF: the DejaVu font is missing")
        abort(503)
    audit_read("exported", report.eva, scheme_id=report.eva.scheme_id, report="eva", format="pdf")
    return send_file(
        io.BytesIO(body),
        mimetype="application/pdf",
        download_name=f"lantern-eva-{report.eva.number}.pdf",
    )
