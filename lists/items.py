"""Reading a scheme's lists: the items in order, their labels in the reader's language,
and the one answer to "is this code allowed here" that forms and sync both ask."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache

from flask_babel import get_locale
from sqlalchemy import Select, bindparam, event, select
from sqlalchemy.orm import Session

from accounts.models import Scheme
from core.forms import options
from extensions import db
from lists import defaults
from lists.models import ListItem


@dataclass
class Item:
    """An item as a form or report sees it."""

    code: str
    category: str
    labels: dict = field(default_factory=dict)
    default: object = None  # the translated default label, for an item Lantern ships
    hidden: bool = False
    language: str = "en_GB"  # the scheme's main language, for a missing label

    @property
    def label(self) -> str:
        """The label in the reader's language, else the main language's, else the default."""
        return str(self.label_in(str(get_locale() or self.language)))

    def label_in(self, locale: str):
        """The label as a form offers it: a default Lantern ships stays to be translated
        (lazy_gettext), so core.forms.chip_options finds it by identity, untranslated."""
        typed = self.labels.get(locale) or self.labels.get(self.language)
        # "is None", not "or": the truth of a lazy label is known only by translating it.
        return typed or (self.code if self.default is None else self.default)


# A session's lists, read once: a sync batch asks for the same list for every record.
# Forgotten when the session commits or rolls back, and by every change (lists.services).
CACHE = "lists.items"


@cache
def _rows() -> Select:
    """Every stored item of a scheme's lists, in order. Built once (building took longer
    than running it), the scheme a parameter."""
    stmt = select(
        ListItem.list_name, ListItem.code, ListItem.category, ListItem.labels, ListItem.hidden
    ).where(ListItem.scheme_id == bindparam("scheme_id"))
    return stmt.order_by(ListItem.position, ListItem.id)


def _stored(scheme_id: int, name: str) -> list[tuple]:
    """(code, category, labels, hidden) of the scheme's stored items of a list, in order.
    Every list of the scheme comes in one query: each record form shows two of them."""
    cache = db.session.info.setdefault(CACHE, {})
    if ("rows", scheme_id) not in cache:
        lists: dict[str, list[tuple]] = {}
        for list_name, *row in db.session.execute(_rows(), {"scheme_id": scheme_id}):
            lists.setdefault(list_name, []).append(tuple(row))
        cache[("rows", scheme_id)] = lists
    return cache[("rows", scheme_id)].get(name, [])


def forget(session=None) -> None:
    """Drop the session's lists read so far, after a change."""
    (session or db.session).info.pop(CACHE, None)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget_on_end(session, *args) -> None:
    forget(session)


def items_for(scheme_id: int, name: str) -> list[Item]:
    """Every item of a scheme's list, hidden ones included, in the coordinator's order.

    A scheme that never changed the list has the defaults; a default added to Lantern
    after a scheme changed its list comes after the scheme's own items. Built once per
    session like the rows under them: a page or a sync batch asks for the same lists for
    every field and record."""
    scheme = db.session.get(Scheme, scheme_id)
    language = scheme.language if scheme else "en_GB"
    cache = db.session.info.setdefault(CACHE, {})
    # The main language is a missing label's fallback: a change not yet committed counts.
    key = ("items", scheme_id, name, language)
    if key not in cache:
        shipped = defaults.labels(name)
        found = [
            Item(code, category, dict(labels or {}), shipped.get(code), hidden, language)
            for code, category, labels, hidden in _stored(scheme_id, name)
        ]
        known = {item.code for item in found}
        for code, label, category in defaults.LISTS[name]:
            if code not in known:
                found.append(Item(code, category, {}, label, language=language))
        cache[key] = found
    return list(cache[key])


def allowed_codes(name: str, scheme_id: int | None) -> tuple[str, ...]:
    """Every code a record of this scheme may carry in this list, hidden ones included (a
    device that saved before an item was hidden still syncs), in the coordinator's order;
    Lantern's defaults for no scheme."""
    if scheme_id is None:
        return tuple(defaults.labels(name))
    cache = db.session.info.setdefault(CACHE, {})
    key = ("codes", scheme_id, name)
    if key not in cache:
        cache[key] = tuple(item.code for item in items_for(scheme_id, name))
    return cache[key]


def labels_for(scheme_id: int, name: str) -> dict[str, str]:
    """{code: label} in the reader's language, for showing records and reports."""
    return {item.code: item.label for item in items_for(scheme_id, name)}


def categories_for(scheme_id: int, name: str) -> dict[str, str]:
    """{code: standard category} of a scheme's list."""
    return {item.code: item.category for item in items_for(scheme_id, name)}


def offered(items: list[Item], counts: Mapping[str, int] | None = None) -> list[Item]:
    """The items a form offers, in order: the visible ones, commonest first when counts are
    given (ties keep the coordinator's order), then the hidden ones, which a form accepts
    but shows only where a record already has them."""
    shown = [item for item in items if not item.hidden]
    if counts is not None:
        shown.sort(key=lambda item: -counts.get(item.code, 0))  # stable: ties keep order
    return shown + [item for item in items if item.hidden]


def with_unknown(items: list[Item], codes) -> list[Item]:
    """A list's items and after them any of these codes it does not have (shown as the
    code, in the category "other"), so a report counts every record."""
    known = {item.code for item in items}
    return [*items, *(Item(code, "other") for code in sorted(set(codes) - known))]


def by_use(scheme_id: int, name: str) -> bool:
    """True when the scheme asks for this list commonest first."""
    scheme = db.session.get(Scheme, scheme_id)
    return bool(scheme and name in (scheme.lists_by_use or []))


def fill(field, scheme_id: int, name: str, counts: Mapping[str, int] | None = None) -> None:
    """Give a form's field (core.forms.ItemChips or ItemRadios) a scheme's list to offer:
    the visible items in order (commonest first with `counts`), a hidden one only where
    the record has it. What is accepted is the schema's question (allowed_codes)."""
    items = items_for(scheme_id, name)
    locale = get_locale()
    field.choices = [
        (item.code, item.label_in(str(locale or item.language))) for item in offered(items, counts)
    ]
    field.hidden_values = frozenset(item.code for item in items if item.hidden)


# "Commonest first" counts the use of the last so many days.
USE_DAYS = 90


def fill_form(
    form,
    scheme_id: int,
    labels: Mapping[str, Mapping],
    own: tuple[str, ...],
    use_counts: Callable[[int, str], Mapping[str, int] | None] | None = None,
) -> None:
    """Give each of a record form's list fields its choices: the scheme's own lists (`own`)
    as fill() offers them, commonest first where `use_counts` is given and says so; the
    fixed ones from `labels`, in their order."""
    for name, fixed in labels.items():
        if name in own:
            fill(form[name], scheme_id, name, use_counts(scheme_id, name) if use_counts else None)
        else:
            form[name].choices = options(fixed.items())


def tally(chosen) -> Counter:
    """How often each code was chosen, from each record's codes (a list, or one code)."""
    counts: Counter = Counter()
    for value in chosen:
        counts.update(value if isinstance(value, list) else [value] if value else [])
    return counts


def codes_allowed(
    name: str, scheme_id: int | None, own: tuple[str, ...], fixed: Mapping[str, tuple[str, ...]]
) -> tuple[str, ...]:
    """The codes a record kind (havens.choices, patrols.choices) may hold in one list, in
    the order they are shown: for one of the scheme's own lists (`own`), every code of it,
    hidden ones included (allowed_codes), so a device that saved before an item was hidden
    still syncs; for the others, the `fixed` list."""
    return allowed_codes(name, scheme_id) if name in own else fixed[name]


def stamp(scheme_id: int) -> str:
    """A short fingerprint of the scheme's lists as forms offer them (order, words, hidden
    items, commonest first or not, the main language): a device whose kept form pages
    carry another fetches them again at its next online open (static/sw.js)."""
    scheme = db.session.get(Scheme, scheme_id)
    state = [
        scheme.language if scheme else "",
        sorted(scheme.lists_by_use or []) if scheme else [],
        [
            [name, [[i.code, i.labels, i.hidden, i.category] for i in items_for(scheme_id, name)]]
            for name in defaults.LISTS
        ],
    ]
    text = json.dumps(state, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
