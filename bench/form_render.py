"""How long the server takes to render the visit form and the contact form, against
/healthz (one SELECT 1) in the same run.

    .venv/bin/python bench/form_render.py [--requests 300]

Builds the demo scheme in a temporary folder, signs in as venue staff (the visit form)
and as a Street Pastor (the contact form), and asks the app through its test client,
taking turns between /healthz and the form so a busy machine slows both alike. Prints
the median time per request, as the clock on the wall sees it and as the processor spent
it on this process (steadier when others share the machine), requests per second and the
ratio to /healthz. Target: each form under 4 times /healthz.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.demo import demo_app, record_forms  # noqa: E402

TARGET = 4


def timed(client, path: str) -> tuple[float, float]:
    """Milliseconds for one GET (wall clock, processor time), which must answer 200."""
    wall, cpu = time.perf_counter(), time.thread_time()
    response = client.get(path)
    spent = ((time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000)
    assert response.status_code == 200, (path, response.status_code)
    return spent


def compare(client, path: str, count: int) -> dict[str, tuple[float, float]]:
    """Median milliseconds per request for /healthz and for `path`, taken in turns:
    {"wall": (healthz, page), "cpu": (healthz, page)}."""
    for _ in range(10):  # warm up: templates compiled, caches filled
        timed(client, "/healthz")
        timed(client, path)
    baseline, page = [], []
    for _ in range(count):
        baseline.append(timed(client, "/healthz"))
        page.append(timed(client, path))
    return {
        clock: (
            statistics.median(b[i] for b in baseline),
            statistics.median(p[i] for p in page),
        )
        for i, clock in enumerate(("wall", "cpu"))
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pages = record_forms(demo_app(tmp))
        for name, (client, path) in pages.items():
            print(f"{name} ({path}), signed in, median of {args.requests}:")
            for clock, (baseline, page) in compare(client, path, args.requests).items():
                print(
                    f"  {clock:4} /healthz     {baseline:6.2f} ms {1000 / baseline:6.0f} requests/s"
                )
                print(f"  {clock:4} {name:12} {page:6.2f} ms {1000 / page:6.0f} requests/s")
                print(
                    f"  {clock:4} ratio to /healthz: {page / baseline:.1f} (target under {TARGET})"
                )
            print()


if __name__ == "__main__":
    main()
