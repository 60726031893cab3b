"""The record forms render their options from a cache (core.forms.chip_options): each
form must still offer the directory as it stands now, in the person's language, with what
they chose still chosen. Server time itself is measured by bench/form_render.py."""

import re

import pytest
import wtforms.widgets
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import update

from core import widgets
from extensions import db
from havens.models import SupportService

CHIP = re.compile(r'<label class="chip">(<input[^>]*>)<span>([^<]*)</span></label>')


def chips(html: str, name: str) -> dict[str, str]:
    """The chips of the field called `name`: label -> its input tag."""
    return {label: tag for tag, label in CHIP.findall(html) if f'name="{name}"' in tag}


@pytest.fixture
def form_page(request, client_of, staff, leader, team, make_patrol):
    """(a signed-in client, the address of its record form) for the visit form (venue
    staff) or the contact form (a Street Pastor on patrol)."""
    if request.param == "visit":
        return client_of("sam"), "/visits/new"
    patrol = make_patrol(team, pastors=[leader])
    return client_of("lee"), f"/patrols/{patrol.id}/contacts/new"


@pytest.mark.parametrize("form_page", ["visit", "contact"], indirect=True)
def test_the_form_offers_the_directory_as_it_is_now(
    app, form_page, client_of, coordinator, scheme, auth
):
    client, path = form_page
    scheme_id = scheme.id
    shelter = SupportService(scheme_id=scheme_id, name="Night Shelter", position=1)
    db.session.add(shelter)
    db.session.commit()
    shelter_id = shelter.id
    db.session.close()  # a transaction left open here would hold SQLite's write lock
    assert "Night Shelter" in chips(client.get(path).get_data(as_text=True), "services")

    # The coordinator renames it on the directory's page: the next form shows the new name.
    cora = client_of("cora")
    data = {"csrf_token": auth.csrf("/directory/new", client=cora), "name": "Winter Shelter"}
    assert cora.post(f"/directory/{shelter_id}", data=data).status_code == 302
    offered = chips(client.get(path).get_data(as_text=True), "services")
    assert "Winter Shelter" in offered and "Night Shelter" not in offered

    # An edit this process was not told of (another worker's, or the database's own).
    with db.engine.begin() as connection:
        rename = update(SupportService).where(SupportService.id == shelter_id)
        connection.execute(rename.values(name="Warm Space"))
    offered = chips(client.get(path).get_data(as_text=True), "services")
    assert "Warm Space" in offered and "Winter Shelter" not in offered

    # Added and removed services come and go.
    db.session.add(SupportService(scheme_id=scheme_id, name="Street Triage", position=2))
    db.session.commit()
    db.session.close()
    assert "Street Triage" in chips(client.get(path).get_data(as_text=True), "services")
    token = auth.csrf("/directory/new", client=cora)
    removed = cora.post(f"/directory/{shelter_id}/delete", data={"csrf_token": token})
    assert removed.status_code == 302
    offered = chips(client.get(path).get_data(as_text=True), "services")
    assert "Warm Space" not in offered and "Street Triage" in offered


@pytest.mark.parametrize("form_page", ["visit", "contact"], indirect=True)
def test_the_options_speak_each_requests_language(form_page):
    client, path = form_page
    field = "help" if path == "/visits/new" else "given"
    for language, water, other in [("en", "Water", "Woda"), ("pl", "Woda", "Water")]:
        html = client.get(path, headers={"Accept-Language": language}).get_data(as_text=True)
        offered = chips(html, field)
        assert water in offered and other not in offered


def test_chosen_options_stay_chosen_and_no_others(app, client_of, staff, auth):
    client = client_of("sam")
    token = auth.csrf("/visits/new", client=client)
    # The arrival time is missing, so the page comes back with what was chosen.
    data = {"csrf_token": token, "id": "not-an-id", "help": ["water"], "age_band": "18_24"}
    for _ in range(2):  # the second answer comes from the cache
        html = client.post("/visits/new", data=data).get_data(as_text=True)
        checked = {label for label, tag in chips(html, "help").items() if " checked " in tag}
        assert checked == {"Water"}
        ages = {label for label, tag in chips(html, "age_band").items() if " checked " in tag}
        assert ages == {"18–24"}
    fresh = client.get("/visits/new").get_data(as_text=True)
    assert not [tag for tag in chips(fresh, "help").values() if " checked " in tag]


def test_wtforms_own_messages_speak_each_requests_language(app, client_of, staff, auth):
    """WTForms' catalogues are read once per process (core.i18n.WTFormsMessages)."""
    client = client_of("sam")
    for language, message, other in [
        ("pl", "Nieprawidłowy wybór", "Not a valid choice."),
        ("en", "Not a valid choice.", "Nieprawidłowy wybór"),
        ("pl", "Nieprawidłowy wybór", "Not a valid choice."),
    ]:
        headers = {"Accept-Language": language}
        token = auth.csrf("/visits/new", client=client, headers=headers)
        data = {"csrf_token": token, "id": "not-an-id", "age_band": "ancient"}
        html = client.post("/visits/new", data=data, headers=headers).get_data(as_text=True)
        assert message in html and other not in html


@pytest.mark.parametrize(
    "attributes",
    [
        {"id": "note", "name": "note", "type": "text", "value": 'He said "no" & <left>'},
        {"required": True, "disabled": False, "checked": True, "value": "1"},
        {"class_": "button primary", "for_": "x", "data_patrol_id": "p", "aria_invalid": "true"},
        {"aria_describedby": "at-hint at-error", "min": 0, "max": 10000, "step": 0.5},
        {"value": Markup('<b class="safe">x</b>'), "title": None, "label": _l("Time")},
        {"value": "ці “лапки” & ‘ти’ — ok", "placeholder": "Ș ț ł \u00a0 '"},
        {},
    ],
)
def test_inputs_are_rendered_exactly_as_wtforms_renders_them(app, attributes):
    """core.widgets.html_params stands in for WTForms' own (for speed): the same text,
    escaped the same way, for every kind of value."""
    with app.test_request_context():
        assert str(widgets.html_params(**attributes)) == str(
            widgets.WTFORMS_HTML_PARAMS(**attributes)
        )
        # Where WTForms' widgets and labels look it up: a new WTForms that looks elsewhere
        # would bring back its own, slowly, without this.
        core = wtforms.widgets.core
        used = [core.html_params, wtforms.widgets.html_params]
        used += [core.Input.html_params, core.Button.html_params]
        assert all(found is widgets.html_params for found in used)


@pytest.mark.parametrize("form_page", ["visit", "contact"], indirect=True)
def test_a_rendered_form_is_the_same_with_wtforms_own_attributes(app, form_page, monkeypatch):
    """The whole page, rendered once with core.widgets and once with WTForms' own."""
    client, path = form_page
    ours = client.get(path).get_data(as_text=True)
    monkeypatch.setattr(wtforms.widgets.core, "html_params", widgets.WTFORMS_HTML_PARAMS)
    monkeypatch.setattr(wtforms.widgets, "html_params", widgets.WTFORMS_HTML_PARAMS)
    for widget in (wtforms.widgets.core.Input, wtforms.widgets.core.Button):
        monkeypatch.setattr(widget, "html_params", staticmethod(widgets.WTFORMS_HTML_PARAMS))
    theirs = client.get(path).get_data(as_text=True)
    token = re.compile(r'(name="csrf_token" type="hidden" value=)"[^"]+"|"[0-9a-f-]{36}"')
    assert token.sub("<t>", ours) == token.sub("<t>", theirs)
