"""Every route, walked as anonymous and as every role."""

import pytest

from tests.access_table import ANON, EXPECTED, ROLES, SIGNIN


def test_every_route_has_an_expectation(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - EXPECTED.keys() == set(), "add the new route to EXPECTED"
    assert EXPECTED.keys() - endpoints == set(), "remove routes that no longer exist"


@pytest.mark.parametrize("who", [ANON, *ROLES])
def test_route_by_role(app, client, auth, make_person, venue, sample_url, who):
    target = make_person("target", roles=["partner"])
    samples = {"person_id": target.id, "venue_id": venue.id, "scheme_id": venue.scheme_id}
    if who != ANON:
        make_person("me", roles=[who])
        assert auth.login("me").status_code == 302
    failures = []
    # Signing out last, so that every other route is walked signed in.
    rules = sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint == "accounts.sign_out")
    for rule in rules:
        method, expected = EXPECTED[rule.endpoint]
        url = sample_url(app, rule, **samples)
        if method == "POST":
            response = client.post(url, data={"csrf_token": auth.csrf()})
        else:
            response = client.get(url)
        response.close()  # static files hold their file open until closed
        got = response.status_code
        location = response.headers.get("Location", "")
        if got == 302 and location.startswith("/signin?next="):
            got = SIGNIN
        if got == 302 and location == "/signin" and rule.endpoint == "core.home":
            # Opening the app signed out: the sign-in page, with nothing to come back to.
            got = SIGNIN
        if got != expected[who]:
            failures.append(f"{method} {url}: {got}, expected {expected[who]}")
    assert failures == []


def test_views_without_a_rule_stop_the_app(app):
    from core.access import check_declared

    app.add_url_rule("/undeclared", "undeclared", lambda: "open")
    with pytest.raises(RuntimeError, match="undeclared"):
        check_declared(app)


def test_coordinator_cannot_see_another_schemes_people(client, auth, make_person, app):
    from accounts import services
    from accounts.models import Scheme
    from extensions import db

    other = Scheme(name="Elsewhere")
    db.session.add(other)
    db.session.flush()
    stranger = services.create_person(other, "Stranger", "stranger", None, roles={"partner"})
    db.session.commit()
    make_person("cora", roles=["coordinator"])
    auth.login("cora")
    assert client.get(f"/people/{stranger.id}").status_code == 404
    assert "Stranger" not in client.get("/people").get_data(as_text=True)


def test_scoping_helpers_follow_roles_and_memberships(app, make_person, venue, team):
    from extensions import db
    from havens.access import venues_for
    from havens.models import Venue
    from patrols.access import teams_for

    other_venue = Venue(scheme_id=venue.scheme_id, name="Other", status="active")
    db.session.add(other_venue)
    db.session.commit()
    staff = make_person("staff", roles=["venue_staff"], venues=[venue])
    pastor = make_person("pastor", roles=["pastor"], teams=[team])
    partner = make_person("partner", roles=["partner"])
    coordinator = make_person("cora", roles=["coordinator"])

    def names(stmt):
        return sorted(row.name for row in db.session.scalars(stmt))

    assert names(venues_for(staff)) == ["The Lamp"]
    assert names(venues_for(coordinator)) == ["Other", "The Lamp"]
    assert names(venues_for(pastor)) == names(venues_for(partner)) == []
    assert names(teams_for(pastor)) == ["Friday team"]
    assert names(teams_for(staff)) == names(teams_for(partner)) == []
