"""Changing a scheme's lists. Nothing here deletes an item: records keep their codes."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select

from accounts.models import Scheme
from core.services import audit
from extensions import db
from lists import defaults
from lists.items import forget, items_for
from lists.models import ListItem


def stored(scheme_id: int, name: str) -> dict[str, ListItem]:
    """The scheme's rows for a list, {code: row}, made from what it shows now if it has
    none yet (or lacks a default Lantern added since), so a change keeps every item."""
    rows = {
        row.code: row
        for row in db.session.scalars(
            select(ListItem).filter_by(scheme_id=scheme_id, list_name=name)
        )
    }
    for position, item in enumerate(items_for(scheme_id, name)):
        if item.code not in rows:
            row = ListItem(
                scheme_id=scheme_id,
                list_name=name,
                code=item.code,
                category=item.category,
                labels={},
                position=position,
                hidden=False,
            )
            db.session.add(row)
            rows[item.code] = row
    forget()
    return rows


def arrange(scheme_id: int, name: str, order: list[str], hidden: set[str], by_use: bool) -> None:
    """Put a list in this order (codes left out keep theirs, after), hide these items and
    show the rest, and say whether forms offer it commonest first. The caller commits."""
    rows = stored(scheme_id, name)
    rest = [code for code in sorted(rows, key=lambda c: rows[c].position) if code not in order]
    for position, code in enumerate([c for c in order if c in rows] + rest):
        rows[code].position = position
    for code, row in rows.items():
        row.hidden = code in hidden and code not in defaults.BUILT_IN.get(name, set())
    scheme = db.session.get(Scheme, scheme_id)
    if scheme is not None:
        chosen = set(scheme.lists_by_use or []) - {name} | ({name} if by_use else set())
        scheme.lists_by_use = sorted(chosen)
    audit(
        "list_changed",
        scheme_id=scheme_id,
        list=name,
        order=[c for c in sorted(rows, key=lambda c: rows[c].position)],
        hidden=sorted(c for c, row in rows.items() if row.hidden),
        by_use=by_use,
    )
    forget()


def new_code(label: str, taken: set[str]) -> str:
    """A stable code for a new item, from its label: lower-case ASCII, unique in the list."""
    plain = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")[:32] or "item"
    code, n = base, 2
    while code in taken:
        code, n = f"{base}_{n}", n + 1
    return code


def add_item(scheme_id: int, name: str, labels: dict[str, str], category: str) -> str:
    """Add an item at the end of a list; its code is made once and never changes."""
    rows = stored(scheme_id, name)
    taken = set(rows) | set(defaults.labels(name))
    scheme = db.session.get(Scheme, scheme_id)
    main = labels.get(scheme.language if scheme else "en_GB") or next(iter(labels.values()))
    code = new_code(main, taken)
    position = max((row.position for row in rows.values()), default=-1) + 1
    db.session.add(
        ListItem(
            scheme_id=scheme_id,
            list_name=name,
            code=code,
            category=category,
            labels=labels,
            position=position,
            hidden=False,
        )
    )
    audit("list_item_added", scheme_id=scheme_id, list=name, code=code, labels=labels)
    forget()
    return code


def edit_item(scheme_id: int, name: str, code: str, labels: dict[str, str], category: str) -> None:
    """Rename an item (its labels per language) and set its category; the code stays, so
    every record and report shows the new words."""
    row = stored(scheme_id, name)[code]
    row.labels, row.category = labels, category
    audit("list_item_changed", scheme_id=scheme_id, list=name, code=code, labels=labels)
    forget()
