"""The sync API and each scheme's own lists (issue 19): a device sends the codes it had
when it saved. A record made before a rename or a hide still syncs and keeps its code; a
code the scheme's list never had is a field error in the reader's language."""

import pytest
from flask_babel import force_locale

from core.forms import NOT_ON_LIST
from extensions import db
from lists import services as list_services
from tests.sync.outbox import statuses


def hide(scheme_id: int, name: str, *codes: str) -> None:
    list_services.arrange(scheme_id, name, [], set(codes), by_use=False)
    db.session.commit()


def test_a_contact_saved_before_a_rename_syncs_with_the_new_label(scene, client, auth):
    saved = scene.entry("contact", given=["water", "lollipop"])  # on the phone, offline
    scheme_id = scene.leader.scheme_id
    list_services.edit_item(
        scheme_id, "given", "water", {"en_GB": "Bottle of water"}, "practical_help"
    )
    db.session.commit()
    results = scene.send(saved)
    assert statuses(results) == ["created"]
    contact = scene.stored("contact", saved["id"])
    assert contact.given == ["water", "lollipop"]
    auth.login(scene.leader.username)
    page = client.get(f"/patrols/{scene.patrol.id}/contacts/{contact.id}").get_data(as_text=True)
    assert "Bottle of water" in page


@pytest.mark.parametrize(
    "kind, changes, name, code",
    [
        ("contact", {"given": ["lollipop"]}, "given", "lollipop"),
        ("contact", {"given": ["water"], "seen": ["rough_sleeping"]}, "seen", "rough_sleeping"),
        ("visit", {"help": ["water"]}, "help", "water"),
        ("visit", {"left_how": "walked_on"}, "left_how", "walked_on"),
        ("contact_correction", {"given": ["lollipop"]}, "given", "lollipop"),
    ],
)
def test_a_record_with_an_item_hidden_since_it_was_saved_is_accepted_and_kept(
    scene, kind, changes, name, code
):
    saved = scene.entry(kind, **changes)
    hide(scene.leader.scheme_id, name, code)
    assert statuses(scene.send(saved)) == ["created"]
    row = scene.stored(kind, saved["data"]["id"])
    value = getattr(row, name)
    assert code in (value if isinstance(value, list) else [value])


def test_an_unknown_code_is_a_field_error_and_the_rest_sync(scene):
    bad = scene.entry("contact", given=["water", "juggling"])
    good = scene.entry("contact")
    results = scene.send(bad, good)
    assert statuses(results) == ["rejected", "created"]
    assert results[0]["errors"] == {"given": ["“juggling” is not on your scheme's list."]}


def test_the_field_error_is_in_the_reader_s_language(scene):
    scene.leader.locale = "pl"
    db.session.commit()
    results = scene.send(scene.entry("contact", given=["juggling"]))
    with force_locale("pl"):
        polish = str(NOT_ON_LIST % {"value": "juggling"})
    assert polish != "“juggling” is not on your scheme's list."
    assert results[0]["errors"] == {"given": [polish]}


def test_another_scheme_s_own_item_is_unknown_here(scene, elsewhere):
    list_services.add_item(elsewhere.id, "given", {"en_GB": "Blanket"}, "practical_help")
    db.session.commit()
    results = scene.send(scene.entry("contact", given=["blanket"]))
    assert statuses(results) == ["rejected"]
    list_services.add_item(scene.leader.scheme_id, "given", {"en_GB": "Blanket"}, "practical_help")
    db.session.commit()
    again = scene.entry("contact", given=["blanket"])
    assert statuses(scene.send(again)) == ["created"]
    assert scene.stored("contact", again["id"]).given == ["blanket"]
