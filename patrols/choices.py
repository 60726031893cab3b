"""The lists a contact is recorded with: fixed here, or each scheme's own (what was seen and
what was given or done: lists.items). Codes are stored and synced; labels are shown."""

from flask_babel import lazy_gettext as _l

from havens.choices import AGE_BANDS as VISIT_AGE_BANDS
from lists import defaults
from lists import items as lists
from lists.categories import RISK_REDUCING as RISK_CATEGORIES

# What was seen and what was given or done are each scheme's own lists (lists.items);
# these are the defaults a new scheme starts with.
SEEN = defaults.labels("seen")
GIVEN = defaults.labels("given")

# The default items that assess or reduce risk (action plan 5.1): those of the standard
# categories that do (lists.categories.RISK_REDUCING), as a scheme's own items are.
RISK_REDUCING = {
    code for code, category in defaults.categories("given").items() if category in RISK_CATEGORIES
}

# The same bands as a Safe Haven visit, so the partnership can add them up.
AGE_BANDS = VISIT_AGE_BANDS

GENDERS = {
    "woman": _l("Woman"),
    "man": _l("Man"),
    "mixed": _l("Mixed group"),
}

PEOPLE_CHOICES = [1, 2, 3, 4, 5, 6]

# The lists a contact's answers are checked against, by field.
LISTS = {
    "given": GIVEN,
    "seen": SEEN,
    "age_band": AGE_BANDS,
    "gender": GENDERS,
}

# The lists each scheme keeps its own (lists.items); the others are fixed here.
OWN_LISTS = ("given", "seen")
FIXED = {name: tuple(codes) for name, codes in LISTS.items() if name not in OWN_LISTS}


def allowed_codes(list_name: str, scheme_id: int | None) -> tuple[str, ...]:
    """The codes a scheme's contacts may hold in one list, in the order they are shown: every
    "is this code allowed" question about a contact comes here (lists.items.codes_allowed)."""
    return lists.codes_allowed(list_name, scheme_id, OWN_LISTS, FIXED)
