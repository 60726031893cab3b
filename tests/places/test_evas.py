"""Environmental visual audits: planning one, its checklist and actions, the reports it
answers moving on with it; the printable report partners read, with those reports as
suppressed counts by category and month, as a page and as a PDF."""

import re
import shutil
import subprocess
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from core.models import AuditEvent
from core.timeutil import london_today, to_utc
from extensions import db
from places.models import Eva, EvaAction


@pytest.fixture
def cora(client, auth, coordinator):
    auth.login("cora")
    return coordinator


def eva_form(**changes) -> dict:
    fields = {
        "place": "Meadow Road car park",
        "area_id": "0",
        "latitude": "",
        "longitude": "",
        "walked_at": "2026-11-20T21:30",
        "status": "planned",
        "organisations": "Kent Police\nTWBC Community Safety Team\n\nKent Police",
        "summary": "",
        "finding_lighting-rating": "poor",
        "finding_lighting-note": "Stairwell lights out",
        "finding_cctv-rating": "needs_work",
        "finding_cctv-note": "",
    }
    fields |= changes
    return {k: v for k, v in fields.items() if v is not None}


def post(client, auth, path, data):
    token = auth.csrf("/unsafe-places/evas/new")
    return client.post(path, data={"csrf_token": token, **data})


def test_an_eva_is_planned_and_the_reports_it_answers_move_on(client, auth, cora, make_report):
    new, reviewed = make_report(), make_report()
    reviewed.status = "reviewed"
    db.session.commit()
    response = post(
        client, auth, "/unsafe-places/evas/new", eva_form(reports=[new.id, reviewed.id])
    )
    assert response.status_code == 302
    eva = db.session.scalar(select(Eva))
    assert eva.number == 1 and eva.status == "planned"
    assert eva.organisations == ["Kent Police", "TWBC Community Safety Team"]
    assert eva.findings["lighting"] == {"rating": "poor", "note": "Stairwell lights out"}
    assert eva.findings["signage"] == {"rating": "not_checked", "note": ""}
    assert eva.walked_at == to_utc(datetime(2026, 11, 20, 21, 30))
    db.session.expire_all()
    assert {r.status for r in eva.reports} == {"eva_planned"}
    assert {s.reason for r in eva.reports for s in r.steps} == {"EVA 1 is planned."}
    # Marked done: the reports follow, each step audited with who.
    post(
        client,
        auth,
        f"/unsafe-places/evas/{eva.id}/edit",
        eva_form(status="done", reports=[new.id]),
    )
    db.session.expire_all()
    assert [r.status for r in eva.reports] == ["eva_done"]
    assert reviewed.status == "eva_planned"  # no longer answered by it: left where it was
    changed = db.session.scalars(
        select(AuditEvent).filter_by(action="unsafe_place_status_changed")
    ).all()
    assert [e.detail["status_to"] for e in changed] == ["eva_planned", "eva_planned", "eva_done"]
    assert {e.actor_id for e in changed} == {cora.id}
    assert [
        e.action
        for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("eva_%")))
    ] == ["eva_added", "eva_updated"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"place": ""}, "Name the place or area."),
        ({"walked_at": ""}, "Give the date and time of the walk."),
        ({"walked_at": "tomorrow night"}, "Not a valid datetime value."),
        ({"latitude": "51.13"}, "Give both the latitude and the longitude, or neither."),
        ({"latitude": "51.13", "longitude": "200"}, "A longitude is a number from -180 to 180"),
        ({"organisations": "x" * 121}, "name to 120 characters."),
        ({"status": "maybe"}, "Not a valid choice."),
        ({"finding_cctv-rating": "awful"}, "Not a valid choice."),
        ({"finding_cctv-note": "n" * 301}, "Field cannot be longer than 300 characters."),
        ({"summary": "s" * 501}, "Keep the note to 500 characters or fewer."),
        ({"reports": "no-such-report"}, "not a valid choice"),
    ],
)
def test_a_bad_eva_is_a_field_error_and_keeps_the_rest(client, auth, cora, changes, message):
    response = post(client, auth, "/unsafe-places/evas/new", eva_form(**changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert db.session.scalar(select(Eva)) is None
    if "place" not in changes:
        assert 'value="Meadow Road car park"' in page
    assert "Stairwell lights out" in page


def test_actions_have_an_owner_organisation_a_due_date_and_a_status(client, auth, cora, make_eva):
    eva = make_eva(cora)
    due = (london_today() + timedelta(days=30)).isoformat()
    token = auth.csrf(f"/unsafe-places/evas/{eva.id}")
    missing = client.post(
        f"/unsafe-places/evas/{eva.id}/actions",
        data={"csrf_token": token, "what": "Fix the lights", "owner": "", "due_on": "soon"},
    )
    page = missing.get_data(as_text=True)
    assert missing.status_code == 400
    assert "Name the organisation that owns it." in page and "Not a valid date value." in page
    assert 'value="Fix the lights"' in page
    added = client.post(
        f"/unsafe-places/evas/{eva.id}/actions",
        data={"csrf_token": token, "what": "Fix the lights", "owner": "TWBC", "due_on": due},
    )
    assert added.status_code == 302
    action = db.session.scalar(select(EvaAction))
    assert (action.owner, action.status, action.done_on) == ("TWBC", "open", None)
    client.post(
        f"/unsafe-places/actions/{action.id}",
        data={"csrf_token": token, f"action-{action.id}-status": "done"},
    )
    db.session.refresh(action)
    assert (action.status, action.done_on) == ("done", london_today())
    audited = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("eva_action%"))
    ).all()
    assert [e.action for e in audited] == ["eva_action_added", "eva_action_status_changed"]
    assert audited[1].detail == {"status_from": "open", "status_to": "done"}


def test_another_schemes_eva_is_not_found(
    client, auth, make_person, make_eva, elsewhere, coordinator
):
    eva = make_eva(coordinator)
    make_person("olga", roles=["coordinator"], scheme=elsewhere)
    auth.login("olga")
    for path in (
        f"/unsafe-places/evas/{eva.id}",
        f"/reports/evas/{eva.id}",
        f"/reports/evas/{eva.id}.pdf",
    ):
        assert client.get(path).status_code == 404, path
    assert "Meadow Road" not in client.get("/reports/evas").get_data(as_text=True)


# --- the EVA report partners read --------------------------------------------------------------


@pytest.fixture
def audited_car_park(make_report, make_eva, coordinator):
    """An EVA answering three reports (two about lighting, one also about CCTV), with one
    action; and a report it does not answer."""
    answered = [
        make_report(categories=["lighting"], description="A man lurks by the stairs"),
        make_report(categories=["lighting", "no_cctv"]),
        make_report(categories=["drugs_alcohol"], email="me@example.org"),
    ]
    make_report(categories=["followed"], place="Elsewhere entirely")
    eva = make_eva(
        coordinator,
        reports=answered,
        status="done",
        organisations=["Kent Police", "Street Pastors"],
        findings={"lighting": {"rating": "poor", "note": "Both stairwell lights out"}},
    )
    db.session.add(
        EvaAction(
            eva_id=eva.id, what="Replace the lights", owner="TWBC Parking", due_on=london_today()
        )
    )
    db.session.commit()
    return eva


def test_a_partner_reads_the_eva_report_with_counts_suppressed(
    client, auth, make_person, audited_car_park
):
    make_person("priya", roles=["partner"])
    auth.login("priya")
    assert f"/reports/evas/{audited_car_park.id}" in client.get("/reports/evas").get_data(
        as_text=True
    )
    page = client.get(f"/reports/evas/{audited_car_park.id}").get_data(as_text=True)
    assert "Meadow Road car park" in page and "Kent Police, Street Pastors" in page
    assert "Both stairwell lights out" in page and "Replace the lights" in page
    assert "TWBC Parking" in page
    body = page.split('id="table-answered"', 1)[1].split("</table>", 1)[0]
    rows = dict(re.findall(r'<th scope="row">(.*?)</th><td>(.*?)</td>', body))
    assert rows["Reports answered"] == "1-5"
    assert rows["Poor or no street lighting"] == "1-5"
    assert rows["Being followed or harassed"] == "0"  # the report it does not answer
    # Nothing of a report itself: no words, no email, no place, no number.
    for secret in ("A man lurks", "me@example.org", "Elsewhere entirely", "report 1"):
        assert secret not in page
    # And never the working pages.
    assert client.get(f"/unsafe-places/evas/{audited_car_park.id}").status_code == 403


def test_many_reports_show_as_numbers(
    client, auth, make_person, make_report, make_eva, coordinator
):
    answered = [make_report(categories=["lighting"]) for _ in range(7)]
    eva = make_eva(coordinator, reports=answered)
    make_person("priya", roles=["partner"])
    auth.login("priya")
    page = client.get(f"/reports/evas/{eva.id}").get_data(as_text=True)
    body = page.split('id="table-answered"', 1)[1].split("</table>", 1)[0]
    assert re.search(r"Reports answered</th><td>7</td><td>7</td>", body)


def test_the_eva_pdf(client, auth, make_person, audited_car_park, tmp_path, unavailable):
    if not shutil.which("pdftotext"):
        unavailable("pdftotext (poppler-utils) is not installed")
    make_person("priya", roles=["partner"])
    auth.login("priya")
    response = client.get(f"/reports/evas/{audited_car_park.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    (tmp_path / "eva.pdf").write_bytes(response.data)
    subprocess.run(["pdftotext", "-layout", tmp_path / "eva.pdf", tmp_path / "eva.txt"], check=True)
    text = (tmp_path / "eva.txt").read_text()
    assert "EVA 1: Meadow Road car park" in text and "Replace the lights" in text
    assert "Both stairwell lights out" in text and "1-5" in text
    assert "A man lurks" not in text and "me@example.org" not in text
    exported = db.session.scalar(select(AuditEvent).filter_by(action="exported"))
    assert exported.detail == {"report": "eva", "format": "pdf"}
