#!/usr/bin/env python3
"""The two commands: `python3 dev.py run` and `python3 dev.py test`.

Both work on a fresh machine with only Python: they make a virtual environment in
.venv, install the pinned requirements, and compile the translations first.
"""

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
CHROMIUM = Path("/usr/bin/chromium")


def sh(*args: str, env: dict | None = None) -> int:
    """Run a command from the project folder, echoing it; return its exit code."""
    print("+", " ".join(args), flush=True)
    return subprocess.call(args, cwd=ROOT, env={**os.environ, **(env or {})})


def say(message: str) -> None:
    """Tell the person what the command is doing, before a step that takes a while."""
    print(f"\n== {message}", flush=True)


def must(*args: str, env: dict | None = None) -> None:
    """Run a command and stop here if it fails."""
    if sh(*args, env=env) != 0:
        sys.exit(f"failed: {' '.join(args)}")


def set_up(requirements: str) -> None:
    """Make .venv and install the requirements, again only when they change."""
    if not (BIN / "python").exists():
        say("Setting up: making a virtual environment in .venv")
        must(sys.executable, "-m", "venv", str(VENV))
    files = [ROOT / "requirements.txt", ROOT / requirements]
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()
    stamp = VENV / f".installed-{requirements}"
    if not stamp.exists() or stamp.read_text() != digest:
        say(f"Installing the pinned packages of {requirements} (a minute or two the first time)")
        must(str(BIN / "python"), "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        must(str(BIN / "python"), "-m", "pip", "install", "--quiet", "-r", requirements)
        stamp.write_text(digest)
    # Compiled catalogues are built, never committed.
    say("Compiling the translations")
    must(str(BIN / "pybabel"), "compile", "--statistics", "-d", "translations")


def run() -> None:
    """Set up, migrate, load the demo scheme and serve on http://127.0.0.1:5000."""
    set_up("requirements.txt")
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    say("Making the database (instance/lantern.db) and loading the demo scheme")
    must(*flask, "db", "upgrade")
    must(*flask, "demo")
    print("Lantern is at http://127.0.0.1:5000 (Ctrl-C stops it)", flush=True)
    os.chdir(ROOT)
    os.execv(flask[0], [*flask, "run", "--host", "127.0.0.1", "--port", "5000"])


# What the tests need from Debian: Chromium for the browser tests; the stickers' font, and
# pdftoppm and zbarimg to rasterise stickers and read their QR codes back.
TOOLS = {
    "chromium": CHROMIUM,
    "fonts-dejavu-core": Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    "poppler-utils": Path("/usr/bin/pdftoppm"),
    "zbar-tools": Path("/usr/bin/zbarimg"),
}


def ensure_tools() -> None:
    """Install the Debian packages the tests use, when any is missing."""
    missing = [package for package, path in TOOLS.items() if not path.exists()]
    if not missing or not shutil.which("apt-get"):
        return
    say(f"Installing what the tests need from Debian: {', '.join(missing)}")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    sh(*sudo, "apt-get", "update", "-qq", env=env)
    sh(*sudo, "apt-get", "install", "-y", "-qq", *missing, env=env)


def test() -> None:
    """Lint and type-check, then every test on SQLite, on PostgreSQL, and in Chromium."""
    set_up("requirements-dev.txt")
    ensure_tools()
    pytest = [str(BIN / "python"), "-m", "pytest", "-p", "no:cacheprovider"]
    steps = [
        ("ruff lint", [str(BIN / "ruff"), "check", "."], {}),
        ("ruff format", [str(BIN / "ruff"), "format", "--check", "."], {}),
        # The app packages, as pyproject.toml's [tool.mypy] lists them.
        ("mypy", [str(BIN / "mypy"), "--config-file", "pyproject.toml"], {}),
        ("pytest on SQLite", [*pytest, "-m", "not browser"], {"LANTERN_TEST_DB": "sqlite"}),
        ("pytest on PostgreSQL", [*pytest, "-m", "not browser"], {"LANTERN_TEST_DB": "postgres"}),
        ("browser tests in Chromium", [*pytest, "-m", "browser"], {"LANTERN_TEST_DB": "sqlite"}),
    ]
    failed = [name for name, args, env in steps if sh(*args, env=env) != 0]
    print("\nfailed: " + ", ".join(failed) if failed else "\nall checks passed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    commands = {"run": run, "test": test}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        sys.exit("usage: python3 dev.py run | test")
    commands[sys.argv[1]]()
