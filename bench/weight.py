"""What a page costs on the wire: the page and everything it loads, compressed as a
browser would receive it (brotli) and not. Shared by bench/public_page.py and
bench/page_weight.py; it asks the app through its test client, so no server is needed."""

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}  # what Chromium sends
PLAIN = {"Accept-Encoding": "identity"}
LOADS = re.compile(
    r"<(?:link[^>]+rel=\"(?:stylesheet|icon|manifest)\"[^>]*href|script[^>]+src|img[^>]+src)"
    r"=\"([^\"]+)\""
)
# A module's imports, static and dynamic: both are fetched on pages that run them.
IMPORTS = re.compile(r"(?:from\s+|import\s*\(\s*|import\s+)\"(\./[^\"]+\.js)\"")


@dataclass
class Weight:
    """Bytes on the wire (compressed) and bytes the content holds, per address."""

    wire: dict[str, int] = field(default_factory=dict)
    raw: dict[str, int] = field(default_factory=dict)
    encodings: dict[str, str] = field(default_factory=dict)

    def add(self, client, url: str) -> bytes:
        compressed = client.get(url, headers=BROWSER)
        plain = client.get(url, headers=PLAIN)
        self.wire[url] = len(compressed.get_data())
        self.raw[url] = len(plain.get_data())
        self.encodings[url] = compressed.headers.get("Content-Encoding", "none")
        return plain.get_data()

    @property
    def total_wire(self) -> int:
        return sum(self.wire.values())

    @property
    def total_raw(self) -> int:
        return sum(self.raw.values())

    def lines(self) -> list[str]:
        rows = [
            f"  {self.wire[u]:>7} B on the wire ({self.encodings[u]:>4}), {self.raw[u]:>7} B  {u}"
            for u in self.wire
        ]
        total = f"  {self.total_wire:>7} B on the wire in all, {self.total_raw:>7} B uncompressed"
        return [*rows, total]


def page_weight(client, path: str, extra: tuple[str, ...] = ()) -> Weight:
    """The page at path and every stylesheet, icon, manifest, script and image it loads,
    with each script's imports (and theirs), plus any extra addresses."""
    weight = Weight()
    html = weight.add(client, path).decode()
    queue = [urljoin(path, u) for u in LOADS.findall(html)] + list(extra)
    while queue:
        url = queue.pop(0)
        if url in weight.wire or urlsplit(url).netloc:
            continue
        body = weight.add(client, url)
        if urlsplit(url).path.endswith(".js"):
            queue += [urljoin(url, spec) for spec in IMPORTS.findall(body.decode())]
    return weight
