"""How long a batch of window stickers takes to make, and how much memory it needs.

    .venv/bin/python bench/stickers.py [--venues 200] [--size a5|a6|a4-4up]

Builds a scheme of active venues in a temporary SQLite database, then makes the batch PDF
the Venues page and `flask --app wsgi stickers` make: first issuing every venue's sticker
number (a first print), then again (a reprint). Prints the seconds each took, the PDF's
size, the peak of Python's own allocations while making it (tracemalloc, in a third run)
and the process's peak resident memory.
"""

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from accounts.models import Scheme  # noqa: E402
from extensions import db  # noqa: E402
from havens.models import Venue  # noqa: E402
from havens.stickers import art, services  # noqa: E402
from wsgi import create_app  # noqa: E402

FIXED = art.QR_MASK  # the mask stickers are drawn with


def make_batch(size: str) -> tuple[float, int]:
    """Seconds to make the PDF of every active venue's sticker, and its bytes."""
    started = time.perf_counter()
    body = services.pdf(services.active_venues(), size, "", by=None)
    db.session.commit()
    return time.perf_counter() - started, len(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venues", type=int, default=200)
    parser.add_argument("--size", choices=["a5", "a6", "a4-4up"], default="a5")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
                "SECRET_KEY": "b" * 64,
                "LOG_LEVEL": "WARNING",
                "PUBLIC_URL": "https://safehavens.tunbridgewells.example.org",
            }
        )
        with app.app_context():
            upgrade()
            scheme = Scheme(name="Royal Tunbridge Wells")
            db.session.add(scheme)
            db.session.flush()
            db.session.add_all(
                Venue(scheme_id=scheme.id, name=f"The Lantern and Lamp No. {n}", status="active")
                for n in range(args.venues)
            )
            db.session.commit()
            # The baseline, in the same run: qrcode choosing the best of its eight masks, and
            # nothing kept between prints (as the stickers were made before).
            make_batch(args.size)  # issues the numbers and loads the fonts: a warm start
            art.QR_MASK = None
            art.qr_matrix.cache_clear()
            baseline, _ = make_batch(args.size)
            art.qr_matrix.cache_clear()
            art.QR_MASK = FIXED
            first, size = make_batch(args.size)  # every code drawn afresh
            again, _ = make_batch(args.size)  # the codes kept from the print before
            art.qr_matrix.cache_clear()
            tracemalloc.start()
            make_batch(args.size)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    n = args.venues
    print(f"{n} venues, {args.size}: PDF of {size / 1024 / 1024:.1f} MiB ({size // n} bytes each)")
    for label, seconds in (
        ("baseline: masks chosen, none kept", baseline),
        ("a fixed mask, codes drawn afresh", first),
        ("a fixed mask, codes kept", again),
    ):
        print(f"{label:<34} {seconds:.2f} s ({seconds / n * 1000:.1f} ms a sticker)")
    ratios = f"fixed mask / baseline {first / baseline:.2f}"
    print(f"{ratios}; kept codes / baseline {again / baseline:.2f}")
    print("target: 200 A5 stickers in under 1 s")
    print(f"peak Python allocations while making it {peak / 1024 / 1024:.1f} MiB (tracemalloc)")
    print(f"peak resident memory of the process     {rss:.0f} MiB")


if __name__ == "__main__":
    main()
