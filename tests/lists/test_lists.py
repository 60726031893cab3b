"""Each scheme's own lists (issue 19): a coordinator orders, hides, adds and renames
items; forms offer them in that order (or commonest first) in the reader's language; an
item is never deleted, so old records keep their meaning."""

from datetime import timedelta

import pytest
from flask_babel import force_locale

from core.timeutil import utcnow
from extensions import db
from lists import defaults
from lists import services as list_services
from lists.items import allowed_codes, items_for, labels_for
from lists.models import ListItem


def codes(found: list[tuple[str, str]]) -> list[str]:
    return [code for code, _label in found]


def test_a_new_scheme_has_today_s_lists(app, scheme):
    for name, shipped in defaults.LISTS.items():
        items = items_for(scheme.id, name)
        assert [(i.code, i.category, i.hidden) for i in items] == [
            (code, category, False) for code, _label, category in shipped
        ]
        assert [i.label for i in items] == [str(label) for _code, label, _cat in shipped]
    assert db.session.query(ListItem).count() == 0  # nothing stored until a change


def test_each_default_item_has_a_category_its_list_offers():
    from lists.categories import CATEGORIES, FOR_LIST

    for name, shipped in defaults.LISTS.items():
        assert {category for _c, _l, category in shipped} <= set(FOR_LIST[name])
    assert {c for names in FOR_LIST.values() for c in names} <= set(CATEGORIES)


def test_risk_reducing_defaults_are_as_before():
    from patrols.choices import RISK_REDUCING

    assert RISK_REDUCING == {
        "first_aid",
        "stayed",
        "helped_home",
        "helped_taxi",
        "called_friend",
        "called_ambulance",
        "called_police",
        "cctv",
        "handover",
    }


def test_the_contact_form_follows_the_coordinator_s_order_and_hides(
    client, auth, coordinator, make_person, team, chips, arrange
):
    make_person("pat", roles=["pastor"], teams=[team])
    auth.login("cora")
    answer = arrange("given", {"water": 99, "flip_flops": 1}, hidden=["lollipop"])
    assert answer.status_code == 302
    auth.logout()
    auth.login("pat")
    given = codes(chips(client.get("/patrols/shell/contact").get_data(as_text=True))["given"])
    assert given[0] == "flip_flops" and given[-1] == "water"
    assert "lollipop" not in given
    assert len(given) == len(defaults.GIVEN) - 1


def test_another_scheme_keeps_its_own_list(client, auth, coordinator, elsewhere, arrange):
    auth.login("cora")
    arrange("given", {"water": 99}, hidden=["lollipop"])
    theirs = items_for(elsewhere.id, "given")
    assert [i.code for i in theirs] == [code for code, _l, _c in defaults.GIVEN]
    assert not any(i.hidden for i in theirs)


def test_an_item_the_app_acts_on_cannot_be_hidden(client, auth, coordinator, arrange):
    auth.login("cora")
    arrange("given", hidden=["handover", "signposted", "cctv"])
    hidden = {i.code for i in items_for(coordinator.scheme_id, "given") if i.hidden}
    assert hidden == {"cctv"}


def test_hiding_keeps_the_item_and_accepts_its_code(client, auth, coordinator, arrange):
    auth.login("cora")
    arrange("seen", hidden=["rough_sleeping"])
    items = {i.code: i for i in items_for(coordinator.scheme_id, "seen")}
    assert items["rough_sleeping"].hidden
    assert "rough_sleeping" in allowed_codes("seen", coordinator.scheme_id)
    arrange("seen")  # shown again: nothing was lost
    assert not any(i.hidden for i in items_for(coordinator.scheme_id, "seen"))


def test_an_added_item_has_a_stable_code_and_its_category(client, auth, coordinator, chips):
    auth.login("cora")
    data = {
        "csrf_token": auth.csrf("/lists/given"),
        "new-label_en_GB": "Phone charger",
        "new-category": "practical_help",
    }
    assert client.post("/lists/given/add", data=data).status_code == 302
    item = items_for(coordinator.scheme_id, "given")[-1]
    assert (item.code, item.category, item.label) == (
        "phone_charger",
        "practical_help",
        "Phone charger",
    )
    rename = {
        "csrf_token": auth.csrf("/lists/given/items/phone_charger"),
        "label_en_GB": "Phone charger lent",
        "label_pl": "Ładowarka",
        "category": "practical_help",
    }
    assert client.post("/lists/given/items/phone_charger", data=rename).status_code == 302
    assert labels_for(coordinator.scheme_id, "given")["phone_charger"] == "Phone charger lent"
    shown = chips(client.get("/patrols/shell/contact").get_data(as_text=True))["given"]
    assert shown[-1] == ("phone_charger", "Phone charger lent")
    # The same words again make another code: the first one keeps its meaning.
    data["csrf_token"] = auth.csrf("/lists/given")
    client.post("/lists/given/add", data=data)
    assert items_for(coordinator.scheme_id, "given")[-1].code == "phone_charger_2"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"new-label_pl": "Koc", "new-category": "practical_help"}, "Give the item a label"),
        ({"new-label_en_GB": "Blanket", "new-category": "spiking"}, "Not a valid choice"),
        ({"new-label_en_GB": "x" * 61, "new-category": "other"}, "60 characters"),
    ],
)
def test_a_bad_new_item_is_refused_with_a_clear_message(client, auth, coordinator, data, message):
    auth.login("cora")
    answer = client.post("/lists/given/add", data={"csrf_token": auth.csrf("/lists/given")} | data)
    assert answer.status_code == 400
    assert message in answer.get_data(as_text=True)
    assert len(items_for(coordinator.scheme_id, "given")) == len(defaults.GIVEN)


def test_an_unknown_list_is_not_found(client, auth, coordinator):
    auth.login("cora")
    assert client.get("/lists/shoes").status_code == 404
    assert client.get("/lists/given/items/shoes").status_code == 404


def test_labels_fall_back_to_the_scheme_s_main_language(app, scheme):
    list_services.edit_item(
        scheme.id, "given", "water", {"en_GB": "Bottled water", "pl": "Woda"}, "practical_help"
    )
    list_services.add_item(scheme.id, "given", {"pl": "Koc"}, "practical_help")
    scheme.language = "pl"
    db.session.commit()
    with force_locale("pl"):
        assert labels_for(scheme.id, "given")["water"] == "Woda"
        polish_default = str(dict((c, lab) for c, lab, _ in defaults.GIVEN)["lollipop"])
        assert labels_for(scheme.id, "given")["lollipop"] == polish_default
    with force_locale("ro"):
        found = labels_for(scheme.id, "given")
        assert found["koc"] == "Koc"  # only in Polish, the main language
        assert found["water"] == "Woda"  # Romanian missing: the main language's
    scheme.language = "en_GB"
    with force_locale("ro"):
        assert labels_for(scheme.id, "given")["water"] == "Bottled water"


def test_default_labels_are_translated_for_a_new_scheme(app, scheme):
    with force_locale("uk"):
        ukrainian = labels_for(scheme.id, "help")["seat"]
    assert ukrainian and ukrainian != "Seat and calm space"


def test_the_main_language_is_a_setting(client, auth, coordinator):
    auth.login("cora")
    data = {"csrf_token": auth.csrf("/lists"), "language": "ro"}
    assert client.post("/lists", data=data).status_code == 302
    db.session.refresh(coordinator.scheme)
    assert coordinator.scheme.language == "ro"


def test_commonest_first_counts_the_last_90_days(
    client, auth, coordinator, make_person, team, make_patrol, make_contact, chips, arrange
):
    pat = make_person("pat", roles=["pastor"], teams=[team])
    patrol = make_patrol(team, [pat], utcnow() - timedelta(hours=3))
    for given in (["cctv"], ["cctv", "lollipop"], ["lollipop"], ["cctv"]):
        make_contact(patrol, pat, given=given)
    old = make_patrol(
        team,
        [pat],
        utcnow() - timedelta(days=100),
        utcnow() - timedelta(days=100) + timedelta(hours=4),
    )
    for _ in range(5):
        make_contact(old, pat, at=utcnow() - timedelta(days=99, hours=23), given=["stayed"])
    auth.login("cora")
    arrange("given", by_use=False)
    auth.logout()
    auth.login("pat")

    def page() -> list[str]:
        return codes(chips(client.get("/patrols/shell/contact").get_data(as_text=True))["given"])

    assert page()[:2] == ["water", "conversation"]
    auth.logout()
    auth.login("cora")
    arrange("given", by_use=True)
    auth.logout()
    auth.login("pat")
    ordered = page()
    # cctv 3, lollipop 2; the rest unused lately, in the coordinator's order
    assert ordered[:4] == ["cctv", "lollipop", "water", "conversation"]
    assert ordered.index("stayed") > ordered.index("first_aid")


def test_an_old_contact_keeps_a_hidden_item(
    client, auth, coordinator, team, leader, make_patrol, make_contact, arrange, chips
):
    patrol = make_patrol(team, [leader], utcnow() - timedelta(hours=2))
    contact = make_contact(patrol, leader, given=["lollipop", "water"])
    auth.login("cora")
    arrange("given", hidden=["lollipop"])
    auth.logout()
    auth.login(leader.username)
    page = client.get(f"/patrols/{patrol.id}/contacts/{contact.id}").get_data(as_text=True)
    assert "Lollipop" in page
    assert ("lollipop", "Lollipop") in chips(page)["given"]  # the correction form keeps it
    fresh = chips(client.get("/patrols/shell/contact").get_data(as_text=True))["given"]
    assert "lollipop" not in codes(fresh)


def test_a_rename_shows_in_old_records(client, auth, coordinator, staff, venue, make_visit):
    visit = make_visit(venue, staff, help=["seat"], left_how="taxi")
    list_services.edit_item(
        coordinator.scheme_id, "help", "seat", {"en_GB": "Quiet corner"}, "comfort"
    )
    list_services.edit_item(
        coordinator.scheme_id, "left_how", "taxi", {"en_GB": "Cab home"}, "left_safely"
    )
    db.session.commit()
    auth.login("cora")
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "Quiet corner" in page and "Cab home" in page
    assert "Quiet corner" in client.get("/visits").get_data(as_text=True)


def test_the_demo_and_a_scheme_made_on_the_command_line_have_today_s_lists(app, runner):
    from sqlalchemy import select

    from accounts.models import Scheme
    from schemes import demo

    demo.load()
    assert runner.invoke(args=["schemes", "create", "Newtown"]).exit_code == 0
    for scheme in db.session.scalars(select(Scheme)):
        for name, shipped in defaults.LISTS.items():
            assert [i.code for i in items_for(scheme.id, name)] == [c for c, _l, _c in shipped]
        assert scheme.language == "en_GB" and scheme.lists_by_use == []
