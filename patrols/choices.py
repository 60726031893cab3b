"""The fixed lists a contact is recorded with. Codes are stored and synced; labels are shown."""

from flask_babel import lazy_gettext as _l

from havens.choices import AGE_BANDS as VISIT_AGE_BANDS

SEEN = {
    "vulnerable": _l("Alone and vulnerable"),
    "intoxicated": _l("Intoxicated"),
    "injured": _l("Injured"),
    "distressed": _l("Distressed"),
    # Spiking and "sticking" (strategic assessment): counted with the visits' same item.
    "spiking": _l("Suspected spiking (drink or needle)"),
    "rough_sleeping": _l("Rough sleeping"),
    "conflict": _l("In conflict"),
}

# What was given or done. The first ones are the quickest to reach on the contact screen.
GIVEN = {
    "water": _l("Water"),
    "conversation": _l("Conversation and listening"),
    "flip_flops": _l("Flip-flops"),
    "foil_blanket": _l("Foil blanket"),
    "lollipop": _l("Lollipop"),
    "first_aid": _l("First aid"),
    "stayed": _l("Stayed with them"),
    "helped_home": _l("Helped home"),
    "helped_taxi": _l("Helped to a taxi"),
    "called_friend": _l("Called friend or family"),
    "called_ambulance": _l("Called an ambulance"),
    "called_police": _l("Called the police"),
    "cctv": _l("Contacted CCTV"),
    "handover": _l("Handed over to a Safe Haven"),
    "signposted": _l("Signposted to a service"),
}

# Actions partners count as assessing or reducing risk (action plan 5.1).
RISK_REDUCING = {
    "first_aid",
    "stayed",
    "helped_home",
    "helped_taxi",
    "called_friend",
    "called_ambulance",
    "called_police",
    "cctv",
    "handover",
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

FIXED = {name: tuple(codes) for name, codes in LISTS.items()}


def allowed_codes(list_name: str, scheme_id: int | None) -> tuple[str, ...]:
    """The codes a scheme's contacts may hold in one list, in the order they are shown.
    Every "is this code allowed" question about a contact comes here; today every scheme
    has the same fixed lists."""
    return FIXED[list_name]
