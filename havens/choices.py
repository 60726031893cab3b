"""The fixed lists a visit is recorded with. Codes are stored and synced; labels are shown."""

from flask_babel import lazy_gettext as _l

from lists import defaults

# Help given and how a person left are each scheme's own lists (lists.items); these are
# the defaults a new scheme starts with.
HELP = defaults.labels("help")
LEFT_HOW = defaults.labels("left_how")

AGE_BANDS = {
    "under_18": _l("Under 18"),
    "18_24": _l("18–24"),
    "25_34": _l("25–34"),
    "35_49": _l("35–49"),
    "50_64": _l("50–64"),
    "65_plus": _l("65 or over"),
    "unknown": _l("Not sure"),
}

GENDERS = {
    "woman": _l("Woman"),
    "man": _l("Man"),
    "other": _l("Another gender"),
    "not_said": _l("Prefer not to say"),
}

COMPANY = {
    "alone": _l("Alone"),
    "with_others": _l("With others"),
}

PREMISES = {
    "pub": _l("Pub or bar"),
    "club": _l("Nightclub"),
    "restaurant": _l("Restaurant"),
    "cafe": _l("Cafe"),
    "shop": _l("Shop"),
    "hotel": _l("Hotel"),
    "other": _l("Other"),
}
