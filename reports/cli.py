"""`flask --app wsgi export`, `categories`, `retention`, `backup` and `restore`."""

from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from accounts.models import Scheme
from core import backup as backups
from core.csvfile import csv_text
from core.services import audit
from extensions import db
from lists.categories import CATEGORIES
from reports import categories, exports, retention, writers
from reports.periods import quarter

DATE = click.DateTime(formats=["%Y-%m-%d"])
WHAT = {
    "csv": "CSV files in a zip, with dictionary.csv",
    "json": "one JSON document, with a dictionary key",
    "sqlite": "a SQLite file, with a dictionary table",
}


def _scheme_ids(name: str | None) -> list[int]:
    """One named scheme's id, or every scheme's."""
    stmt = select(Scheme.id).order_by(Scheme.id)
    ids = list(db.session.scalars(stmt.filter_by(name=name) if name else stmt))
    if name and not ids:
        raise click.ClickException(f"No scheme called {name!r}.")
    if not ids:
        raise click.ClickException("There are no schemes yet.")
    return ids


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(exports.FORMATS), required=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--from", "date_from", type=DATE, help="First day, in London (YYYY-MM-DD).")
@click.option("--to", "date_to", type=DATE, help="Last day, included (YYYY-MM-DD).")
@click.option("--scheme", "scheme_name", help="Only this scheme; every scheme by default.")
def export(fmt: str, out: Path, date_from, date_to, scheme_name: str | None) -> None:
    """Write every record, with no free text and no names, times to the hour, to OUT."""
    start = date_from.date() if date_from else None
    end = date_to.date() if date_to else None
    if start and end and end < start:
        raise click.ClickException("--to must not be before --from.")
    ids = _scheme_ids(scheme_name)
    period = exports.Period(start, end)
    data = exports.build(ids, period)
    try:
        out.write_bytes(writers.write(data, fmt))
    except OSError as error:
        raise click.ClickException(f"Could not write {out}: {error.strerror}") from error
    exports.record(data, ids, fmt, period)
    db.session.commit()
    counts = ", ".join(f"{n} {name}" for name, n in data.counts().items())
    click.echo(f"Wrote {WHAT[fmt]} to {out}: {counts}.")
    click.echo("Times are London time (GMT or BST), rounded down to the hour.")


@click.command("categories")
@click.option("--year", type=int, required=True)
@click.option("--quarter", "number", type=click.IntRange(1, 4), required=True)
def categories_command(year: int, number: int) -> None:
    """Print a quarter's help and services by standard category, for every scheme and in
    all, as CSV, with small numbers hidden as partners see them."""
    ids = _scheme_ids(None)
    names = dict(db.session.execute(select(Scheme.id, Scheme.name)).tuples().all())
    lines: list[list[object]] = [["list", "category", "label", *(names[s] for s in ids), "all"]]
    small = max(1, int(current_app.config["SMALL_COUNT_MAX"]))
    for row in categories.rows(ids, quarter(year, number), small):
        label = str(CATEGORIES[row.category])
        lines.append([row.list_name, row.category, label, *(cell.raw for cell in row.cells)])
    click.echo(csv_text(lines), nl=False)


@click.command("retention")
@click.option("--apply", "do_it", is_flag=True, help="Do it; without this, only show it.")
def retention_command(do_it: bool) -> None:
    """Show, or with --apply do, what the retention periods say: blank old notes, and
    fold old records into monthly counts and delete them."""
    result = retention.apply() if do_it else retention.plan()
    ids = _scheme_ids(None)
    retention.record(result, ids, applied=do_it)
    db.session.commit()
    names = dict(db.session.execute(select(Scheme.id, Scheme.name)).tuples().all())
    for line in retention_report(result, names, do_it):
        click.echo(line)


def retention_report(result: retention.Plan, names: dict[int, str], applied: bool) -> list[str]:
    """The lines the retention command prints."""
    config = current_app.config
    summary = result.summary()
    lines = [
        "Retention: done."
        if applied
        else "Retention: a dry run. Nothing was changed; "
        "run `flask --app wsgi retention --apply` to do this.",
        f"Notes of records from before {summary['notes_before']} (London; "
        f"NOTE_RETENTION_MONTHS={config['NOTE_RETENTION_MONTHS']}) are blanked, "
        "in every earlier version too.",
        f"Records from before {summary['records_before']} (London; "
        f"RECORD_RETENTION_MONTHS={config['RECORD_RETENTION_MONTHS']}) are folded into "
        "monthly counts and deleted.",
    ]
    verb = "" if applied else " (would be)"
    for scheme_id, mine in summary["schemes"].items():
        lines += ["", f"Scheme {names.get(scheme_id, scheme_id)}:"]
        lines.append(
            f"  month    notes blanked{verb}: visits contacts patrols | "
            f"folded and deleted{verb}: visits contacts patrols"
        )
        for month, n in mine["months"].items():
            notes = [n.get(f"{k}_notes", 0) for k in retention.KINDS]
            gone = [n.get(f"{k}s", 0) for k in retention.KINDS]
            lines.append(
                f"  {month}  {notes[0]:>8} {notes[1]:>8} {notes[2]:>7} | "
                f"{gone[0]:>8} {gone[1]:>8} {gone[2]:>7}"
            )
        t = mine["totals"]
        lines.append(
            f"  With them{verb} deleted: {t.get('revisions', 0)} earlier versions, "
            f"{t.get('receipts', 0)} sync receipts, {t.get('conflicts', 0)} sync conflicts. "
            f"Note text removed from {t.get('note_versions', 0)} earlier versions and "
            f"{t.get('note_conflicts', 0)} sync conflicts."
        )
        if t.get("reporter_emails"):
            lines.append(
                f"  Reporters' emails forgotten{verb}: {t['reporter_emails']} "
                "(unsafe-place reports older than the note period; the reports stay)."
            )
        held = [t.get(f"held_{k}s", 0) for k in retention.KINDS]
        if any(held):
            lines.append(
                f"  Kept until a linked record is due too: {held[0]} visits, {held[1]} contacts, "
                f"{held[2]} patrols (hand-overs and patrols stay whole)."
            )
    if not summary["schemes"]:
        lines += ["", "Nothing is due."]
    return lines


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Copy the running SQLite database to PATH, consistently, while it is in use."""
    url = db.engine.url
    try:
        source = backups.sqlite_path(url)
        if source is None:
            click.echo(
                "This database is PostgreSQL: back it up with pg_dump, for example", err=True
            )
            click.echo(f"  {backups.pg_dump_command(url, path)}", err=True)
            raise click.exceptions.Exit(1)
        tables = backups.backup(source, path, current_app.config["SQLITE_BUSY_TIMEOUT_MS"])
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up {source} to {path}: {len(tables)} tables, integrity check ok.")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(path: Path, yes: bool) -> None:
    """Replace the SQLite database with the backup at PATH. Stop the app first."""
    url = db.engine.url
    try:
        target = backups.sqlite_path(url)
        if target is None:
            click.echo(
                "This database is PostgreSQL: restore it with pg_restore, for example", err=True
            )
            click.echo(f"  {backups.pg_restore_command(url, path)}", err=True)
            raise click.exceptions.Exit(1)
        if not yes:
            click.confirm(
                f"Every record in {target} will be replaced by those in {path}. "
                "Is the app stopped, and do you want to go on?",
                abort=True,
            )
        db.session.remove()
        db.engine.dispose()  # no pooled connection may hold the old database open
        backups.restore(path, target, current_app.config["SQLITE_BUSY_TIMEOUT_MS"])
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from error
    for scheme_id in db.session.scalars(select(Scheme.id)):
        audit("database_restored", scheme_id=scheme_id, actor=None, backup=path.name)
    db.session.commit()
    click.echo(f"Restored {target} from {path}.")
    click.echo("Now run `flask --app wsgi db upgrade`, in case the backup is older than this code.")
