"""The fixed lists unsafe-place reports and EVAs are recorded with. Codes are stored;
labels are shown."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

# What made a place feel unsafe: the StreetSafe reports' most frequent issues (strategic
# assessment, VAWG section), then what people report of others, then anything else.
CATEGORIES = {
    "lighting": _l("Poor or no street lighting"),
    "visibility": _l("Restricted visibility or hidden corners"),
    "drugs_alcohol": _l("Signs of drug or alcohol use"),
    "no_cctv": _l("No CCTV"),
    "followed": _l("Being followed or harassed"),
    "isolated": _l("Isolated or deserted"),
    "other": _l("Other"),
}

# When, roughly; the day is asked for as well.
WHEN = {
    "now": _l("Now"),
    "earlier_today": _l("Earlier today"),
    "this_week": _l("This week"),
    "earlier": _l("Before this week"),
}
# For these the day is today, whatever the day field says.
TODAY = {"now", "earlier_today"}

TIME_OF_DAY = {
    "day": _l("In the day (06:00 to 18:00)"),
    "evening": _l("In the evening (18:00 to midnight)"),
    "night": _l("Late at night (midnight to 06:00)"),
}

# A report's life cycle, in order: see places.services.TRANSITIONS for the steps allowed.
STATUSES = {
    "new": _l("New"),
    # Translators: an unsafe-place report that a coordinator has read.
    "reviewed": _l("Reviewed"),
    # Translators: EVA is an environmental visual audit, a walk round a place to see
    # what makes it feel unsafe.
    "eva_planned": _l("EVA planned"),
    "eva_done": _l("EVA done"),
    "action_taken": _l("Action taken"),
    # Not the "Closed" of opening hours: some languages say the two differently.
    "closed": lazy_pgettext("unsafe-place report", "Closed"),
}
OPEN = [status for status in STATUSES if status != "closed"]

# What an EVA looks at, drawn from the report categories.
CHECKLIST = {
    "lighting": _l("Lighting"),
    "sightlines": _l("Sightlines and hidden corners"),
    "cctv": _l("CCTV"),
    "signage": _l("Signage"),
    "vegetation": _l("Vegetation"),
    "escape_routes": _l("Escape routes"),
    "venues": _l("Nearby venues and Safe Havens"),
}

RATINGS = {
    "good": _l("Good"),
    "needs_work": _l("Needs work"),
    "poor": _l("Poor"),
    "not_checked": _l("Not checked"),
}

EVA_STATUSES = {
    # Translators: an environmental visual audit that is planned, or done.
    "planned": _l("Planned"),
    "done": _l("Done"),
}

ACTION_STATUSES = {
    # Translators: an action agreed after an environmental visual audit.
    "open": _l("Open"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
}
