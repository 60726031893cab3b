"""The directory, complete from the seeds: the Community Safety Officer and the Community
Trigger (seed 001), Crimestoppers and Fearless (seed 002, action 3.12); new schemes get
them, and the migration gives them to schemes that had a directory already."""

from pathlib import Path

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from extensions import db
from havens.access import directory_for
from havens.seed import ACTION_PLAN_SEED, SEED, seed_directory

COUNCIL_PAGE = (Path(__file__).parent.parent / "data" / "community-safety-page.txt").read_text()


def test_the_council_pages_community_safety_officer_and_trigger_are_seeded():
    flat = " ".join(COUNCIL_PAGE.split())
    by_name = {name: (purpose, phone) for name, purpose, phone, *_rest in SEED}
    for name in ("Community Safety Officer", "Community Trigger"):
        purpose, phone = by_name[name]
        assert phone == "01892 526121" and phone in flat and name in flat
        assert "ask to speak to the Community Safety Officer" in purpose
    assert (
        "three complaints about anti-social behaviour within 6 months"
        in (by_name["Community Trigger"][0])
    )
    assert "three complaints about anti-social behaviour within a 6-month period" in flat


def test_the_action_plans_safe_reporting_services_are_seeded():
    by_name = {
        name: (phone, website) for name, _purpose, phone, website, *_rest in ACTION_PLAN_SEED
    }
    assert by_name == {
        "Crimestoppers": ("0800 555 111", ""),
        "Fearless": ("", "https://fearless.org"),
    }


def test_a_new_scheme_gets_every_entry_and_the_public_page_dials_them(
    client, scheme, venue, staff, train
):
    seed_directory(scheme.id)
    db.session.commit()
    train(staff)
    names = [service.name for service in directory_for(scheme.id)]
    assert len(names) == len(SEED) + len(ACTION_PLAN_SEED)
    assert names[-2:] == ["Crimestoppers", "Fearless"]
    page = client.get(f"/v/{venue.public_code}").get_data(as_text=True)
    assert 'href="tel:01892526121"' in page and 'href="tel:0800555111"' in page
    assert 'href="https://fearless.org"' in page


def test_the_migration_adds_them_to_a_directory_kept_already(app, scheme):
    scheme_id = scheme.id
    db.session.commit()
    downgrade(revision="a1b2c3d4e5f6")
    service = sa.table(
        "support_service",
        sa.column("scheme_id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("purpose", sa.String),
        sa.column("phone", sa.String),
        sa.column("website", sa.String),
        sa.column("hours", sa.String),
        sa.column("area", sa.String),
        sa.column("position", sa.Integer),
    )
    rows = [
        {
            "scheme_id": scheme_id,
            "name": name,
            "purpose": "",
            "phone": "",
            "website": "",
            "hours": "",
            "area": "",
            "position": n,
        }
        for n, name in enumerate(["Emergency services", "Crimestoppers"])
    ]
    db.session.execute(service.insert(), rows)
    db.session.commit()
    upgrade()
    names = [s.name for s in directory_for(scheme_id)]
    assert names == [
        "Emergency services",
        "Crimestoppers",  # the coordinator's own entry stays, and is not added twice
        "Community Safety Officer",
        "Community Trigger",
        "Fearless",
    ]
