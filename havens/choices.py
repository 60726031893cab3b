"""The lists a visit is recorded with: fixed here, or each scheme's own (help given, how they
left: lists.items). Codes are stored and synced; labels are shown."""

from flask_babel import lazy_gettext as _l

from lists import defaults
from lists import items as lists

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

# The lists a visit's answers are checked against, by field.
LISTS = {
    "help": HELP,
    "age_band": AGE_BANDS,
    "gender": GENDERS,
    "company": COMPANY,
    "left_how": LEFT_HOW,
}

# The lists each scheme keeps its own (lists.items); the others are fixed here.
OWN_LISTS = ("help", "left_how")
FIXED = {name: tuple(codes) for name, codes in LISTS.items() if name not in OWN_LISTS}


def allowed_codes(list_name: str, scheme_id: int | None) -> tuple[str, ...]:
    """The codes a scheme's visits may hold in one list, in the order they are shown: every
    "is this code allowed" question about a visit comes here (lists.items.codes_allowed)."""
    return lists.codes_allowed(list_name, scheme_id, OWN_LISTS, FIXED)
