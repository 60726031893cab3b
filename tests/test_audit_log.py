"""The audit log: who viewed, exported, corrected or deleted what. Coordinators read their
own scheme's; no one else reads it, and nothing in the app can change it."""

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DatabaseError

from core.models import AuditEvent
from core.timeutil import to_utc, utcnow
from extensions import db

ROOT = Path(__file__).resolve().parent.parent


def rows(page: str) -> int:
    """How many entries an audit log page lists."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return body.count("<tr>")


def event(scheme_id: int, action: str = "signed_in", at=None, actor_id=None) -> AuditEvent:
    row = AuditEvent(scheme_id=scheme_id, action=action, actor_id=actor_id, at=at or utcnow())
    db.session.add(row)
    return row


def test_coordinators_read_who_viewed_and_corrected_what(
    client, auth, coordinator, venue, make_person, make_visit
):
    staff = make_person("sam", roles=["venue_staff"], venues=[venue])
    visit = make_visit(venue, staff, utcnow() - timedelta(hours=1))
    auth.login("cora")
    assert client.get(f"/visits/{visit.id}").status_code == 200
    page = client.get("/reports/audit").get_data(as_text=True)
    assert "Viewed a record" in page and "Logged a visit" in page and "Signed in" in page
    assert "Cora" in page and "Sam" in page
    assert visit.id in page


def test_viewing_a_visit_or_a_contact_is_audited_and_correcting_is_not_a_view(
    client, auth, coordinator, venue, team, make_person, make_visit, make_patrol, make_contact
):
    pastor = make_person("pat", roles=["pastor"], teams=[team])
    visit = make_visit(venue, coordinator, utcnow() - timedelta(hours=1))
    patrol = make_patrol(team, [pastor], utcnow() - timedelta(hours=2))
    contact = make_contact(patrol, pastor, utcnow() - timedelta(hours=1))
    auth.login("cora")
    client.get(f"/visits/{visit.id}")
    client.get(f"/patrols/{patrol.id}/contacts/{contact.id}")
    viewed = db.session.scalars(select(AuditEvent).filter_by(action="viewed")).all()
    assert [(e.target_type, e.target_id, e.actor_id) for e in viewed] == [
        ("visit", visit.id, coordinator.id),
        ("contact", contact.id, coordinator.id),
    ]
    assert {e.scheme_id for e in viewed} == {venue.scheme_id}
    client.post(f"/visits/{visit.id}", data={})  # a refused correction: not a view
    assert len(db.session.scalars(select(AuditEvent).filter_by(action="viewed")).all()) == 2
    # A record that is not there, or is another's, is not found and not logged.
    assert client.get("/visits/no-such-visit").status_code == 404
    assert len(db.session.scalars(select(AuditEvent).filter_by(action="viewed")).all()) == 2


@pytest.mark.parametrize("role", ["venue_staff", "pastor", "partner"])
def test_everyone_else_is_refused(client, auth, make_person, role):
    make_person("someone", roles=[role])
    auth.login("someone")
    assert client.get("/reports/audit").status_code == 403


def test_the_anonymous_are_sent_to_sign_in(client):
    response = client.get("/reports/audit")
    assert response.status_code == 302 and response.headers["Location"].startswith("/signin")


def test_another_scheme_s_log_is_not_shown(client, auth, coordinator, elsewhere, make_person):
    olga = make_person("olga", roles=["coordinator"], name="Olga Other", scheme=elsewhere)
    event(elsewhere.id, "person_updated", actor_id=olga.id)
    db.session.commit()
    auth.login("cora")
    page = client.get("/reports/audit").get_data(as_text=True)
    assert "Olga" not in page and "Changed a person" not in page


def test_filters_by_action_person_and_date(client, auth, coordinator, scheme, make_person):
    sam = make_person("sam", roles=["venue_staff"])
    event(scheme.id, "visit_logged", at=to_utc(datetime(2025, 3, 1, 22)), actor_id=sam.id)
    event(scheme.id, "visit_logged", at=to_utc(datetime(2025, 3, 3, 22)), actor_id=sam.id)
    event(scheme.id, "exported", at=to_utc(datetime(2025, 3, 2, 9)), actor_id=coordinator.id)
    event(scheme.id, "retention_applied", at=to_utc(datetime(2025, 3, 2, 4)))
    db.session.commit()
    auth.login("cora")

    def listed(query: str) -> int:
        response = client.get(f"/reports/audit?{query}")
        assert response.status_code == 200
        return rows(response.get_data(as_text=True))

    assert listed("action=visit_logged") == 2
    assert listed(f"person={sam.id}") == 2
    assert listed("person=-1&date_to=2025-12-31") == 1  # no one signed in: the command line
    assert listed("date_from=2025-03-02&date_to=2025-03-02") == 2
    assert listed(f"action=visit_logged&person={sam.id}&date_from=2025-03-02") == 1
    page = client.get("/reports/audit?action=exported").get_data(as_text=True)
    assert '<option selected value="exported">' in page or 'value="exported" selected' in page


def test_the_log_is_read_a_page_at_a_time(client, auth, coordinator, scheme):
    start = utcnow() - timedelta(days=1)
    for n in range(120):
        event(scheme.id, "tallies_changed", at=start + timedelta(seconds=n))
    db.session.commit()
    auth.login("cora")
    entries = len(db.session.scalars(select(AuditEvent)).all())
    assert 120 < entries <= 150
    first = client.get("/reports/audit").get_data(as_text=True)
    assert rows(first) == 50 and "Page 1 of 3" in first and f"{entries} entries" in first
    assert re.search(r'href="/reports/audit\?page=2"', first)
    third = client.get("/reports/audit?page=3&action=tallies_changed").get_data(as_text=True)
    assert rows(third) == 20 and "page=2&amp;action=tallies_changed" in third
    assert client.get("/reports/audit?page=99").status_code == 200


def test_no_route_changes_the_log(app, client, auth, coordinator):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/reports/audit"):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule
    auth.login("cora")
    for method in (client.post, client.put, client.delete, client.patch):
        assert method("/reports/audit").status_code == 405
    # No code outside the migrations writes to the log except by adding events.
    writes = re.compile(
        r"(update|delete)\(\s*AuditEvent|AuditEvent\b[^\n]*\.delete\(|audit_event\s+SET"
    )
    sources = [
        path
        for path in ROOT.rglob("*.py")
        if not {".venv", "migrations", "tests"} & set(path.relative_to(ROOT).parts)
    ]
    assert len(sources) > 30
    assert [str(p) for p in sources if writes.search(p.read_text())] == []


@pytest.mark.parametrize("statement", ["update", "delete"])
def test_the_database_itself_refuses_to_change_an_event(app, scheme, statement):
    row = event(scheme.id, "signed_in")
    db.session.commit()
    change = (
        update(AuditEvent).values(action="nothing happened")
        if statement == "update"
        else delete(AuditEvent)
    )
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(change.where(AuditEvent.id == row.id))
        db.session.flush()
    db.session.rollback()
    assert db.session.get(AuditEvent, row.id).action == "signed_in"
