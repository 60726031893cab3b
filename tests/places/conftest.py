"""Fixtures of the unsafe-places tests: a valid report as the public form sends it, a way
to post it as a browser does, and reports, areas and EVAs stored through the services.
"""

import uuid
from datetime import timedelta

import pytest

from core.timeutil import london_today, utcnow
from extensions import db
from patrols.models import PatrolArea
from places import services
from places.models import UnsafePlaceReport

# Somewhere in the middle of the test areas below: the Pantiles, Tunbridge Wells.
PIN = (51.128456, 0.261321)


@pytest.fixture
def report_data():
    """Factory: the fields of a valid report as the form posts them; keywords change them
    (None leaves a field out)."""

    def data(**changes) -> dict:
        fields = {
            "id": str(uuid.uuid4()),
            "latitude": str(PIN[0]),
            "longitude": str(PIN[1]),
            "place": "The alley beside the station",
            "rough_time": "earlier",
            "happened_on": (london_today() - timedelta(days=3)).isoformat(),
            "time_of_day": "night",
            "categories": ["lighting", "visibility"],
            "description": "Very dark, with a blind corner.",
        }
        fields |= changes
        return {name: value for name, value in fields.items() if value is not None}

    return data


@pytest.fixture
def post_report(client, auth, scheme):
    """Factory: post a report to the scheme's public form with the page's CSRF token, as a
    browser does; `json` asks for the outbox's JSON answer."""

    def post(data: dict, *, json=False, scheme_id=None, environ=None, **headers):
        url = f"/unsafe-places/report/{scheme_id or scheme.id}"
        token = auth.csrf(url)
        if json:
            headers["Accept"] = "application/json"
        data = {"csrf_token": token, **data}
        return client.post(url, data=data, headers=headers, environ_base=environ or {})

    return post


@pytest.fixture
def make_area(scheme):
    """Factory: a patrol area of the test scheme, on the map when given a centre."""

    def make(name: str = "The Pantiles", centre=PIN, radius_m: int = 250, *, scheme=scheme):
        lat, lng = centre if centre else (None, None)
        area = PatrolArea(
            scheme_id=scheme.id, name=name, latitude=lat, longitude=lng, radius_m=radius_m
        )
        db.session.add(area)
        db.session.commit()
        return area

    return make


@pytest.fixture
def make_report(scheme):
    """Factory: a report stored through the service, as the form stores it; by default an
    alley with poor lighting, three days ago."""

    def make(*, scheme=scheme, email=None, received_at=None, **values) -> UnsafePlaceReport:
        fields = {
            "latitude": PIN[0],
            "longitude": PIN[1],
            "place": "The alley beside the station",
            "rough_time": "earlier",
            "happened_on": london_today() - timedelta(days=3),
            "time_of_day": None,
            "categories": ["lighting"],
            "description": "",
        } | values
        report, created = services.save_report(str(uuid.uuid4()), scheme.id, fields, email)
        assert created
        if received_at is not None:
            report.received_at = received_at
        db.session.commit()
        return report

    return make


@pytest.fixture
def make_eva(scheme):
    """Factory: an EVA stored through the service, planned for now unless told."""

    def make(by, reports=(), **values):
        fields = {
            "place": "Meadow Road car park",
            "area_id": None,
            "latitude": None,
            "longitude": None,
            "walked_at": utcnow().replace(second=0, microsecond=0),
            "status": "planned",
            "organisations": ["Kent Police"],
            "findings": {},
            "summary": "",
        } | values
        eva = services.save_eva(None, scheme.id, fields, list(reports), by)
        db.session.commit()
        return eva

    return make
