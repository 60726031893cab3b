"""record counts by scheme, night, field and code, kept by triggers on visits and contacts

The quarterly report reads these instead of unpacking every record's lists. Each insert,
change or delete of a visit or contact adds its counts to, or takes them from, the rows of
its scheme's night (London, 06:00 to 06:00), whatever wrote it: forms, sync, conflicts,
retention. Existing records are counted here.

SQLite drops a table's triggers with the table: a later migration that rebuilds `visit` or
`contact` in batch mode must create them again (create_triggers below, copied). A record's
scheme is its venue's or its patrol's team's, as it is when the record is written: venues
and teams never move to another scheme.

Revision ID: c4d5e6f7a8b9
Revises: b7c8d9e0f1a2
Create Date: 2026-12-09 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4d5e6f7a8b9"
down_revision = "b7c8d9e0f1a2"
branch_labels = None
depends_on = None

# The night (London date, 06:00 to 06:00) of a stored naive UTC time. SQLite knows no time
# zones: London is on summer time from 01:00 UTC on the last Sunday of March to 01:00 UTC
# on the last Sunday of October (the rule since 1996). PostgreSQL asks its zone database.
SQLITE_NIGHT = (
    "date({t}, CASE WHEN {t} >= date(substr({t}, 1, 4) || '-04-01', 'weekday 0', '-7 days')"
    " || ' 01:00:00' AND {t} < date(substr({t}, 1, 4) || '-11-01', 'weekday 0', '-7 days')"
    " || ' 01:00:00' THEN '-5 hours' ELSE '-6 hours' END)"
)
POSTGRES_NIGHT = (
    "CAST(({t} AT TIME ZONE 'UTC' AT TIME ZONE 'Europe/London') - INTERVAL '6 hours' AS DATE)"
)


def items(dialect: str, column: str) -> str:
    """A FROM item: a JSON list column's items as `item.value` (nothing unless a list)."""
    if dialect == "postgresql":
        return (
            f"json_array_elements_text(CASE WHEN json_typeof({column}) = 'array' "
            f"THEN {column} ELSE '[]'::json END) AS item"
        )
    return f"json_each(CASE WHEN json_type({column}) = 'array' THEN {column} ELSE '[]' END) AS item"


# What a record counts in: (field, its code, the list it comes from, a condition), with
# {r} for the record. A code is never NULL: nothing recorded is ''. A visit counts one
# visit (and one person); a contact counts one contact and its people.
FIELDS = {
    "visit": [
        ("visit.venue", "CAST({r}.venue_id AS VARCHAR(64))", None, None),
        ("visit.gender", "COALESCE({r}.gender, '')", None, None),
        ("visit.age_band", "COALESCE({r}.age_band, '')", None, None),
        ("visit.company", "COALESCE({r}.company, '')", None, None),
        ("visit.alone.gender", "COALESCE({r}.gender, '')", None, "{r}.company = 'alone'"),
        ("visit.help", "item.value", "help", None),
        ("visit.services", "item.value", "services", None),
    ],
    "contact": [
        ("contact.gender", "COALESCE({r}.gender, '')", None, None),
        ("contact.age_band", "COALESCE({r}.age_band, '')", None, None),
        (
            "contact.company",
            "CASE WHEN {r}.people = 1 THEN 'alone' ELSE 'with_others' END",
            None,
            None,
        ),
        ("contact.given", "item.value", "given", None),
        ("contact.services", "item.value", "services", None),
        ("contact.seen", "item.value", "seen", None),
        (
            "contact.vulnerable.gender",
            "COALESCE({r}.gender, '')",
            "seen",
            "item.value = 'vulnerable'",
        ),
    ],
}
# How a record finds its scheme, its night's time and its people.
OWNER = {
    "visit": ("venue AS owner", "owner.id = {r}.venue_id", "arrived_at", "1"),
    "contact": (
        "patrol JOIN team AS owner ON owner.id = patrol.team_id",
        "patrol.id = {r}.patrol_id",
        "at",
        "{r}.people",
    ),
}
# Every stored record with its owner, for counting what is there already.
STORED = {
    "visit": "visit AS r JOIN venue AS owner ON owner.id = r.venue_id",
    "contact": "contact AS r JOIN patrol ON patrol.id = r.patrol_id "
    "JOIN team AS owner ON owner.id = patrol.team_id",
}


def night(dialect: str, time: str) -> str:
    return (POSTGRES_NIGHT if dialect == "postgresql" else SQLITE_NIGHT).format(t=time)


def part(dialect: str, r: str, field: tuple, prefix: str = "", tables: str = "") -> str:
    """One SELECT of the fields' UNION ALL: `prefix` columns first, then field and code."""
    name, code, items_of, condition = field
    sources = [s for s in (tables, items_of and items(dialect, f"{r}.{items_of}")) if s]
    sql = f"SELECT {prefix}'{name}' AS field, {code.format(r=r)} AS code"
    if sources:
        sql += " FROM " + ", ".join(sources)
    if condition:
        sql += f" WHERE {condition.format(r=r)}"
    return sql


UPSERT = (
    " ON CONFLICT (scheme_id, field, night, code) DO UPDATE SET"
    " records = record_count.records + excluded.records,"
    " people = record_count.people + excluded.people"
)


def count(dialect: str, kind: str, r: str, sign: str) -> str:
    """Add (sign 1) or take away (sign -1) one record's counts, in a trigger (r is NEW or
    OLD). PostgreSQL upserts each row once (grouped), in key order, so that concurrent
    writers take their row locks in the same order; SQLite, one writer at a time,
    upserts row by row, which costs it less."""
    owner, joined, time, people = OWNER[kind]
    fields = " UNION ALL ".join(part(dialect, r, f) for f in FIELDS[kind])
    records, grouped = sign, ""
    if dialect == "postgresql":
        records = f"{sign} * COUNT(*)"
        grouped = " GROUP BY owner.scheme_id, n.night, f.field, f.code ORDER BY f.field, f.code"
    return (
        "INSERT INTO record_count (scheme_id, night, field, code, records, people)"  # noqa: S608
        " SELECT owner.scheme_id, n.night, f.field, f.code,"
        f" {records}, {records} * {people.format(r=r)}"
        f" FROM {owner}, (SELECT {night(dialect, f'{r}.{time}')} AS night) AS n,"
        f" ({fields}) AS f WHERE {joined.format(r=r)}{grouped}" + UPSERT
    )


def backfill(dialect: str, kind: str) -> str:
    """Count the records already stored, in one grouped statement."""
    _owner, _joined, time, people = OWNER[kind]
    tables = STORED[kind]
    prefix = f"owner.scheme_id AS scheme_id, {night(dialect, f'r.{time}')} AS night, "
    prefix += f"{people.format(r='r')} AS people, "
    fields = " UNION ALL ".join(part(dialect, "r", f, prefix, tables) for f in FIELDS[kind])
    # Every name and code in these statements is the migration's own.
    return (
        "INSERT INTO record_count (scheme_id, night, field, code, records, people)"  # noqa: S608
        " SELECT scheme_id, night, field, code, COUNT(*), SUM(people)"
        f" FROM ({fields}) AS f GROUP BY scheme_id, night, field, code"
    )


# Hand-overs count in the scheme of the venue handed to, by the contact's night:
# contact.handover (handed over) and contact.handover.visited (a visit continued it).
def handover(dialect: str, r: str, sign: str) -> str:
    """A contact's hand-over, and the visits that continue it, added or taken away."""
    return (
        "INSERT INTO record_count (scheme_id, field, night, code, records, people)"  # noqa: S608
        " SELECT owner.scheme_id, f.field, n.night,"
        f" CAST({r}.handover_venue_id AS VARCHAR(64)), {sign} * f.n, {sign} * f.n"
        f" FROM venue AS owner, (SELECT {night(dialect, f'{r}.at')} AS night) AS n,"
        " (SELECT 'contact.handover' AS field, 1 AS n UNION ALL"
        " SELECT 'contact.handover.visited',"
        f" (SELECT COUNT(*) FROM visit WHERE visit.contact_id = {r}.id)) AS f"
        f" WHERE owner.id = {r}.handover_venue_id ORDER BY f.field" + UPSERT
    )


def continued(dialect: str, r: str, sign: str) -> str:
    """A visit that continues a hand-over, added to or taken from its contact's count."""
    return (
        "INSERT INTO record_count (scheme_id, field, night, code, records, people)"  # noqa: S608
        f" SELECT owner.scheme_id, 'contact.handover.visited', {night(dialect, 'contact.at')},"
        f" CAST(contact.handover_venue_id AS VARCHAR(64)), {sign}, {sign}"
        " FROM contact JOIN venue AS owner ON owner.id = contact.handover_venue_id"
        f" WHERE contact.id = {r}.contact_id" + UPSERT
    )


EXTRA = {"visit": continued, "contact": handover}
HANDOVERS = (
    "INSERT INTO record_count (scheme_id, field, night, code, records, people)"
    " SELECT owner.scheme_id, '{field}', {night}, CAST(c.handover_venue_id AS VARCHAR(64)),"
    " COUNT(*), COUNT(*) FROM contact AS c JOIN venue AS owner ON owner.id = c.handover_venue_id"
    " {visits} GROUP BY 1, 2, 3, 4"
)


# The columns a count depends on: a change to any other (a note blanked) costs nothing.
WATCHED = {
    "visit": "venue_id, arrived_at, help, services, gender, age_band, company, contact_id",
    "contact": "patrol_id, at, people, gender, age_band, seen, given, services, handover_venue_id",
}


def create_triggers(dialect: str) -> None:
    """The triggers that keep record_count in step with visits and contacts."""
    for kind in FIELDS:
        add = f"{count(dialect, kind, 'NEW', '1')}; {EXTRA[kind](dialect, 'NEW', '1')}"
        take = f"{count(dialect, kind, 'OLD', '-1')}; {EXTRA[kind](dialect, 'OLD', '-1')}"
        if dialect == "postgresql":
            op.execute(
                f"CREATE FUNCTION {kind}_counts() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                f"BEGIN\n  IF TG_OP <> 'INSERT' THEN\n    {take};\n  END IF;\n"
                f"  IF TG_OP <> 'DELETE' THEN\n    {add};\n  END IF;\n  RETURN NULL;\nEND $$"
            )
            op.execute(
                f"CREATE TRIGGER {kind}_counts AFTER INSERT OR DELETE OR UPDATE OF "
                f"{WATCHED[kind]} ON {kind} FOR EACH ROW EXECUTE FUNCTION {kind}_counts()"
            )
            continue
        op.execute(f"CREATE TRIGGER {kind}_counts_insert AFTER INSERT ON {kind} BEGIN {add}; END")
        op.execute(f"CREATE TRIGGER {kind}_counts_delete AFTER DELETE ON {kind} BEGIN {take}; END")
        op.execute(
            f"CREATE TRIGGER {kind}_counts_update AFTER UPDATE OF {WATCHED[kind]} ON {kind} "
            f"BEGIN {take}; {add}; END"
        )


def drop_triggers(dialect: str) -> None:
    for kind in FIELDS:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {kind}_counts ON {kind}")
            op.execute(f"DROP FUNCTION IF EXISTS {kind}_counts()")
            continue
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {kind}_counts_{event}")


def upgrade():
    op.create_table(
        "record_count",
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["scheme_id"], ["scheme.id"], name=op.f("fk_record_count_scheme_id_scheme")
        ),
        sa.PrimaryKeyConstraint(
            "scheme_id", "field", "night", "code", name=op.f("pk_record_count")
        ),
    )
    dialect = op.get_bind().dialect.name
    for kind in FIELDS:
        op.execute(backfill(dialect, kind))
    for field, visits in [
        ("contact.handover", ""),
        ("contact.handover.visited", "JOIN visit ON visit.contact_id = c.id"),
    ]:
        op.execute(HANDOVERS.format(field=field, night=night(dialect, "c.at"), visits=visits))
    if dialect == "postgresql":
        op.execute("ANALYZE record_count")  # the planner's statistics for the new rows
    create_triggers(dialect)


def downgrade():
    drop_triggers(op.get_bind().dialect.name)
    op.drop_table("record_count")
