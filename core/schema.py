"""A record's rules, declared once: which answers it takes, of what type, from which list,
in what range, how they must agree, and what the reader is told when they do not.

A record kind (havens.schema, patrols.schema) is a Schema: one Rule per field, in the
order of its page, and checks across fields. Both of its entry points read it: the page's
WTForms form, which renders, checks CSRF and hands its answers here (SchemaForm), and
the sync API, which hands each entry's answers here with no form at all. So both refuse
the same answers in the same words, in the reader's language; the messages that WTForms
has of its own ("Not a valid choice.") come from WTForms' catalogue, as the form's did.

Rules follow the fields and validators the forms had, answer for answer: a field's value
is read from the text sent (process), then its checks run in turn until one stops them.
"""

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from flask import current_app, has_request_context
from flask_wtf.i18n import translations

from core.timeutil import to_utc, utcnow

Raw = list[str]  # a field's answers as sent: none, one, or several (checkboxes)


class WTFormsText:
    """One of WTForms' own messages, put in the reader's language only when it is shown
    (most are never: an empty optional answer clears them), as a form would give it."""

    def __init__(self, singular: str, plural: str | None = None, n: int = 1, **values):
        self.singular, self.plural, self.n, self.values = singular, plural, n, values

    def __str__(self) -> str:
        translated = has_request_context() and current_app.config.get("WTF_I18N_ENABLED", True)
        if self.plural is None:
            text = translations.gettext(self.singular) if translated else self.singular
        elif translated:
            text = translations.ngettext(self.singular, self.plural, self.n)
        else:
            text = self.singular if self.n == 1 else self.plural
        return text % self.values if self.values else text


def wtforms_text(message: str, **values) -> WTFormsText:
    return WTFormsText(message, **values)


REQUIRED = "This field is required."
# A datetime-local input's value to the minute, in ASCII digits: parsed without strptime,
# which gives the same datetime (or the same ValueError) for it, only slower.
MINUTE_FORMAT = "%Y-%m-%dT%H:%M"
MINUTE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}")


@dataclass
class Read:
    """A field's value once read, its errors, and whether its checks stopped early (the
    cross-field checks then do not run, as a form's inline validators do not)."""

    data: Any = None
    errors: list = field(default_factory=list)  # messages, put into words when shown
    stopped: bool = False


class Rule:
    """One field. `required`: an answer must be given (the page marks the field so);
    `optional`: an empty answer is no answer, and nothing else is checked."""

    required = False
    optional = False
    required_message: object = None

    def process(self, raw: Raw, context) -> Read:
        raise NotImplementedError

    @cached_property
    def own_checks(self) -> list[Callable[[Read, Any], object]]:
        return self.checks()

    def flags(self) -> dict:
        """What the page's input says of the rule (required, maxlength), as WTForms'
        validators would have said it."""
        found: dict = {}
        if self.required:
            found["required"] = True
        if self.optional:
            found["optional"] = True
        if isinstance(self, Text) and self.max is not None:
            found["maxlength"] = self.max
        if isinstance(self, Number):
            found |= {"min": self.min, "max": self.max}
        return found

    def checks(self) -> list[Callable[[Read, Any], object]]:
        """The rule's own checks, after `required` or `optional`: each takes the value
        read and the context, and returns a message or None."""
        return []

    def read(self, raw: Raw, context) -> Read:
        found = self.process(raw, context)
        if self.required and not _given(found.data):
            message = self.required_message or wtforms_text(REQUIRED)
            return Read(found.data, [message], stopped=True)
        if self.optional and (not raw or not raw[0].strip()):
            return Read(found.data, [], stopped=True)
        for check in self.own_checks:
            message = check(found, context)
            if message is not None:
                found.errors.append(message)
        return found


def _given(data) -> bool:
    return bool(data) and (not isinstance(data, str) or bool(data.strip()))


@dataclass
class Text(Rule):
    """Free text: at most `max` characters, matching `pattern` when one is given."""

    max: int | None = None
    too_long: object = None
    pattern: str | None = None
    pattern_message: object = None
    required: bool = False
    optional: bool = False
    required_message: object = None

    def process(self, raw: Raw, context) -> Read:
        return Read(raw[0] if raw else None)

    def checks(self) -> list[Callable[[Read, Any], object]]:
        found: list = []
        if self.pattern is not None:
            found.append(self.matches)
        if self.max is not None:
            found.append(self.length)
        return found

    def matches(self, read: Read, context):
        return None if re.match(self.pattern or "", read.data or "") else self.pattern_message

    def length(self, read: Read, context):
        if len(read.data or "") <= (self.max or 0):
            return None
        if self.too_long is not None:
            return self.too_long
        return WTFormsText(
            "Field cannot be longer than %(max)d character.",
            "Field cannot be longer than %(max)d characters.",
            self.max or 0,
            max=self.max,
        )


@dataclass
class Choice(Rule):
    """One code (or id) from a list that `codes(context)` gives: a radio or a select.
    `default` is the answer when none is sent."""

    codes: Callable[[Any], Collection] = lambda context: ()
    coerce: Callable = str
    default: Any = None
    optional: bool = False
    # What the reader is told of a code not in the list, with %(value)s; else WTForms' own.
    not_listed: Any = None

    def process(self, raw: Raw, context) -> Read:
        if not raw:
            return Read(self.default)
        try:
            return Read(self.coerce(raw[0]))
        except (ValueError, TypeError):
            return Read(None, [wtforms_text("Invalid Choice: could not coerce.")])

    def read(self, raw: Raw, context) -> Read:
        found = self.process(raw, context)
        if not found.errors and found.data not in self.codes(context):
            if self.not_listed is not None and found.data not in (None, ""):
                found.errors.append(self.not_listed % {"value": found.data})
            else:
                found.errors.append(wtforms_text("Not a valid choice."))
        if self.optional and (not raw or not raw[0].strip()):
            return Read(found.data, [], stopped=True)
        return found


@dataclass
class Choices(Rule):
    """Any number of codes (or ids) from a list that `codes(context)` gives: checkboxes."""

    codes: Callable[[Any], Collection] = lambda context: ()
    coerce: Callable = str
    # What the reader is told of codes not in the list, with %(value)s; else WTForms' own.
    not_listed: Any = None

    def read(self, raw: Raw, context) -> Read:
        try:
            data = [self.coerce(item) for item in raw]
        except (ValueError, TypeError):
            text = "Invalid choice(s): one or more data inputs could not be coerced."
            return Read(None, [wtforms_text(text)])
        allowed = self.codes(context)
        wrong = [str(code) for code in dict.fromkeys(data) if code not in allowed]
        if not wrong:
            return Read(data)
        if self.not_listed is not None:
            return Read(data, [self.not_listed % {"value": "”, “".join(wrong)}])
        message = WTFormsText(
            "'%(value)s' is not a valid choice for this field.",
            "'%(value)s' are not valid choices for this field.",
            len(wrong),
            value="', '".join(wrong),
        )
        return Read(data, [message])


@dataclass
class Number(Rule):
    """A whole number (`whole`) or a decimal one, from `min` to `max`."""

    min: float
    max: float
    whole: bool = True
    out_of_range: object = None
    optional: bool = True

    def process(self, raw: Raw, context) -> Read:
        if not raw:
            return Read(None)
        try:
            return Read(int(raw[0]) if self.whole else float(raw[0]))
        except (ValueError, TypeError):
            kind = "integer" if self.whole else "float"
            return Read(None, [wtforms_text(f"Not a valid {kind} value.")])

    def checks(self) -> list[Callable[[Read, Any], object]]:
        return [self.in_range]

    def in_range(self, read: Read, context):
        data = read.data
        if data is not None and data == data and self.min <= data <= self.max:  # NaN != NaN
            return None
        if self.out_of_range is not None:
            return self.out_of_range
        return wtforms_text(
            "Number must be between %(min)s and %(max)s.", min=self.min, max=self.max
        )


@dataclass
class LocalTime(Rule):
    """A London time to the minute, as a datetime-local input sends it; never in the
    future (a drifting clock aside), nor before `context.earliest`."""

    format: str = ""
    in_future: object = None
    too_early: object = None
    skew: Any = None
    required: bool = False
    optional: bool = False
    required_message: object = None

    def process(self, raw: Raw, context) -> Read:
        if not raw:
            return Read(None)
        try:
            return Read(self.parse(" ".join(raw)))
        except (ValueError, TypeError):
            return Read(None, [wtforms_text("Not a valid datetime value.")])

    def parse(self, text: str) -> datetime:
        """strptime's answer, sooner for the one shape browsers send (2026-12-07T23:05)."""
        if self.format == MINUTE_FORMAT and MINUTE.fullmatch(text):
            return datetime(
                int(text[0:4]), int(text[5:7]), int(text[8:10]), int(text[11:13]), int(text[14:16])
            )
        return datetime.strptime(text, self.format)

    def checks(self) -> list[Callable[[Read, Any], object]]:
        return [self.when]

    def when(self, read: Read, context):
        if not read.data:
            return None
        try:
            moment = to_utc(read.data)
        except OverflowError:  # the first hours of year 1: out of any range
            return self.too_early
        if moment > utcnow() + self.skew:
            return self.in_future
        if moment < context.earliest:
            return self.too_early
        return None


# A check across fields: (the field its message belongs to, a function of every field's
# value that returns a message or None). It runs unless that field's own checks stopped.
Check = tuple[str, Callable[[dict], object]]


class Schema:
    """A record's rules: fields in the order of its page, checks across them."""

    def __init__(self, rules: dict[str, Rule], checks: Iterable[Check] = ()):
        self.rules, self.checks = rules, list(checks)

    def validate(self, answers: dict[str, Raw], context) -> tuple[dict, dict[str, list[str]]]:
        """Every field's value, and the errors by field (none when the record is valid)."""
        reads = {
            name: rule.read(answers.get(name, []), context) for name, rule in self.rules.items()
        }
        data = {name: read.data for name, read in reads.items()}
        for name, check in self.checks:
            if not reads[name].stopped:
                message = check(data)
                if message is not None:
                    reads[name].errors.append(message)
        errors = {
            name: [str(m) for m in read.errors] for name, read in reads.items() if read.errors
        }
        return data, errors


def answers_of(data: dict) -> dict[str, Raw]:
    """An outbox entry's answers (text, or lists of text) as lists of text."""
    return {name: value if isinstance(value, list) else [value] for name, value in data.items()}


class SchemaForm:
    """For a WTForms form whose fields only render: put it before FlaskForm among the
    bases and give it `schema` and, once built, `context`. Its validate() checks CSRF as
    any form does, then hands the answers to the schema and puts each error on its field;
    `self.checked` then holds every field's value as the schema read it."""

    schema: Schema
    context: Any
    checked: dict
    _fields: dict
    _errors: Any
    form_errors: list

    def bind(self, context):
        """Give the form what its answers are checked against; mark its inputs as the
        rules say (required, maxlength). Returns the form."""
        self.context = context
        for name, rule in self.schema.rules.items():
            for flag, value in rule.flags().items():
                setattr(self._fields[name].flags, flag, value)
        return self

    def validate(self, extra_validators=None) -> bool:
        csrf = getattr(self, "csrf_token", None)
        valid = csrf is None or csrf.validate(self)
        answers = {name: list(f.raw_data or []) for name, f in self._fields.items()}
        self.checked, errors = self.schema.validate(answers, self.context)
        for name in self.schema.rules:
            self._fields[name].errors = errors.get(name, [])
        self.form_errors = []
        self._errors = None  # WTForms gathers form.errors again
        return valid and not errors


__all__ = [
    "Check",
    "Choice",
    "Choices",
    "LocalTime",
    "Number",
    "Read",
    "Rule",
    "Schema",
    "SchemaForm",
    "Text",
    "answers_of",
]
