"""Calls for help in the reports: counted by outcome on the dashboard, with the median
minutes to accept, and in the quarterly report, where partners see small counts hidden.
"""

from datetime import timedelta

import pytest

from core.timeutil import utcnow
from extensions import db


@pytest.fixture
def calls_for_help(call_for_help):
    """Factory: calls asked five minutes ago; ("accepted", minutes) is accepted after so long."""

    def make(venue, staff, *outcomes) -> None:
        asked = utcnow() - timedelta(minutes=5)
        expires = asked + timedelta(minutes=10)
        for outcome in outcomes:
            kind, wait = outcome if isinstance(outcome, tuple) else (outcome, None)
            accepted = asked + timedelta(minutes=wait) if wait else None
            call_for_help(venue, staff, asked, expires, outcome=kind, accepted_at=accepted)
        db.session.commit()

    return make


def test_the_dashboard_counts_calls_for_help(app, night, venue, client_of, calls_for_help):
    outcomes = [("accepted", 2), ("accepted", 4), ("accepted", 9)]
    calls_for_help(venue, night["staff"], *outcomes, "timed_out", "cancelled", "no_patrol")
    page = client_of("cora").get("/reports?period=week").get_data(as_text=True)
    rows = {
        "Calls for help from Safe Havens": "6",
        "Calls for help accepted by a Street Pastor": "3",
        "Calls for help nobody accepted in time": "1",
        "Calls for help cancelled by the venue": "1",
        "Calls for help with no patrol on duty": "1",
        "Median minutes to accept a call for help": "4.0",
    }
    for label, value in rows.items():
        assert f'<th scope="row">{label}</th>' + f"<td>{value}</td>" * 3 in page, label
    assert 'id="help-requests"' in page  # the table behind the chart
    assert "Calls for help from Safe Havens to Street Pastors, by venue" in page


def test_the_dashboard_shows_no_median_without_an_acceptance(app, night, client_of):
    page = client_of("cora").get("/reports").get_data(as_text=True)
    assert '<th scope="row">Median minutes to accept a call for help</th><td>–</td>' in page


def test_the_quarterly_report_counts_calls_for_help_and_hides_small_ones(
    app, night, venue, calls_for_help
):
    from reports import quarterly
    from reports.periods import quarter_of, tonight

    many = [("accepted", 3)] * 8
    calls_for_help(venue, night["staff"], *many, "timed_out", "timed_out", "no_patrol", "open")
    period = quarter_of(tonight())
    with app.test_request_context():
        data = quarterly.gather(venue.scheme_id, period)
        everyone = quarterly.build(data, "Testbridge", period, partner_view=False, small_max=5)
        partners = quarterly.build(data, "Testbridge", period, partner_view=True, small_max=5)

    def figures(report):
        found = next(t for t in report.tables() if t.id == "help-requests")
        return {row.label: row.cells[0].text for row in found.rows}

    assert figures(everyone) == {
        "Accepted by a Street Pastor": "8",
        "Nobody accepted in time": "2",
        "Cancelled by the venue": "0",
        "No patrol on duty": "1",
        "Still waiting for an answer": "1",
        "All calls for help": "12",
    }
    shown = figures(partners)
    assert shown["Accepted by a Street Pastor"] == "8" and shown["All calls for help"] == "12"
    assert shown["Nobody accepted in time"] in ("1-5", "[c]")
    assert shown["No patrol on duty"] in ("1-5", "[c]")
    assert "2" not in shown.values() and "1" not in shown.values()
