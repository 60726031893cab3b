"""A venue's weekly opening hours: for each day Monday to Sunday, closed or one span.

Stored as JSON, a list of seven items, each null or ["HH:MM", "HH:MM"]. A span whose
closing time is not after its opening time runs past midnight into the next day (a pub
open 18:00 to 02:00); 00:00 to 00:00 is open all day. Times are London wall-clock times.
"""

from datetime import datetime, time, timedelta

from babel.dates import format_time, get_day_names
from flask_babel import get_locale

DAYS = 7  # Monday first, as datetime.weekday() counts


def span(hours: list | None, day: int) -> tuple[time, time] | None:
    """The opening and closing time of a day (0 = Monday), or None when closed or unknown."""
    if not hours or len(hours) != DAYS or not hours[day]:
        return None
    opens, closes = hours[day]
    return time.fromisoformat(opens), time.fromisoformat(closes)


def overnight(opens: time, closes: time) -> bool:
    """A span that runs past midnight (or all day, 00:00 to 00:00)."""
    return closes <= opens


def is_open(hours: list | None, at: datetime) -> bool:
    """Whether the venue is open at this London time, counting yesterday's late night."""
    now = at.time()
    today = span(hours, at.weekday())
    if today is not None:
        opens, closes = today
        if opens <= now and (overnight(opens, closes) or now < closes):
            return True
    yesterday = span(hours, (at - timedelta(days=1)).weekday())
    if yesterday is not None and overnight(*yesterday):
        return now < yesterday[1]
    return False


def known(hours: list | None) -> bool:
    """Whether the venue has said when it is open."""
    return hours is not None and any(hours)


def day_names() -> list[str]:
    """Monday to Sunday in the reader's language."""
    names = get_day_names("wide", locale=get_locale())
    return [names[day] for day in range(DAYS)]


def rows(hours: list | None) -> list[tuple[str, str | None]]:
    """Each day's name and span, in the reader's language ("Monday", "11:00–23:00"), for
    the public page; None for a day the venue is closed."""
    locale = get_locale()
    shown: list[tuple[str, str | None]] = []
    for day, name in enumerate(day_names()):
        found = span(hours, day)
        if found is None:
            shown.append((name, None))
            continue
        opens, closes = (format_time(t, "short", locale=locale) for t in found)
        shown.append((name, f"{opens}–{closes}"))
    return shown
