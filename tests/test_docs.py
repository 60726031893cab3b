"""The README is a front door and docs/ is the manual: these tests keep both honest.

A setting or a command that is added without its documentation fails here, as
Datasette's tests/test_docs.py does for its settings and plugin hooks.
"""

import re
from pathlib import Path

import click
from flask.cli import FlaskGroup, ScriptInfo

from core.demo import PASSWORD, PEOPLE
from wsgi import DEFAULTS

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
FIRST_SCREEN_LINES = 40

# Listed by `flask --app wsgi --help` but not Lantern's: Flask's own; Flask-Migrate's `db`,
# of which docs/commands.md shows `db upgrade`; Flask-Limiter's `limiter`, which needs an
# extra (flask-limiter[cli]) that Lantern does not install.
NOT_OURS = {"run", "shell", "routes", "db", "limiter"}

# The command path after `flask --app wsgi`: lowercase words, up to an option or argument.
COMMAND = re.compile(r"flask --app wsgi ((?:[a-z][a-z-]*)(?: [a-z][a-z-]*)*)")


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
    shown = {f"{line} " for line in documented}
    missing = [c for c in [*ours, "db upgrade"] if not any(s.startswith(f"{c} ") for s in shown)]
    assert missing == [], f"Document these in docs/commands.md as `flask --app wsgi ...`: {missing}"
