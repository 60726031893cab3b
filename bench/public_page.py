"""How heavy and how quick the public venue page is, against /healthz in the same run.

    .venv/bin/python bench/public_page.py [--requests 500]

Builds a demo database in a temporary folder, then prints what a stranger's phone
downloads on a first visit to /v/<code> (the page and every sub-resource it loads,
compressed as a browser receives them and not; target at most 15 KB on the wire) and the
server time per request, with /healthz (one SELECT 1) as the baseline.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.demo import demo_app  # noqa: E402
from bench.weight import page_weight  # noqa: E402
from extensions import db  # noqa: E402
from havens.models import Venue  # noqa: E402


def per_request_ms(client, path: str, count: int) -> float:
    """Median milliseconds per request over `count` requests."""
    times = []
    for _ in range(count):
        started = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = demo_app(tmp)
        with app.app_context():
            code = db.session.query(Venue).filter_by(name="The Pantiles Tap").one().public_code
        client = app.test_client()
        weight = page_weight(client, f"/v/{code}")
        baseline = per_request_ms(client, "/healthz", args.requests)
        public = per_request_ms(client, f"/v/{code}", args.requests)
    print(f"a first visit to /v/<code> loads {len(weight.wire)} addresses:")
    print("\n".join(weight.lines()))
    print(f"on the wire: {weight.total_wire / 1024:.1f} KB (target at most 15 KB)")
    print(f"/healthz  {baseline:.2f} ms per request (median of {args.requests})")
    print(f"/v/<code> {public:.2f} ms per request (median of {args.requests})")
    print(f"ratio public page / healthz: {public / baseline:.1f}")


if __name__ == "__main__":
    main()
