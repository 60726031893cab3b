"""Reports with each scheme's own lists (issue 19): within a scheme by item, in the
scheme's words, hidden items still counted; across schemes by standard category, so two
towns with different lists add up; exports carry each code and its category; small
numbers are hidden in both.

Two schemes, Q4 2025, every contact on the first Friday night of the quarter:
Testbridge renamed water "Bottle of water", added "Phone charger" (practical help) and
hid "Lollipop"; Elsewhere added "Blanket" (practical help) and "Chat" (comfort)."""

from datetime import datetime, timedelta

import pytest

from core.timeutil import to_utc
from extensions import db
from lists import services as list_services
from reports import categories, dashboard, export_rows, exports, measures, periods, quarterly
from reports.suppression import recoverable

Q4 = periods.quarter(2025, 4)
NIGHT = to_utc(datetime(2025, 10, 3, 22, 0))  # Friday 3 October 2025, 22:00 London


@pytest.fixture
def two_towns(app, scheme, elsewhere, make_team, make_person, make_patrol, make_contact):
    """Contacts in both schemes, given as listed (scheme: [(given, times)])."""
    list_services.edit_item(
        scheme.id, "given", "water", {"en_GB": "Bottle of water"}, "practical_help"
    )
    charger = list_services.add_item(
        scheme.id, "given", {"en_GB": "Phone charger"}, "practical_help"
    )
    blanket = list_services.add_item(elsewhere.id, "given", {"en_GB": "Blanket"}, "practical_help")
    chat = list_services.add_item(elsewhere.id, "given", {"en_GB": "Chat"}, "comfort")
    db.session.commit()
    made = {
        scheme: [(["water"], 7), ([charger], 2), (["lollipop"], 3), (["stayed"], 6)],
        elsewhere: [([blanket], 4), ([chat], 8), (["water", "first_aid"], 1)],
    }
    for town, contacts in made.items():
        team = make_team("Friday team", scheme=town)
        pastor = make_person(f"p{town.id}", roles=["pastor"], scheme=town, teams=[team])
        patrol = make_patrol(team, [pastor], NIGHT, NIGHT + timedelta(hours=5))
        for given, times in contacts:
            for _ in range(times):
                make_contact(patrol, pastor, at=NIGHT + timedelta(hours=1), given=given)
    list_services.arrange(scheme.id, "given", [], {"lollipop"}, by_use=False)  # after use
    db.session.commit()
    return {"here": scheme, "there": elsewhere, "charger": charger, "blanket": blanket}


def table(report, table_id: str) -> dict[str, list[str]]:
    found = next(t for t in report.tables() if t.id == table_id)
    return {row.label: [cell.text for cell in row.cells] for row in found.rows}


def test_the_quarterly_report_counts_a_scheme_s_own_items_in_its_words(two_towns, app):
    with app.test_request_context():
        data = quarterly.gather(two_towns["here"].id, Q4)
        report = quarterly.build(data, "Testbridge", Q4, partner_view=False, small_max=5)
        given = table(report, "given")
        assert given["Bottle of water"] == ["7"]
        assert given["Phone charger"] == ["2"]
        assert given["Lollipop"] == ["3"]  # hidden since, still counted
        assert given["Stayed with them"] == ["6"]
        assert given["Actions to assess or reduce risk, in all"] == ["6"]
        assert "Blanket" not in given  # the other scheme's item
        by_category = table(report, "categories")
        assert by_category["Practical help"] == ["0", "12"]
        assert by_category["Other risk-reducing action"] == ["0", "6"]


def test_partners_see_small_item_and_category_counts_hidden(two_towns, app):
    with app.test_request_context():
        data = quarterly.gather(two_towns["here"].id, Q4)
        report = quarterly.build(data, "Testbridge", Q4, partner_view=True, small_max=5)
        given = table(report, "given")
        assert given["Phone charger"] == ["1-5"] and given["Lollipop"] == ["1-5"]
        assert table(report, "categories")["Practical help"] == ["0", "12"]
        # The category's 12 is water 7 + charger + lollipop: those two must not be given
        # away, and neither may any other hidden figure.
        layout = quarterly.Layout(data, Q4)
        quarterly.given_table(layout)
        quarterly.help_table(layout)
        quarterly.categories_table(layout)
        from reports import suppression

        marks = suppression.suppress(layout.counts, layout.sums, 5)
        assert recoverable(layout.counts, layout.sums, marks, 5) == []
        assert marks[("given", two_towns["charger"])] != suppression.SHOWN


def test_across_schemes_the_categories_add_up(two_towns, app):
    here, there = two_towns["here"].id, two_towns["there"].id
    found = categories.counts([here, there], Q4)
    assert found[("given", "practical_help", here)] == 7 + 2 + 3
    assert found[("given", "practical_help", there)] == 4 + 1
    assert found[("given", "comfort", there)] == 8
    assert found[("given", "first_aid", there)] == 1
    assert found[("given", "risk_reducing", here)] == 6
    with app.test_request_context():
        rows = {
            (r.list_name, r.category): [c.text for c in r.cells]
            for r in categories.rows([here, there], Q4, 5)
        }
    # 17 in all less a shown 12 would give the other town's 1-5 away: 12 is hidden too.
    assert rows[("given", "practical_help")] == ["[c]", "1-5", "17"]
    assert rows[("given", "comfort")] == ["0", "8", "8"]
    assert rows[("given", "first_aid")][0] == "0"
    assert rows[("given", "first_aid")][1] in ("1-5", "[c]")
    assert ("help", "comfort") not in rows  # nothing counted there, so left out


def test_the_categories_command_prints_them_for_partners(two_towns, runner):
    result = runner.invoke(args=["categories", "--year", "2025", "--quarter", "4"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "list,category,label,Testbridge,Elsewhere,all"
    assert "given,practical_help,Practical help,[c],1-5,17" in lines
    assert "given,comfort,Comfort and listening,0,8,8" in lines


def test_the_dashboard_uses_the_scheme_s_words_and_categories(two_towns, app):
    with app.test_request_context():
        scope = measures.Scope(two_towns["there"].id, Q4)
        given = dashboard.given_or_done(scope)
        assert given.categories[:2] == ["Chat", "Blanket"]
        by_category = dashboard.by_category(scope)
        assert by_category.categories[:2] == ["Practical help", "Comfort and listening"]
        assert [s.values for s in by_category.series][1][:2] == [5, 8]


def test_exports_carry_each_code_and_its_category(two_towns, app):
    ids = [two_towns["here"].id, two_towns["there"].id]
    with app.test_request_context():
        built = exports.build(ids, export_rows.Period())
    contacts = built.tables["contacts"]
    blanket = next(c for c in contacts if c["given"] == [two_towns["blanket"]])
    assert blanket["given_categories"] == ["practical_help"]
    both = next(c for c in contacts if c["given"] == ["water", "first_aid"])
    assert both["given_categories"] == ["practical_help", "first_aid"]
    codes = {(r["scheme_id"], r["column"], r["code"]): r for r in built.tables["codes"]}
    assert codes[(ids[0], "given", "water")]["label"] == "Bottle of water"
    assert codes[(ids[0], "given", "lollipop")]["category"] == "practical_help"  # hidden too
    assert (ids[0], "given", two_towns["blanket"]) not in codes
    assert codes[(ids[1], "given", two_towns["blanket"])]["category"] == "practical_help"
    assert {r["category"] for r in built.tables["categories"]} >= {"practical_help", "comfort"}
    assert "contacts" in built.columns and "given_categories" in built.columns["contacts"]


def test_what_pastors_saw_is_counted_in_the_scheme_s_words(
    app, scheme, make_team, make_person, make_patrol, make_contact
):
    list_services.edit_item(
        scheme.id, "seen", "rough_sleeping", {"en_GB": "Sleeping out"}, "rough_sleeping"
    )
    db.session.commit()
    team = make_team()
    pastor = make_person("pat", roles=["pastor"], teams=[team])
    patrol = make_patrol(team, [pastor], NIGHT, NIGHT + timedelta(hours=5))
    for _ in range(2):
        make_contact(patrol, pastor, at=NIGHT + timedelta(hours=1), seen=["rough_sleeping"])
    with app.test_request_context():
        report = quarterly.build(quarterly.gather(scheme.id, Q4), "T", Q4, False, 5)
        assert table(report, "seen")["Sleeping out"] == ["2"]
        from reports import priority5_charts

        chart = priority5_charts.seen(measures.Scope(scheme.id, Q4))
        assert chart.categories == ["Sleeping out"]
