"""An export written as a zip of CSV files, one JSON document, or a SQLite file."""

import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

import sqlite_utils

from core.csvfile import csv_text
from reports.exports import TABLES, Export

# Python types sqlite-utils makes each kind of column with.
SQLITE_TYPES = {"integer": int, "number": float}
SUFFIXES = {"csv": ".zip", "json": ".json", "sqlite": ".sqlite"}
MEDIA_TYPES = {
    "csv": "application/zip",
    "json": "application/json",
    "sqlite": "application/x-sqlite3",
}


def write(export: Export, fmt: str) -> bytes:
    """The export in one of FORMATS, as the bytes of one file."""
    return {"csv": csv_zip, "json": json_document, "sqlite": sqlite_file}[fmt](export)


def _cell(value):
    """A value for a CSV cell: lists joined with ';', objects as JSON, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def _csv(columns: list[str], rows: list[dict]) -> str:
    return csv_text([columns, *([_cell(row[name]) for name in columns] for row in rows)])


def csv_zip(export: Export) -> bytes:
    """A zip holding one CSV per table, plus dictionary.csv and about.csv."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("about.csv", _csv(["key", "value"], export.about))
        archive.writestr(
            "dictionary.csv", _csv(["table", "column", "type", "description"], export.dictionary)
        )
        for name, rows in export.tables.items():
            archive.writestr(f"{name}.csv", _csv(export.columns[name], rows))
    return buffer.getvalue()


def json_document(export: Export) -> bytes:
    """One JSON object: about, dictionary, and the tables as lists of objects."""
    document = {
        "about": {row["key"]: row["value"] for row in export.about},
        "dictionary": export.dictionary,
        "tables": export.tables,
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def sqlite_file(export: Export) -> bytes:
    """A SQLite database made with sqlite-utils: the tables, dictionary and about."""
    handle, name = tempfile.mkstemp(suffix=".sqlite")
    os.close(handle)
    path = Path(name)
    try:
        path.unlink()  # sqlite-utils makes the file itself
        database = sqlite_utils.Database(path)
        for table in TABLES:
            columns = {c.name: SQLITE_TYPES.get(c.kind, str) for c in table.columns}
            database.table(table.name).create(columns)
            database.table(table.name).insert_all(export.tables[table.name])
        database.table("dictionary").insert_all(export.dictionary)
        database.table("about").insert_all(export.about)
        database.close()
        return path.read_bytes()
    finally:
        path.unlink(missing_ok=True)
