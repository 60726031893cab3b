"""record counts kept once per statement on PostgreSQL, not once per record

A sync batch stores hundreds of visits in one statement. Counted row by row, each record
upserts the same few rows of its night again, and PostgreSQL keeps every version of them
until the transaction ends, so each upsert walks further than the last: 10,000 visits in
one transaction took 8.6 s. Counted once per statement (transition tables), each row of
record_count is written once per statement, with the sum of its records.

SQLite has no statement triggers: it keeps its row triggers (c4d5e6f7a8b9), which cost it
little. The counting itself (which fields, codes, nights and schemes) is c4d5e6f7a8b9's,
read from there so that both databases count by the same words.

Revision ID: e8f9a0b1c2d3
Revises: d6e7f8a9b0c1
Create Date: 2026-12-11 10:00:00.000000

"""

import importlib.util
from pathlib import Path

from alembic import op

# revision identifiers, used by Alembic.
revision = "e8f9a0b1c2d3"
down_revision = "d6e7f8a9b0c1"
branch_labels = None
depends_on = None


def _counting():
    """Migration c4d5e6f7a8b9, whose fields, owners and nights this one counts by."""
    path = Path(__file__).with_name("20261209_c4d5e6f7a8b9_record_counts_kept_by_triggers.py")
    spec = importlib.util.spec_from_file_location("record_counts_c4d5e6f7a8b9", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


counting = _counting()

# The columns a count depends on, compared between a row's old and new values (JSON as
# text: json has no equality).
COMPARED = {
    "visit": "venue_id, arrived_at, help::text, services::text, gender, age_band, company,"
    " contact_id",
    "contact": "patrol_id, at, people, gender, age_band, seen::text, given::text,"
    " services::text, handover_venue_id",
}
# One row per key, in key order: concurrent writers lock them in the same order.
GROUPED = " GROUP BY 1, 2, 3, 4 ORDER BY 1, 3, 2, 4"


def changed(kind: str, new: str, old: str) -> str:
    """A row of the statement's `new` transition table whose counted columns differ from
    its `old` one: only those are taken away and added again."""
    columns = [c.strip() for c in COMPARED[kind].split(",")]
    before = ", ".join(f"{old}.{c}" for c in columns)
    after = ", ".join(f"{new}.{c}" for c in columns)
    return (
        f"SELECT {new}.*, {{sign}} AS sign FROM {new} JOIN {old} ON {old}.id = {new}.id"  # noqa: S608
        f" WHERE ({before}) IS DISTINCT FROM ({after})"
    )


def signed(kind: str, event: str) -> str:
    """The statement's rows, each with the sign its counts take: +1 inserted, -1 deleted;
    an update takes away the old counts and adds the new, for the rows it changed."""
    if event == "INSERT":
        return "SELECT new_rows.*, 1 AS sign FROM new_rows"
    if event == "DELETE":
        return "SELECT old_rows.*, -1 AS sign FROM old_rows"
    taken = changed(kind, "old_rows", "new_rows").format(sign=-1)
    added = changed(kind, "new_rows", "old_rows").format(sign=1)
    return f"{taken} UNION ALL {added}"


def count(kind: str, rows: str) -> str:
    """Add every row's counts, summed per scheme, night, field and code."""
    owner, joined, time, people = counting.OWNER[kind]
    fields = " UNION ALL ".join(counting.part("postgresql", "r", f) for f in counting.FIELDS[kind])
    night = counting.night("postgresql", f"r.{time}")
    return (
        "INSERT INTO record_count (scheme_id, night, field, code, records, people)"  # noqa: S608
        f" SELECT owner.scheme_id, {night}, f.field, f.code,"
        f" SUM(r.sign), SUM(r.sign * {people.format(r='r')})"
        f" FROM ({rows}) AS r JOIN {owner} ON {joined.format(r='r')}"
        f" CROSS JOIN LATERAL ({fields}) AS f" + GROUPED + counting.UPSERT
    )


def handovers(rows: str) -> str:
    """Contacts handed over to a venue, and the visits continuing them, in the scheme of
    the venue handed to, by the contact's night."""
    night = counting.night("postgresql", "r.at")
    return (
        "INSERT INTO record_count (scheme_id, night, field, code, records, people)"  # noqa: S608
        f" SELECT owner.scheme_id, {night}, f.field, CAST(r.handover_venue_id AS VARCHAR(64)),"
        " SUM(r.sign * f.n), SUM(r.sign * f.n)"
        f" FROM ({rows}) AS r JOIN venue AS owner ON owner.id = r.handover_venue_id"
        " CROSS JOIN LATERAL (SELECT 'contact.handover' AS field, 1 AS n UNION ALL"
        " SELECT 'contact.handover.visited',"
        " (SELECT COUNT(*) FROM visit WHERE visit.contact_id = r.id)) AS f"
        + GROUPED
        + counting.UPSERT
    )


def continued(rows: str) -> str:
    """Visits continuing a hand-over, counted with the contact they continue."""
    night = counting.night("postgresql", "contact.at")
    return (
        "INSERT INTO record_count (scheme_id, night, field, code, records, people)"  # noqa: S608
        f" SELECT owner.scheme_id, {night}, 'contact.handover.visited',"
        " CAST(contact.handover_venue_id AS VARCHAR(64)), SUM(r.sign), SUM(r.sign)"
        f" FROM ({rows}) AS r JOIN contact ON contact.id = r.contact_id"
        " JOIN venue AS owner ON owner.id = contact.handover_venue_id" + GROUPED + counting.UPSERT
    )


EXTRA = {"visit": continued, "contact": handovers}
EVENTS = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    counting.drop_triggers("postgresql")
    for kind in counting.FIELDS:
        for event, referencing in EVENTS.items():
            name = f"{kind}_counts_{event.lower()}"
            rows = signed(kind, event)
            op.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                f"BEGIN\n  {count(kind, rows)};\n  {EXTRA[kind](rows)};\n"
                "  RETURN NULL;\nEND $$"
            )
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {kind} {referencing}"
                f" FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for kind in counting.FIELDS:
        for event in EVENTS:
            name = f"{kind}_counts_{event.lower()}"
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {kind}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    counting.create_triggers("postgresql")
