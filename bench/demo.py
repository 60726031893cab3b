"""The demo scheme in a throwaway SQLite database, asked in-process through Flask's test
client: shared by bench/public_page.py, bench/page_weight.py and bench/form_render.py."""

import re
import uuid

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select

import schemes.demo
from accounts.models import User
from core.timeutil import utcnow
from extensions import db
from patrols import services as patrols
from patrols.models import Team
from wsgi import create_app

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def demo_app(folder: str) -> Flask:
    """The app on a new database in `folder`, migrated and holding the demo scheme."""
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder}/bench.db",
            "SECRET_KEY": "b" * 64,
            "LOG_LEVEL": "WARNING",
        }
    )
    with app.app_context():
        upgrade()
        schemes.demo.load()
    return app


def signed_in(app: Flask, username: str):
    """A test client signed in through the real form as one of the demo's people."""
    client = app.test_client()
    token = CSRF.search(client.get("/signin").get_data(as_text=True)).group(1)
    data = {"csrf_token": token, "username": username, "password": schemes.demo.PASSWORD}
    assert client.post("/signin", data=data).status_code == 302
    return client


def record_forms(app: Flask) -> dict:
    """The visit form as venue staff and the contact form on an open patrol as a pastor:
    {name: (signed-in client, path)}."""
    with app.app_context():
        pastor = db.session.scalar(select(User).filter_by(username="pastor"))
        team = db.session.scalar(select(Team).filter_by(name="Friday team"))
        values = {"team_id": team.id, "area_id": None, "route": "", "started_at": utcnow()}
        patrol, _ = patrols.start_patrol(str(uuid.uuid4()), values, [pastor], pastor)
        db.session.commit()
        patrol_id = patrol.id
    return {
        "visit form": (signed_in(app, "staff"), "/visits/new"),
        "contact form": (signed_in(app, "pastor"), f"/patrols/{patrol_id}/contacts/new"),
    }
