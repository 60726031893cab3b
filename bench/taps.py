"""How many taps the night's commonest records take from the signed-in home screen.

    .venv/bin/python bench/taps.py

Builds a demo database, serves it on a free port and drives Debian's Chromium with touch
at phone and tablet size, as tests/test_browser_taps.py does: venue staff log the common
visit (a seat, an age band, alone), and a pastor whose team is on patrol logs the common
contact (water for two people). Prints each count against its target, and checks that
the record was stored with the values tapped; then again after the scheme's coordinator
put Seat and Water at the end of their lists and hid Lollipop (a scheme's own order),
with the default order's counts of the same run as the baseline.
"""

import sys
import tempfile
import threading
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from sqlalchemy import select  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

import schemes.demo  # noqa: E402
from accounts.models import User  # noqa: E402
from core.timeutil import utcnow  # noqa: E402
from extensions import db  # noqa: E402
from havens.models import Visit  # noqa: E402
from lists import items as list_items  # noqa: E402
from lists import services as lists  # noqa: E402
from patrols import services as patrols  # noqa: E402
from patrols.models import Contact, Team  # noqa: E402
from tests import journeys  # noqa: E402
from wsgi import create_app  # noqa: E402

TARGETS = {"visit": 5, "contact": 3}
SIZES = {"phone": (390, 844), "tablet": (1024, 768)}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def serve(app) -> tuple[str, object]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def patrol_out(app) -> None:
    """The pastor's Friday team on patrol, as the evening starts."""
    with app.app_context():
        pastor = db.session.scalar(select(User).filter_by(username="pastor"))
        team = db.session.scalar(select(Team).filter_by(name="Friday team"))
        values = {"team_id": team.id, "area_id": None, "route": "", "started_at": utcnow()}
        patrols.start_patrol(str(uuid.uuid4()), values, [pastor], pastor)
        db.session.commit()


def own_order(app) -> None:
    """The demo scheme's coordinator puts the common items last and hides Lollipop."""
    with app.app_context():
        pastor = db.session.scalar(select(User).filter_by(username="pastor"))
        for name, last, hidden in (("help", "seat", set()), ("given", "water", {"lollipop"})):
            codes = [item.code for item in list_items.items_for(pastor.scheme_id, name)]
            order = [code for code in codes if code != last] + [last]
            lists.arrange(pastor.scheme_id, name, order, hidden, by_use=False)
        db.session.commit()


def newest(app, model, column):
    with app.app_context():
        return db.session.scalar(select(model).order_by(column.desc()).limit(1))


def run(browser, base: str, size: str, username: str, journey) -> int:
    width, height = SIZES[size]
    context = browser.new_context(
        base_url=base, viewport={"width": width, "height": height}, has_touch=True
    )
    page = context.new_page()
    page.goto("/signin")
    page.get_by_label("Username or email", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(schemes.demo.PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{base}/")
    taps = journey(page)
    page.wait_for_selector("text=saved", timeout=10_000)
    context.close()
    return taps


def measure(app, browser, base: str, size: str, order: str) -> None:
    """Both journeys at one size, printed with their targets."""
    taps = run(browser, base, size, "staff", journeys.common_visit)
    visit = newest(app, Visit, Visit.created_at)
    stored = (visit.help, visit.age_band, visit.company)
    assert stored == (["seat"], "18_24", "alone"), stored
    target = TARGETS["visit"]
    print(f"common visit, {size:<6} {order}: {taps} taps from home (target at most {target})")
    taps = run(browser, base, size, "pastor", journeys.common_contact)
    contact = newest(app, Contact, Contact.created_at)
    assert (contact.people, contact.given) == (2, ["water"])
    target = TARGETS["contact"]
    print(f"common contact, {size:<6} {order}: {taps} taps from home (target at most {target})")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {"DATABASE_URL": f"sqlite:///{tmp}/taps.db", "SECRET_KEY": "t" * 64},
        )
        app.logger.disabled = True
        with app.app_context():
            upgrade()
            schemes.demo.load()
        patrol_out(app)
        base, server = serve(app)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            for order in ("default order", "scheme's own order"):
                if order != "default order":
                    own_order(app)
                for size in SIZES:
                    measure(app, browser, base, size, order)
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()
