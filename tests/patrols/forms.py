"""Forms read and posted as a browser does, for the patrol tests: the page is read first,
and its form is sent back with only the answers a person would change.
"""

import re
from datetime import datetime, timedelta
from html.parser import HTMLParser

from sqlalchemy import func, select

from core.timeutil import to_london, utcnow
from extensions import db
from patrols.models import Contact, Patrol

LOCAL = "%Y-%m-%dT%H:%M"


# --- reading forms as a browser does -----------------------------------------------------


class FormReader(HTMLParser):
    """Collects what each form on a page would submit: checked boxes, chosen options, text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[dict, list[tuple[str, str]]]] = []
        self.form: list | None = None
        self.select: tuple[str, list] | None = None
        self.textarea: tuple[str, list] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.form = []
            self.forms.append((a, self.form))
        elif self.form is None or "disabled" in a:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("submit", "button", "reset", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.form.append((a["name"], a.get("value") or ""))
        elif tag == "select" and a.get("name"):
            self.select = (a["name"], [])
        elif tag == "option" and self.select is not None:
            self.select[1].append((a.get("value") or "", "selected" in a))
        elif tag == "textarea" and a.get("name"):
            self.textarea = (a["name"], [])

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select" and self.select is not None:
            name, choices = self.select
            chosen = [value for value, selected in choices if selected] or [
                value for value, _selected in choices[:1]
            ]
            self.form.extend((name, value) for value in chosen[:1])
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, parts = self.textarea
            text = "".join(parts)
            text = text[2:] if text.startswith("\r\n") else text.removeprefix("\n")
            self.form.append((name, text))
            self.textarea = None


def read_form(html: str, action: str | None = None) -> dict[str, list[str]]:
    """What the page's form posting to `action` (None: to the page itself) would send."""
    reader = FormReader()
    reader.feed(html)
    for attrs, fields in reader.forms:
        if attrs.get("method", "").lower() == "post" and attrs.get("action") == action:
            data: dict[str, list[str]] = {}
            for name, value in fields:
                data.setdefault(name, []).append(value)
            return data
    raise AssertionError(f"no form posting to {action!r} on the page")


def form_of(client, path: str) -> dict[str, list[str]]:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return read_form(response.get_data(as_text=True))


def as_list(value) -> list[str]:
    return value if isinstance(value, list) else [value]


def assert_kept(page: str, posted: dict, changed) -> None:
    """Every answer that was valid comes back as it was sent."""
    shown = read_form(page)
    for name, value in posted.items():
        if name in changed or name == "csrf_token":
            continue
        want = [v for v in as_list(value) if v != ""]
        assert [v for v in shown.get(name, []) if v != ""] == want, name


def error_for(page: str, field: str) -> str:
    """The error shown for one field: beside it, or at the top for the hidden record id."""
    where = 'role="alert"' if field == "id" else f'id="{field}-error"'
    found = re.findall(rf'<p class="error" {where}>([^<]*)</p>', page)
    assert len(found) == 1, (field, found)
    return found[0]


def local(utc: datetime) -> str:
    """A UTC time as the London wall-clock value a datetime-local field holds."""
    return to_london(utc).strftime(LOCAL)


def ago(**delta) -> str:
    return local(utcnow() - timedelta(**delta))


def future() -> str:
    return local(utcnow() + timedelta(hours=2))


def start(client, team, people, **changes):
    """Start a patrol through the page. Returns (response, the data posted)."""
    data = form_of(client, "/patrols/start") | {
        "team_id": str(team.id),
        "pastors": [str(p.id) for p in people],
        "started_at": ago(hours=1),
    }
    data |= changes
    return client.post("/patrols/start", data=data), data


def started(client, team, people, **changes) -> Patrol:
    response, data = start(client, team, people, **changes)
    assert response.status_code == 302, response.get_data(as_text=True)
    patrol = db.session.get(Patrol, data["id"][0])
    assert response.headers["Location"] == f"/patrols/{patrol.id}"
    return patrol


def end(client, patrol_id, **changes):
    """End a patrol through the page. Returns (response, the data posted)."""
    data = form_of(client, f"/patrols/{patrol_id}/end") | {"ended_at": ago(minutes=5)}
    data |= changes
    return client.post(f"/patrols/{patrol_id}/end", data=data), data


def contact_data(client, patrol_id, **changes) -> dict:
    """The contact form as the page offers it, with "water" chosen and some answers changed."""
    path = f"/patrols/{patrol_id}/contacts/new"
    return form_of(client, path) | {"given": ["water"]} | changes


def log(client, patrol_id, **changes) -> Contact:
    data = contact_data(client, patrol_id, **changes)
    response = client.post(f"/patrols/{patrol_id}/contacts/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.get(Contact, data["id"][0])


def shown(page: str, term: str) -> str:
    """The value a summary page shows for one of its terms."""
    match = re.search(rf"<dt>{re.escape(term)}</dt><dd>([^<]*)</dd>", page)
    assert match, term
    return match.group(1)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))
