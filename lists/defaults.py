"""Every new scheme's lists, as Lantern has always offered them: (code, label, category).

The labels are marked for translation, so a scheme that keeps them has them in every
language; a coordinator's own words are stored per language instead (lists.models)."""

from flask_babel import lazy_gettext as _l

HELP = [
    ("seat", _l("Seat and calm space"), "comfort"),
    ("phone_charged", _l("Phone charged"), "practical_help"),
    ("called_friend", _l("Called friend or family"), "called_someone"),
    ("called_taxi", _l("Called a taxi"), "called_someone"),
    ("water", _l("Water"), "practical_help"),
    ("first_aid", _l("First aid"), "first_aid"),
    # The strategic assessment's "spiking and sticking" in the night-time economy: recorded
    # where staff suspect it, whatever help followed, so that it can be counted.
    ("suspected_spiking", _l("Suspected spiking (drink or needle)"), "spiking"),
    # Translators: the "Ask for Angela" scheme's name; keep it in English if it is known so.
    ("ask_for_angela", _l("Ask for Angela"), "risk_reducing"),
    ("police_999", _l("Police (999)"), "emergency_service"),
    ("police_101", _l("Police (101)"), "emergency_service"),
    ("ambulance", _l("Ambulance"), "emergency_service"),
    ("street_pastors", _l("Handed over to Street Pastors"), "handover"),
    ("signposted", _l("Signposted to a service"), "signposting"),
]

LEFT_HOW = [
    ("friend_family", _l("With friend or family"), "left_safely"),
    ("taxi", _l("By taxi"), "left_safely"),
    ("police", _l("With police"), "emergency_service"),
    ("ambulance", _l("By ambulance"), "emergency_service"),
    ("walked_on", _l("Walked on"), "walked_on"),
    ("refused_help", _l("Refused help"), "refused_help"),
]

SEEN = [
    ("vulnerable", _l("Alone and vulnerable"), "vulnerability"),
    ("intoxicated", _l("Intoxicated"), "intoxication"),
    ("injured", _l("Injured"), "injury"),
    ("distressed", _l("Distressed"), "distress"),
    # Spiking and "sticking" (strategic assessment): counted with the visits' same item.
    ("spiking", _l("Suspected spiking (drink or needle)"), "spiking"),
    ("rough_sleeping", _l("Rough sleeping"), "rough_sleeping"),
    ("conflict", _l("In conflict"), "conflict"),
]

# What was given or done. The first ones are the quickest to reach on the contact screen.
GIVEN = [
    ("water", _l("Water"), "practical_help"),
    ("conversation", _l("Conversation and listening"), "comfort"),
    ("flip_flops", _l("Flip-flops"), "practical_help"),
    ("foil_blanket", _l("Foil blanket"), "practical_help"),
    ("lollipop", _l("Lollipop"), "practical_help"),
    ("first_aid", _l("First aid"), "first_aid"),
    ("stayed", _l("Stayed with them"), "risk_reducing"),
    ("helped_home", _l("Helped home"), "risk_reducing"),
    ("helped_taxi", _l("Helped to a taxi"), "risk_reducing"),
    ("called_friend", _l("Called friend or family"), "called_someone"),
    ("called_ambulance", _l("Called an ambulance"), "emergency_service"),
    ("called_police", _l("Called the police"), "emergency_service"),
    ("cctv", _l("Contacted CCTV"), "risk_reducing"),
    ("handover", _l("Handed over to a Safe Haven"), "handover"),
    ("signposted", _l("Signposted to a service"), "signposting"),
]

LISTS = {"help": HELP, "left_how": LEFT_HOW, "seen": SEEN, "given": GIVEN}

# Translators: the names of the lists a coordinator edits.
NAMES = {
    "help": _l("Help given at a Safe Haven"),
    "left_how": _l("How they left a Safe Haven"),
    "seen": _l("What pastors saw"),
    "given": _l("What pastors gave or did"),
}

# Codes the app itself acts on: they cannot be hidden (a hand-over needs its venue, a
# signposting its service), though their labels and places in the list can change.
BUILT_IN = {"help": {"signposted"}, "given": {"handover", "signposted"}}


def labels(name: str) -> dict:
    """{code: label} of a default list, in its order."""
    return {code: label for code, label, _category in LISTS[name]}


def categories(name: str) -> dict[str, str]:
    """{code: category} of a default list."""
    return {code: category for code, _label, category in LISTS[name]}
