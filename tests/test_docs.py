"""The README is a front door and docs/ is the manual: these tests keep both honest.

A setting, a command or a page that is added without its documentation fails here, as
Datasette's tests/test_docs.py does for its settings and plugin hooks.
"""

import re
from pathlib import Path

import click
from flask.cli import FlaskGroup, ScriptInfo

from schemes.demo import PASSWORD, PEOPLE
from wsgi import DEFAULTS

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
README_MAX_BYTES = 6000
FIRST_SCREEN_LINES = 40

# Listed by `flask --app wsgi --help` but not Lantern's: Flask's own; Flask-Migrate's `db`,
# of which docs/commands.md shows `db upgrade`; Flask-Limiter's `limiter`, which needs an
# extra (flask-limiter[cli]) that Lantern does not install.
NOT_OURS = {"run", "shell", "routes", "db", "limiter"}

# [text](target) or ![alt](target): the target up to a space or the closing bracket.
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)[^)]*\)")
# The command path after `flask --app wsgi`: lowercase words, up to an option or argument.
COMMAND = re.compile(r"flask --app wsgi ((?:[a-z][a-z-]*)(?: [a-z][a-z-]*)*)")


def pages() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def without_fences(text: str) -> str:
    """Markdown without its fenced code blocks (a `# comment` there is no heading)."""
    return re.sub(r"(?ms)^```.*?^```", "", text)


def prose(text: str) -> str:
    """Markdown without any code: neither fenced blocks nor `inline code` hold links."""
    return re.sub(r"`[^`\n]*`", "", without_fences(text))


def anchors(path: Path) -> set[str]:
    """The #fragments GitHub makes from a page's headings."""
    headings = re.findall(r"^#+ (.+)$", without_fences(path.read_text()), re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def lantern_commands(app) -> list[str]:
    """Every command `flask --app wsgi --help` lists, groups walked to their subcommands."""
    group = FlaskGroup(create_app=lambda: app)
    found = []

    def walk(group: click.Group, ctx: click.Context, path: str) -> None:
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            if isinstance(command, click.Group):
                with click.Context(command, parent=ctx, info_name=name) as sub:
                    walk(command, sub, f"{path}{name} ")
            else:
                found.append(f"{path}{name}")

    with click.Context(group, obj=ScriptInfo(create_app=lambda: app)) as ctx:
        walk(group, ctx, "")
    return found


def test_the_readme_is_a_front_door():
    size = len(README.read_bytes())
    assert size <= README_MAX_BYTES, f"README.md is {size} bytes: move the detail to docs/"


def test_the_demo_sign_ins_are_on_the_readmes_first_screen():
    first_screen = "".join(README.read_text().splitlines(keepends=True)[:FIRST_SCREEN_LINES])
    wanted = [f"`{username}`" for username, _name, _role in PEOPLE] + [PASSWORD]
    missing = [text for text in wanted if text not in first_screen]
    assert missing == [], f"Not in README.md's first {FIRST_SCREEN_LINES} lines: {missing}"


def test_every_setting_has_a_row_in_docs_settings():
    text = (DOCS / "settings.md").read_text()
    rows = re.findall(r"^\| `LANTERN_(\w+)` \|", text, re.M)
    headings = re.findall(r"^#+ `?LANTERN_(\w+)`?$", text, re.M)
    missing = [f"LANTERN_{name}" for name in DEFAULTS if name not in {*rows, *headings}]
    assert missing == [], f"Give these a row in docs/settings.md: {missing}"


def test_every_command_is_in_docs_commands(app):
    ours = [c for c in lantern_commands(app) if c.split()[0] not in NOT_OURS]
    assert "users create" in ours and len(ours) >= 10  # the app's commands were found
    documented = set(COMMAND.findall((DOCS / "commands.md").read_text()))
    # `users create --scheme NAME` documents `users create`; `users` alone does not.
    missing = [
        c for c in [*ours, "db upgrade"] if not any(f"{d} ".startswith(f"{c} ") for d in documented)
    ]
    assert missing == [], f"Document these in docs/commands.md as `flask --app wsgi ...`: {missing}"


def test_every_relative_link_leads_to_a_file_and_heading():
    broken = []
    for page in pages():
        for target in LINK.findall(prose(page.read_text())):
            if re.match(r"[a-z]+:", target):
                continue  # https:, mailto: and the like are not checked offline
            file, _hash, fragment = target.partition("#")
            linked = (page.parent / file).resolve() if file else page
            if not linked.is_file():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
            elif fragment and linked.suffix == ".md" and fragment not in anchors(linked):
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    assert broken == [], "Links to nothing:\n  " + "\n  ".join(broken)


def test_every_docs_page_is_linked_from_the_readme():
    targets = LINK.findall(prose(README.read_text()))
    linked = {(ROOT / target.partition("#")[0]).resolve() for target in targets}
    unlinked = [p.name for p in sorted(DOCS.glob("*.md")) if p.resolve() not in linked]
    assert unlinked == [], f"Link these from README.md: {unlinked}"
