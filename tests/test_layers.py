"""The packages stack in one order, and a package imports only what stands below it.

A lower package that must tell a higher one something sends a signal (core.signals).
"""

import ast
import tomllib
from pathlib import Path

import pytest

import wsgi

ROOT = Path(__file__).resolve().parent.parent

# The order, lowest first. A new package takes its place here.
LAYERS = [
    "extensions",
    "core",
    "accounts",
    "lists",  # each scheme's lists that visits and contacts are recorded with
    "havens",
    "patrols",
    "places",  # unsafe-place reports, EVAs, the maps and the public finder
    "alerts",
    "sync",
    "reports",
    "schemes",  # what spans every domain: the home page, the demo, people and devices
    "wsgi",
]

# The one deliberate exception: a hand-over links the data both ways (a contact names
# the venue it was handed to, the visit that follows names the contact), and
# havens.handovers is the one module that reads the higher package's model for it.
EXCEPTIONS = {("havens.handovers", "patrols.models")}


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def type_checking_only(tree: ast.AST) -> set[int]:
    """Ids of the import nodes inside `if TYPE_CHECKING:` blocks: they are read by the type
    checker only (an ORM relationship names a higher package's model, which SQLAlchemy
    finds by name at run time), so they are no dependency."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            skipped |= {id(child) for child in ast.walk(node)}
    return skipped


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Every module this file imports, wherever in it (line, module); relative imports
    are read as absolute ones."""
    tree = ast.parse(path.read_text())
    skipped = type_checking_only(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def upward_imports(root: Path, layers: list[str], exceptions: set) -> list[str]:
    """Imports that run from a package to one above it, as "file:line: a -> b"."""
    rank = {name: i for i, name in enumerate(layers)}
    problems = []
    for name in layers:
        files = [root / f"{name}.py"] if (root / f"{name}.py").exists() else []
        files += sorted((root / name).rglob("*.py")) if (root / name).is_dir() else []
        for path in files:
            source = module_name(path, root)
            for line, target in imports_of(path):
                top = target.split(".")[0]
                if rank.get(top, -1) <= rank[name] or (source, target) in exceptions:
                    continue
                problems.append(f"{path.relative_to(root)}:{line}: {source} -> {target}")
    return problems


def test_no_package_imports_one_above_it():
    problems = upward_imports(ROOT, LAYERS, EXCEPTIONS)
    assert not problems, "a lower package imports a higher one:\n" + "\n".join(problems)


def test_every_package_has_its_place_in_the_order():
    found = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()} - {"tests"}
    found |= {"extensions", "wsgi"}
    assert found == set(LAYERS)


def test_the_type_checker_reads_every_package():
    """A package missing from [tool.mypy]'s files would go unchecked, and nobody would know."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    checked = {name.removesuffix(".py") for name in config["files"]}
    assert checked == set(LAYERS)


def test_the_factory_wires_the_packages_in_the_layers_order():
    wired = [module.__name__.split(".")[0] for module in wsgi.PACKAGES]
    assert wired == sorted(wired, key=LAYERS.index)
    assert set(wired) == set(LAYERS) - {"extensions", "wsgi"}


def test_the_exception_is_still_needed():
    """An exception nobody uses any more is a hole left open: remove it."""
    used = {
        (module_name(path, ROOT), target)
        for source, _target in EXCEPTIONS
        for path in [ROOT / (source.replace(".", "/") + ".py")]
        for _line, target in imports_of(path)
    }
    assert EXCEPTIONS <= used


@pytest.mark.parametrize(
    ("source", "code", "caught"),
    [
        ("core/bad.py", "import havens.models\n", True),
        ("core/bad.py", "def f():\n    from havens import services\n", True),
        ("accounts/bad.py", "from sync.models import Receipt\n", True),
        ("havens/bad.py", "from patrols.models import Contact\n", True),
        ("havens/handovers.py", "from patrols.models import Contact\n", False),
        ("havens/bad.py", "from accounts.models import User\n", False),
        (
            "accounts/bad.py",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from havens import models\n",
            False,
        ),
    ],
)
def test_the_check_catches_an_import_up_the_order(tmp_path, source, code, caught):
    for name in LAYERS:
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
    (tmp_path / source).write_text(code)
    assert bool(upward_imports(tmp_path, LAYERS, EXCEPTIONS)) is caught
