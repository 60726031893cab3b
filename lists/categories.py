"""The standard categories the partnership reports on, the same for every scheme.

Each item of a scheme's list belongs to one, so counts stay comparable across schemes and
over time whatever a town calls its items. The set is fixed here, not edited."""

from flask_babel import lazy_gettext as _l

CATEGORIES = {
    # Translators: standard categories that every scheme's list items belong to.
    "practical_help": _l("Practical help"),
    "comfort": _l("Comfort and listening"),
    "called_someone": _l("Called someone"),
    "emergency_service": _l("Emergency service"),
    "first_aid": _l("First aid"),
    "risk_reducing": _l("Other risk-reducing action"),
    "handover": _l("Hand-over"),
    "signposting": _l("Signposting"),
    "spiking": _l("Suspected spiking"),
    "vulnerability": _l("Vulnerability"),
    "intoxication": _l("Intoxication"),
    "injury": _l("Injury"),
    "distress": _l("Distress"),
    "rough_sleeping": _l("Rough sleeping"),
    "conflict": _l("Conflict"),
    "left_safely": _l("Left with someone or by taxi"),
    "walked_on": _l("Walked on"),
    "refused_help": _l("Refused help"),
    "other": _l("Other"),
}

# What was given or done in these categories assesses or reduces risk (action plan 5.1).
RISK_REDUCING = {"first_aid", "risk_reducing", "called_someone", "emergency_service", "handover"}

# The categories a coordinator may choose from for each list, in the order offered.
FOR_LIST = {
    "help": [
        "comfort",
        "practical_help",
        "called_someone",
        "emergency_service",
        "first_aid",
        "risk_reducing",
        "handover",
        "signposting",
        "spiking",
        "other",
    ],
    "given": [
        "practical_help",
        "comfort",
        "first_aid",
        "risk_reducing",
        "called_someone",
        "emergency_service",
        "handover",
        "signposting",
        "other",
    ],
    "seen": [
        "vulnerability",
        "intoxication",
        "injury",
        "distress",
        "spiking",
        "rough_sleeping",
        "conflict",
        "other",
    ],
    "left_how": ["left_safely", "emergency_service", "walked_on", "refused_help", "other"],
}
