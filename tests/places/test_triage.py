"""Coordinators' triage: the queue and its filters, each step of the life cycle with who and
why (audited), merging duplicates, the area, deleting; and who may see any of it."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.models import AuditEvent
from core.timeutil import london_today, utcnow
from extensions import db
from places import services
from places.models import UnsafePlaceReport


@pytest.fixture
def cora_signed_in(client, auth, coordinator):
    auth.login("cora")
    return client


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).filter_by(action=action)))


def step(client, auth, report, status, reason="Checked on the map"):
    token = auth.csrf(f"/unsafe-places/reports/{report.id}")
    return client.post(
        f"/unsafe-places/reports/{report.id}/status",
        data={"csrf_token": token, "status": status, "reason": reason},
    )


# --- who sees reports ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["venue_staff", "pastor", "partner"])
def test_only_coordinators_see_reports(client, auth, make_person, make_report, role):
    report = make_report()
    make_person("someone", roles=[role])
    auth.login("someone")
    for path in ("/unsafe-places", "/unsafe-places/map", f"/unsafe-places/reports/{report.id}"):
        assert client.get(path).status_code == 403, path


def test_another_schemes_coordinator_sees_nothing(
    client, auth, make_person, make_report, elsewhere
):
    ours = make_report(place="Our alley", description="Behind the bins")
    make_person("olga", roles=["coordinator"], scheme=elsewhere)
    auth.login("olga")
    assert client.get(f"/unsafe-places/reports/{ours.id}").status_code == 404
    token = auth.csrf("/unsafe-places/evas/new")
    for action in ("status", "merge", "area", "delete"):
        url = f"/unsafe-places/reports/{ours.id}/{action}"
        assert client.post(url, data={"csrf_token": token}).status_code == 404
    for path in ("/unsafe-places?status=all", "/unsafe-places/map"):
        page = client.get(path).get_data(as_text=True)
        assert "Our alley" not in page and "Behind the bins" not in page
    assert db.session.get(UnsafePlaceReport, ours.id) is not None


def test_reading_a_report_is_audited(cora_signed_in, make_report, coordinator):
    report = make_report(email="me@example.org")
    page = cora_signed_in.get(f"/unsafe-places/reports/{report.id}").get_data(as_text=True)
    assert "me@example.org" in page  # they asked to be contacted
    [viewed] = events("viewed")
    assert viewed.actor_id == coordinator.id and viewed.target_id == report.id


# --- the queue and its filters -----------------------------------------------------------------


def numbers(page: str) -> list[str]:
    return re.findall(r"<strong>Report (\d+)</strong>", page)


def test_the_queue_filters_by_category_area_date_and_status(
    cora_signed_in, make_report, make_area, coordinator
):
    pantiles = make_area("The Pantiles")
    make_report(categories=["lighting"])  # 1: in the Pantiles by its pin
    make_report(categories=["followed"], latitude=None, longitude=None)  # 2: no area
    old = make_report(categories=["lighting", "no_cctv"], received_at=utcnow() - timedelta(days=40))
    closed = make_report(categories=["isolated"])  # 4
    services.change_status(closed, "closed", "Nothing to do", coordinator)
    db.session.commit()

    def shown(query=""):
        return numbers(cora_signed_in.get(f"/unsafe-places{query}").get_data(as_text=True))

    assert shown() == ["2", "1", "3"]  # open ones, newest first; closed only when asked
    assert shown("?status=closed") == ["4"]
    assert sorted(shown("?status=all")) == ["1", "2", "3", "4"]
    assert sorted(shown("?category=lighting")) == ["1", "3"]
    assert shown(f"?area={pantiles.id}") == ["1", "3"]
    recent = (london_today() - timedelta(days=7)).isoformat()
    assert sorted(shown(f"?date_from={recent}")) == ["1", "2"]
    assert shown(f"?date_to={recent}") == [str(old.number)]
    assert sorted(shown("?category=nonsense")) == ["1", "2", "3"]  # a bad filter: no filter


# --- the life cycle --------------------------------------------------------------------------


def test_each_step_of_the_life_cycle_is_kept_with_who_and_why(
    cora_signed_in, auth, make_report, coordinator
):
    report = make_report()
    path = ["reviewed", "eva_planned", "eva_done", "action_taken", "closed"]
    for status in path:
        response = step(cora_signed_in, auth, report, status, reason=f"Now {status}")
        assert response.status_code == 302
    db.session.refresh(report)
    assert report.status == "closed"
    assert [(s.from_status, s.to_status) for s in report.steps] == list(
        zip(["new", *path[:-1]], path, strict=True)
    )
    assert {s.by_id for s in report.steps} == {coordinator.id}
    assert [s.reason for s in report.steps] == [f"Now {s}" for s in path]
    audited = events("unsafe_place_status_changed")
    assert [(e.detail["status_from"], e.detail["status_to"]) for e in audited] == list(
        zip(["new", *path[:-1]], path, strict=True)
    )
    assert {e.actor_id for e in audited} == {coordinator.id}
    page = cora_signed_in.get(f"/unsafe-places/reports/{report.id}").get_data(as_text=True)
    assert "Now eva_done" in page and "Cora" in page


@pytest.mark.parametrize(
    ("start", "to"),
    [("new", "eva_done"), ("new", "action_taken"), ("reviewed", "new"), ("closed", "eva_done")],
)
def test_a_step_the_rules_do_not_allow_is_refused(
    cora_signed_in, auth, make_report, coordinator, start, to
):
    report = make_report()
    report.status = start
    db.session.commit()
    response = step(cora_signed_in, auth, report, to)
    assert response.status_code == 400
    db.session.refresh(report)
    assert report.status == start and report.steps == []
    assert events("unsafe_place_status_changed") == []


@pytest.mark.parametrize(("start", "to"), [("new", "eva_done"), ("action_taken", "reviewed")])
def test_the_service_refuses_a_step_the_rules_do_not_allow(make_report, coordinator, start, to):
    """Whatever a page offers: the rule is the service's."""
    report = make_report()
    report.status = start
    with pytest.raises(services.RuleBroken):
        services.change_status(report, to, "Skipping ahead", coordinator)
    assert report.status == start


def test_a_step_needs_a_reason(cora_signed_in, auth, make_report):
    report = make_report()
    response = step(cora_signed_in, auth, report, "reviewed", reason="")
    assert response.status_code == 400
    assert "Say why the status changes." in response.get_data(as_text=True)
    db.session.refresh(report)
    assert report.status == "new"


def test_a_closed_report_can_be_opened_again(cora_signed_in, auth, make_report):
    report = make_report()
    step(cora_signed_in, auth, report, "closed", "Duplicate call")
    step(cora_signed_in, auth, report, "reviewed", "It was not")
    db.session.refresh(report)
    assert report.status == "reviewed"


# --- duplicates, the area, deleting -------------------------------------------------------------


def test_merging_a_duplicate_closes_it_and_counts_it_once(
    cora_signed_in, auth, make_report, make_eva, coordinator
):
    first = make_report(place="Car park")
    second = make_report(place="Car park, level 3")
    eva = make_eva(coordinator, reports=[second])
    token = auth.csrf(f"/unsafe-places/reports/{second.id}")
    response = cora_signed_in.post(
        f"/unsafe-places/reports/{second.id}/merge", data={"csrf_token": token, "into": first.id}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/unsafe-places/reports/{first.id}"
    db.session.expire_all()
    assert second.merged_into_id == first.id and second.status == "closed"
    assert second.steps[-1].reason == "Merged into report 1 as a duplicate."
    assert [r.id for r in eva.reports] == [first.id]  # the EVA answers the one it duplicates
    assert numbers(cora_signed_in.get("/unsafe-places?status=all").get_data(as_text=True)) == ["1"]
    [merged] = events("unsafe_place_merged")
    assert merged.detail["into"] == first.id and merged.actor_id == coordinator.id
    # Merged into itself, or merged again: refused.
    token = auth.csrf(f"/unsafe-places/reports/{first.id}")
    again = cora_signed_in.post(
        f"/unsafe-places/reports/{first.id}/merge", data={"csrf_token": token, "into": first.id}
    )
    assert again.status_code == 400


def test_merging_into_a_duplicate_goes_to_the_one_it_duplicates(make_report, coordinator):
    first, second, third = make_report(), make_report(), make_report()
    services.merge(second, first, coordinator)
    services.merge(third, second, coordinator)
    db.session.commit()
    assert third.merged_into_id == first.id
    with pytest.raises(services.RuleBroken):
        services.change_status(second, "reviewed", "No", coordinator)


def test_a_report_is_put_in_an_area(cora_signed_in, auth, make_report, make_area):
    report = make_report(latitude=None, longitude=None)
    area = make_area("Camden Road", centre=None)
    token = auth.csrf(f"/unsafe-places/reports/{report.id}")
    cora_signed_in.post(
        f"/unsafe-places/reports/{report.id}/area", data={"csrf_token": token, "area_id": area.id}
    )
    db.session.refresh(report)
    assert report.area_id == area.id
    assert events("unsafe_place_area_changed")[0].detail == {"area_id": area.id}


def test_deleting_a_report_is_audited_and_takes_everything_with_it(
    cora_signed_in, auth, make_report, coordinator
):
    report = make_report(email="me@example.org")
    services.change_status(report, "reviewed", "Read", coordinator)
    db.session.commit()
    report_id = report.id
    token = auth.csrf(f"/unsafe-places/reports/{report_id}")
    response = cora_signed_in.post(
        f"/unsafe-places/reports/{report_id}/delete", data={"csrf_token": token}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(UnsafePlaceReport, report_id) is None
    [deleted] = events("unsafe_place_deleted")
    assert deleted.target_id == report_id and deleted.actor_id == coordinator.id


def test_new_reports_wait_on_the_coordinators_home(cora_signed_in, make_report):
    make_report()
    make_report()
    page = cora_signed_in.get("/").get_data(as_text=True)
    assert "2 new reports of unsafe places" in page
