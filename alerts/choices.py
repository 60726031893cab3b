"""Fixed lists: the reasons a venue gives when it asks for help, and the kinds of alert."""

from flask_babel import lazy_gettext as _l

# What a venue's staff pick when they ask the Street Pastors on patrol for help. The
# label is all a push says of it: never who, never what they look like.
HELP_REASONS = [
    ("walk_to_taxi", _l("Someone needs walking to a taxi")),
    ("alone_distressed", _l("Someone alone and distressed")),
    ("unwell", _l("Someone unwell")),
    ("other", _l("Other")),
]
HELP_REASON_LABELS = dict(HELP_REASONS)

# Every Alert.kind; alerts.texts has words for each.
KINDS = (
    "help_request",
    "help_taken",
    "help_accepted",
    "help_cancelled",
    "help_timed_out",
    "handover",
    "notice",
    "outbox_reminder",
    "training_lapse",
)

# Web Push urgencies (RFC 8030 section 5.3), lowest first.
URGENCIES = ("very-low", "low", "normal", "high")
