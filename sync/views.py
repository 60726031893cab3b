"""The installable app: the service worker, the manifest, the offline page and the outbox
page. The texts the page scripts show are in sync.texts."""

import hashlib
import json
import re
from pathlib import Path

from flask import Response, current_app, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

import sync.models  # noqa: F401  (the tables, for the migrations)
from alerts import help_requests
from core.access import public, signed_in
from havens.forms import VisitForm
from patrols.forms import ContactForm, StartPatrolForm, end_form

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
# The line of static/sw.js that the view fills in with the version and the precache list.
SW_CONFIG = re.compile(r"^const CONFIG = .*$", re.MULTILINE)
# Colours from static/css/app.css (dark theme): the header bar, and the page behind the splash.
THEME = "#1d2227"
BACKGROUND = "#101214"


def precached_files() -> list[Path]:
    """The app shell: every static file but the service worker itself, in a fixed order."""
    files = (p for p in STATIC.rglob("*") if p.is_file() and p.name != "sw.js")
    return sorted(files, key=lambda p: p.relative_to(STATIC).as_posix())


def shell_version(files: list[Path], release: str) -> str:
    """Changes whenever a shell file, the worker, a template (the offline pages are made
    from them) or the RELEASE setting changes."""
    digest = hashlib.sha256(release.encode())
    templates = sorted((ROOT / "templates").rglob("*.html"))
    for path in [*files, STATIC / "sw.js", *templates]:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


@public
def service_worker():
    files = precached_files()
    urls = [url_for("static", filename=p.relative_to(STATIC).as_posix()) for p in files]
    config = {
        "version": shell_version(files, str(current_app.config["RELEASE"])),
        # The anonymous offline page: the last fallback, before anyone has signed in; and
        # the sign-in page, which says offline how many records wait on the device.
        "precache": [
            *urls,
            url_for("sync.offline"),
            url_for("accounts.sign_in"),
            url_for("sync.manifest"),
        ],
        "anonymous": [url_for("accounts.sign_in")],
    }
    source = (STATIC / "sw.js").read_text()
    body = SW_CONFIG.sub(lambda _m: f"const CONFIG = {json.dumps(config)};", source, count=1)
    response = Response(body, mimetype="text/javascript")
    # The browser must always see a new version; the worker controls the whole site.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@public
def manifest():
    def icon(name: str, size: int, purpose: str) -> dict:
        src = url_for("static", filename=f"icons/{name}")
        return {"src": src, "sizes": f"{size}x{size}", "type": "image/png", "purpose": purpose}

    body = {
        "id": "/",
        "name": "Lantern",
        "short_name": "Lantern",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME,
        "background_color": BACKGROUND,
        "icons": [
            icon("icon-192.png", 192, "any"),
            icon("icon-512.png", 512, "any"),
            icon("maskable-192.png", 192, "maskable"),
            icon("maskable-512.png", 512, "maskable"),
        ],
    }
    return Response(json.dumps(body), mimetype="application/manifest+json")


@public
def offline():
    # A venue's tablet keeps this page (per person, see sync.api.offline_pages): with no
    # connection it cannot alert the pastors, so it offers their phones instead.
    venue_staff = current_user.is_authenticated and current_user.has_role("venue_staff")
    phones = help_requests.team_phones(current_user.scheme_id) if venue_staff else None
    return render_template("sync/offline.html", phones=phones)


@signed_in
def outbox():
    return render_template("sync/outbox.html", fields=field_labels())


def labels_of(form) -> dict:
    return {field.name: str(field.label.text) for field in form}


def field_labels() -> dict:
    """For each kind of record, its form's field names and labels: the outbox shows each
    of the server's errors next to the name of the field it is about."""
    unbound = {"formdata": None, "meta": {"csrf": False}}
    visit = labels_of(VisitForm(**unbound))
    contact = labels_of(ContactForm(**unbound))
    whole = _("The record as a whole")
    ids = dict.fromkeys(["_record", "id", "op", "kind", "patrol", "author", "data"], whole)
    return {
        "visit": visit | ids,
        "visit_correction": visit | ids,
        "contact": contact | ids,
        "contact_correction": contact | ids,
        "patrol_start": labels_of(StartPatrolForm(**unbound)) | ids,
        "patrol_end": labels_of(end_form(current_user.scheme, **unbound)) | ids,
    }
