"""The fixed lists a visit is recorded with. Codes are stored and synced; labels are shown."""

from flask_babel import lazy_gettext as _l

HELP = {
    "seat": _l("Seat and calm space"),
    "phone_charged": _l("Phone charged"),
    "called_friend": _l("Called friend or family"),
    "called_taxi": _l("Called a taxi"),
    "water": _l("Water"),
    "first_aid": _l("First aid"),
    # The strategic assessment's "spiking and sticking" in the night-time economy: recorded
    # where staff suspect it, whatever help followed, so that it can be counted.
    "suspected_spiking": _l("Suspected spiking (drink or needle)"),
    # Translators: the "Ask for Angela" scheme's name; keep it in English if it is known so.
    "ask_for_angela": _l("Ask for Angela"),
    "police_999": _l("Police (999)"),
    "police_101": _l("Police (101)"),
    "ambulance": _l("Ambulance"),
    "street_pastors": _l("Handed over to Street Pastors"),
    "signposted": _l("Signposted to a service"),
}

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

LEFT_HOW = {
    "friend_family": _l("With friend or family"),
    "taxi": _l("By taxi"),
    "police": _l("With police"),
    "ambulance": _l("By ambulance"),
    "walked_on": _l("Walked on"),
    "refused_help": _l("Refused help"),
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

FIXED = {name: tuple(codes) for name, codes in LISTS.items()}


def allowed_codes(list_name: str, scheme_id: int | None) -> tuple[str, ...]:
    """The codes a scheme's visits may hold in one list, in the order they are shown. Every
    "is this code allowed" question about a visit comes here; today every scheme has the
    same fixed lists."""
    return FIXED[list_name]
