"""The texts the page scripts (app.js, outbox.js) show, translated on the server and put
in every page as JSON, so that the scripts speak the person's language, offline too."""

from flask_babel import get_locale, get_translations
from flask_babel import gettext as _

from alerts.texts import alert_texts
from core.i18n import plural_samples

# A count's text comes in each plural category of the language (CLDR: one, few, many,
# other); the page picks one with Intl.PluralRules and puts the number in place of %(num)d.


# Each language's texts, made once per process: they change only with a new release.
_TEXTS: dict[str, dict] = {}


def lantern_text() -> dict:
    """Every text the page scripts show, in the person's language (one shared dict per
    language: read it, never change it)."""
    locale = str(get_locale())
    if locale not in _TEXTS:
        _TEXTS[locale] = translated_texts()
    return _TEXTS[locale]


def translated_texts() -> dict:
    """Every text the page scripts show, translated for this request."""
    t = get_translations()
    samples = plural_samples(str(get_locale())).items()

    def counted(text) -> dict:
        return {category: text(n) for category, n in samples}

    return {
        "waiting": counted(
            lambda n: t.ngettext("%(num)d record waiting", "%(num)d records waiting", n)
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


def text_catalogue() -> dict:
    """Templates ask for the texts as lantern_text(); only pages with scripts do."""
    return {"lantern_text": lantern_text}
