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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.demo import demo_app, record_forms  # noqa: E402
from bench.weight import Weight, page_weight  # noqa: E402

PRECACHE = re.compile(r"^const CONFIG = (.*);$", re.MULTILINE)


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
        pages = record_forms(demo_app(tmp))
        extra = ("/manifest.webmanifest", "/sw.js")
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
