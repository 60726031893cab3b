"""What the work pages cost on a first visit after signing in, and what the service
worker keeps: on the wire (compressed as a browser receives them) and not.

    .venv/bin/python bench/page_weight.py

Builds the demo scheme in a temporary folder and asks the app through its test client.
Targets: the visit form and the contact form at most 30 KB on the wire, everything they
load counted (the page, its stylesheet and icon, every script module and what it
imports, the manifest, the service worker's script); the worker's precache at most 100 KB
compressed. The same figures with compression turned off are the baseline.
"""

import re
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select  # noqa: E402

import schemes.demo  # noqa: E402
from accounts.models import User  # noqa: E402
from bench.weight import Weight, page_weight  # noqa: E402
from core.timeutil import utcnow  # noqa: E402
from extensions import db  # noqa: E402
from patrols import services as patrols  # noqa: E402
from patrols.models import Team  # noqa: E402
from wsgi import create_app  # noqa: E402

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
PRECACHE = re.compile(r"^const CONFIG = (.*);$", re.MULTILINE)


def signed_in(app, username: str):
    client = app.test_client()
    token = CSRF.search(client.get("/signin").get_data(as_text=True)).group(1)
    data = {"csrf_token": token, "username": username, "password": schemes.demo.PASSWORD}
    assert client.post("/signin", data=data).status_code == 302
    return client


def precache(client) -> Weight:
    """Every address the service worker keeps when it installs."""
    import json

    config = json.loads(PRECACHE.search(client.get("/sw.js").get_data(as_text=True)).group(1))
    weight = Weight()
    for url in config["precache"]:
        weight.add(client, url)
    return weight


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
                "SECRET_KEY": "b" * 64,
                "LOG_LEVEL": "WARNING",
            }
        )
        with app.app_context():
            upgrade()
            schemes.demo.load()
            pastor = db.session.scalar(select(User).filter_by(username="pastor"))
            team = db.session.scalar(select(Team).filter_by(name="Friday team"))
            values = {"team_id": team.id, "area_id": None, "route": "", "started_at": utcnow()}
            patrol, _ = patrols.start_patrol(str(uuid.uuid4()), values, [pastor], pastor)
            db.session.commit()
            patrol_id = patrol.id
        extra = ("/manifest.webmanifest", "/sw.js")
        pages = {
            "visit form": (signed_in(app, "staff"), "/visits/new"),
            "contact form": (signed_in(app, "pastor"), f"/patrols/{patrol_id}/contacts/new"),
        }
        for name, (client, path) in pages.items():
            weight = page_weight(client, path, extra)
            print(f"{name} ({path}), a first visit after signing in:")
            print("\n".join(weight.lines()))
            print(f"on the wire: {weight.total_wire / 1024:.1f} KB (target at most 30 KB)\n")
        kept = precache(pages["visit form"][0])
        print("the service worker's precache:")
        print("\n".join(kept.lines()))
        print(f"compressed: {kept.total_wire / 1024:.1f} KB (target at most 100 KB)")


if __name__ == "__main__":
    main()
