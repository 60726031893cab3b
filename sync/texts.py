"""The texts the page scripts (app.js, outbox.js) show, translated on the server and put
in every page as JSON, so that the scripts speak the person's language, offline too. A
page's own texts (the outbox's list, the alerts control) come only with that page."""

from collections.abc import Callable

from flask_babel import get_locale, get_translations
from flask_babel import gettext as _

from alerts.texts import alert_texts, control_texts
from core.i18n import plural_samples

# A count's text comes in each plural category of the language (CLDR: one, few, many,
# other); the page picks one with Intl.PluralRules and puts the number in place of %(num)d.


# Each language's texts, made once per process: they change only with a new release.
_TEXTS: dict[tuple[str, tuple[str, ...]], dict] = {}


def lantern_text(pages: tuple[str, ...] = ()) -> dict:
    """The texts the page scripts show, in the person's language: every page's, and those
    of the named pages (PAGES) for the page that shows them. One shared dict per language
    and pages: read it, never change it."""
    key = (str(get_locale()), tuple(pages))
    if key not in _TEXTS:
        _TEXTS[key] = translated_texts(key[1])
    return _TEXTS[key]


def translated_texts(pages: tuple[str, ...] = ()) -> dict:
    """The texts of every page and of the named pages, translated for this request."""
    t = get_translations()
    samples = plural_samples(str(get_locale())).items()
    texts = every_page(t, samples)
    for name in pages:
        for key, value in PAGES[name](t, samples).items():
            texts[key] = {**texts[key], **value} if key in texts else value
    return texts


def in_each_form(samples, text: Callable[[int], str]) -> dict:
    """A count's text in each plural category of the language, from a sample number each."""
    return {category: text(n) for category, n in samples}


def every_page(t, samples) -> dict:
    """The texts app.js, forms.js, outbox.js and alerts.js show on any page."""

    def counted(text) -> dict:
        return in_each_form(samples, text)

    return {
        "waiting": counted(
            lambda n: t.ngettext("%(num)d record waiting", "%(num)d records waiting", n)
        ),
        "attention": counted(
            lambda n: t.ngettext(
                "%(num)d record needs attention", "%(num)d records need attention", n
            )
        ),
        # Translators: %(age)s is a short time such as "5 min ago", made by the browser.
        "oldest": _("oldest saved %(age)s"),
        "all_sent": _("All your records are sent."),
        "sending": _("Sending…"),
        "offline": _("Offline"),
        # Translators: %(when)s is a short time such as "in 30 sec", made by the browser.
        "retry": _("No answer from the server: trying again %(when)s"),
        # The sign-in page: records kept on this device for whoever signs in next.
        "device_waiting": counted(
            lambda n: t.ngettext(
                "%(num)d record waits on this device to be sent.",
                "%(num)d records wait on this device to be sent.",
                n,
            )
        ),
        # Translators: %(age)s is a time such as "2 hours ago", made by the browser.
        "device_oldest": _("The oldest was saved %(age)s. Signing in sends them."),
        # The contact form's Save button says how many people the contact counts.
        "save_contact": counted(
            lambda n: t.ngettext("Save contact: %(num)d person", "Save contact: %(num)d people", n)
        ),
        "forbidden": _("This account cannot send records. They wait for someone who can."),
        "revoked": _(
            "Your coordinator has revoked this device. It sends nothing more; the records "
            "waiting on it stay here. Ask your coordinator."
        ),
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
        "fix": _("Fix"),
        "alerts": alert_texts(samples, t),
    }


def outbox_page(t, samples) -> dict:
    """The texts outbox-page.js shows on the outbox's page."""

    def counted(text) -> dict:
        return in_each_form(samples, text)

    return {
        "others": counted(
            lambda n: t.ngettext(
                "%(num)d record saved by someone else waits to be sent.",
                "%(num)d records saved by someone else wait to be sent.",
                n,
            )
        ),
        "flag_revoked": _("Not sent: this device was revoked."),
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
    }


# A page's own texts, by the name its template gives in page_texts (templates/base.html).
PAGES = {
    "outbox": outbox_page,
    "alerts": lambda t, samples: {"alerts": control_texts()},
}


def text_catalogue() -> dict:
    """Templates ask for the texts as lantern_text(); only pages with scripts do."""
    return {"lantern_text": lantern_text}
