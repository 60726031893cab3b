"""The installable app: the service worker, the manifest, the offline page and the outbox page,
and the translated texts the page scripts show."""

import hashlib
import json
import re
from functools import cache
from pathlib import Path

from babel import Locale
from flask import Response, current_app, render_template, url_for
from flask_babel import get_locale, get_translations
from flask_babel import gettext as _
from flask_login import current_user

import sync.models  # noqa: F401  (the tables, for the migrations)
from accounts.access import public, signed_in
from alerts import help_requests
from havens.forms import VisitForm
from patrols.forms import ContactForm, StartPatrolForm, end_form
from sync import bp

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


@bp.route("/sw.js")
@public
def service_worker():
    files = precached_files()
    urls = [url_for("static", filename=p.relative_to(STATIC).as_posix()) for p in files]
    config = {
        "version": shell_version(files, str(current_app.config["RELEASE"])),
        # The anonymous offline page: the last fallback, before anyone has signed in.
        "precache": [*urls, url_for("sync.offline"), url_for("sync.manifest")],
    }
    source = (STATIC / "sw.js").read_text()
    body = SW_CONFIG.sub(lambda _m: f"const CONFIG = {json.dumps(config)};", source, count=1)
    response = Response(body, mimetype="text/javascript")
    # The browser must always see a new version; the worker controls the whole site.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.route("/manifest.webmanifest")
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


@bp.route("/offline")
@public
def offline():
    # A venue's tablet keeps this page (per person, see sync.api.offline_pages): with no
    # connection it cannot alert the pastors, so it offers their phones instead.
    venue_staff = current_user.is_authenticated and current_user.has_role("venue_staff")
    phones = help_requests.team_phones(current_user.scheme_id) if venue_staff else None
    return render_template("sync/offline.html", phones=phones)


@bp.route("/outbox")
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
        "patrol_end": labels_of(end_form(current_user.scheme.tallies, **unbound)) | ids,
    }


# The texts app.js and outbox.js show, translated here. A count's text comes in each
# plural category of the language (CLDR: one, few, many, other); the page picks one with
# Intl.PluralRules and puts the number in place of %(num)d.


@cache
def plural_samples(locale: str) -> dict[str, int]:
    """A whole number in each plural category the language uses for whole numbers."""
    rule = Locale.parse(locale).plural_form
    samples = {}
    for n in range(200):
        samples.setdefault(rule(n), n)
    return samples


def lantern_text() -> dict:
    """Every text the page scripts show, in the person's language."""
    t = get_translations()
    samples = plural_samples(str(get_locale())).items()

    def counted(text) -> dict:
        return {category: text(n) for category, n in samples}

    return {
        "waiting": counted(
            lambda n: t.ngettext(
                "%(num)d record waits to be sent.", "%(num)d records wait to be sent.", n
            )
        ),
        "attention": counted(
            lambda n: t.ngettext(
                "%(num)d record needs attention", "%(num)d records need attention", n
            )
        ),
        "others": counted(
            lambda n: t.ngettext(
                "%(num)d record saved by someone else waits to be sent.",
                "%(num)d records saved by someone else wait to be sent.",
                n,
            )
        ),
        # Translators: %(age)s is a time such as "5 minutes ago", made by the browser.
        "oldest": _("The oldest was saved %(age)s."),
        "all_sent": _("All your records are sent."),
        "sending": _("Sending…"),
        "offline": _("Offline."),
        "offline_waiting": _("Offline: they are sent when there is a connection."),
        # Translators: %(when)s is a time such as "in 30 seconds", made by the browser.
        "retry": _("The server could not be reached. Trying again %(when)s."),
        "signed_out": _("You are signed out. Records wait on this device until you sign in."),
        "forbidden": _("This account cannot send records. They wait for someone who can."),
        "revoked": _(
            "Your coordinator has revoked this device. It sends nothing more; the records "
            "waiting on it stay here. Ask your coordinator."
        ),
        "flag_revoked": _("Not sent: this device was revoked."),
        "storage_off": _(
            "This device cannot keep records offline (private browsing, or storage is turned off)."
        ),
        "no_storage": _(
            "This device cannot keep records (private browsing, or storage is turned off). "
            "Your answers are still in the form."
        ),
        "full": _(
            "This device has no room to keep the record. Your answers are still in the form."
        ),
        "posting": _("Sending it straight to the server instead."),
        "waits": _("Saved on this device. It will be sent when there is a connection."),
        "check": _("Some answers need another look. Everything else you entered is kept."),
        "fixing": _(
            "This record was not accepted. Put right the answers marked and save it again."
        ),
        "gone": _("This record is no longer in the outbox."),
        "too_large": _("This record is too large to send. Shorten the note and save it again."),
        "saved": {
            "visit": _("Visit saved."),
            "contact": _("Contact saved."),
            "patrol_start": _("Patrol started. Stay safe."),
            "patrol_end": _("Patrol ended. Thank you."),
            "visit_correction": _("Correction saved. The earlier version is kept."),
            "contact_correction": _("Correction saved. The earlier version is kept."),
        },
        "kinds": {
            "visit": _("Visit"),
            "visit_correction": _("Correction of a visit"),
            "contact": _("Contact"),
            "contact_correction": _("Correction of a contact"),
            "patrol_start": _("Start of a patrol"),
            "patrol_end": _("End of a patrol"),
        },
        # Translators: %(time)s is a date and time, written by the browser.
        "saved_at": _("Saved %(time)s"),
        "receipt": _("Receipt %(number)s, received %(time)s"),
        "status": {
            "created": _("Stored."),
            "duplicate": _("It had arrived already: stored once."),
            "conflict": _("It differs from the stored record: kept for a coordinator to decide."),
        },
        "fix": _("Fix"),
        "discard": _("Discard"),
        "discard_confirm": _("Discard this record for good? It will never be sent."),
        "discard_yes": _("Yes, discard it"),
        "discard_no": _("Keep it"),
        "none_waiting": _("Nothing is waiting."),
        "none_attention": _("Nothing needs attention."),
        "none_sent": _("Nothing was sent from this device in the last 24 hours."),
        "persisted": _("Kept: the browser will not clear Lantern's storage to make room."),
        "not_persisted": _(
            "Not protected: the browser may clear Lantern's storage when space runs low. "
            "Installing Lantern on the home screen helps."
        ),
        "persist_unknown": _("This browser does not say whether it keeps Lantern's storage."),
        "alerts": alert_texts(samples, t),
    }


def alert_texts(samples, t) -> dict:
    """The texts of static/js/alerts.js: the nav's count and the "Turn on alerts" control."""
    return {
        "nav": _("Alerts"),
        "nav_count": _("Alerts (%(num)d)"),
        "unread": {
            category: t.ngettext("%(num)d unread alert", "%(num)d unread alerts", n)
            for category, n in samples
        },
        "unsupported": _(
            "This browser cannot show alerts. Lantern's alerts list still has them all."
        ),
        "ios_install": _(
            "On iPhone and iPad, alerts work only after you add Lantern to the Home Screen "
            "and open it from there."
        ),
        "denied": _(
            "Alerts are blocked for Lantern in this browser. To allow them, open the site's "
            "settings (the icon beside the address, or Settings, then Notifications) and "
            "allow notifications, then reload this page."
        ),
        "off": _("Alerts are off on this device."),
        "on": _("Alerts are on for this device."),
        "working": _("Turning on alerts…"),
        "failed": _("Alerts could not be turned on. Check the connection and try again."),
        "removed": _("Alerts are off on this device."),
    }


@bp.app_context_processor
def text_catalogue() -> dict:
    return {"lantern_text": lantern_text}
