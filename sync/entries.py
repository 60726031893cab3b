"""What an outbox entry must be before it is taken: its shape (types, known keys, ids),
then its answers, checked by the same rules as its page (its kind's schema, which the
page's form hands its answers to too) so both give the same errors in the same words."""

from collections.abc import Callable
from datetime import UTC, datetime

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from core.forms import is_uuid
from core.schema import answers_of

KINDS = (
    "visit",
    "visit_correction",
    "contact",
    "contact_correction",
    "patrol_start",
    "patrol_end",
)
ENTRY_KEYS = {"op", "kind", "id", "patrol", "base_version", "seq", "saved_at", "author", "data"}
RECORD = "_record"  # errors about the entry as a whole, not one field
MAX_SEQ = 2**31 - 1  # the database's integer


class Rejected(Exception):
    """The entry cannot be stored as it is; the person must fix or discard it."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = {name: [str(m) for m in messages] for name, messages in errors.items()}


def record_error(message: str) -> Rejected:
    return Rejected({RECORD: [message]})


def shape_errors(entry) -> dict:
    """What is wrong with an entry's shape: types, unknown keys, missing ids."""
    if not isinstance(entry, dict):
        return {RECORD: [_("This record is not in a form the server can read.")]}
    errors = {}
    unknown = sorted(set(entry) - ENTRY_KEYS)
    if unknown:
        errors[RECORD] = [_("Unknown fields: %(names)s.", names=", ".join(unknown))]
    if entry.get("kind") not in KINDS:
        errors["kind"] = [_("Unknown kind of record.")]
    for key in ("op", "id") + (("patrol",) if "contact" in str(entry.get("kind")) else ()):
        if not isinstance(entry.get(key), str) or not is_uuid(entry[key]):
            errors[key] = [_("This record has no valid id.")]
    if not _is_int(entry.get("seq")) or not 0 <= entry["seq"] <= MAX_SEQ:
        errors["seq"] = [_("The device's sequence number is missing.")]
    if "correction" in str(entry.get("kind")) and not _is_int(entry.get("base_version")):
        errors["base_version"] = [_("The version this correction started from is missing.")]
    if client_time(entry.get("saved_at")) is None:
        errors["saved_at"] = [_("The time it was saved on the device is missing.")]
    if not isinstance(entry.get("author"), str) or not storable(entry["author"]):
        errors["author"] = [_("This record does not say who wrote it.")]
    data = entry.get("data")
    if not isinstance(data, dict) or not all(_is_value(v) for v in data.values()):
        errors["data"] = [_("The record's answers must be text or lists of text.")]
    elif not all(map(storable, data)):
        errors["data"] = [_("The record's answers must be text or lists of text.")]
    else:
        for name, value in data.items():
            if not all(map(storable, value if isinstance(value, list) else [value])):
                errors[name] = [_("This holds a character that cannot be stored. Type it again.")]
    return errors


def storable(text: str) -> bool:
    """False for text UTF-8 cannot encode: JSON lets a lone surrogate through (a browser
    writes one as \\ud800, from half an emoji), and the database, the entry's digest and
    the author's signature would all fail on it later."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_value(value) -> bool:
    """Text or a list of text, without NUL characters (the pages refuse them too)."""
    items = value if isinstance(value, list) else [value]
    return all(isinstance(item, str) and "\x00" not in item for item in items)


def client_time(value) -> datetime | None:
    """The device's save time as naive UTC, or None when it is not an ISO time."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            return None
        return parsed.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):  # not a time, or one beyond year 1 or 9999 in UTC
        return None


def form_data(form_class_fields, data: dict) -> MultiDict:
    """The entry's answers as a form would receive them; unknown names are an error."""
    unknown = sorted(set(data) - set(form_class_fields))
    if unknown:
        raise record_error(_("Unknown fields: %(names)s.", names=", ".join(unknown)))
    pairs: list[tuple[str, object]] = []
    for name, value in data.items():
        pairs.extend((name, item) for item in (value if isinstance(value, list) else [value]))
    return MultiDict(pairs)


def answers(schema, data: dict) -> dict[str, list[str]]:
    """The entry's answers as lists of text, for a record's schema (core.schema); unknown
    names are an error, as they are to a form."""
    unknown = sorted(set(data) - set(schema.rules))
    if unknown:
        raise record_error(_("Unknown fields: %(names)s.", names=", ".join(unknown)))
    return answers_of(data)


def validated(build: Callable, data: dict, **kwargs):
    """A form built for the author, filled with the entry's answers and validated."""
    form = build(formdata=None, meta={"csrf": False}, **kwargs)
    form.process(form_data(form._fields, data))
    if not form.validate():
        raise Rejected(form.errors)
    return form


def same_id(record_id, entry: dict) -> None:
    """The record id among the answers must be the entry's own."""
    if record_id != entry["id"]:
        raise Rejected({"id": [_("This record has no valid id.")]})
