"""The corpus as tables: articles, sentences, entities, mentions, quotes, stories, duplicates.

One file per table in a folder, as Parquet, JSON Lines or CSV, plus `manifest.json` (the schema
version, the selection, each table's file and row count). docs/export.md documents every column;
`SCHEMA` changes whenever a column does. Tables are written chunk by chunk as the store reads them
(Parquet: one row group per chunk), so memory stays flat however large the corpus.

pyarrow is imported only when Parquet is written: the other commands start without it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .store.exports import ExportStore

SCHEMA = 1
FORMATS = ("parquet", "jsonl", "csv")
SUFFIXES = {"parquet": "parquet", "jsonl": "jsonl", "csv": "csv"}

# Column types: text, int, float, date (ISO day), days (a list of ISO days), texts (a list of text).
# The order of each table's columns is the order of the store's rows (store/exports.py).
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "articles": (
        ("id", "text"),
        ("external_id", "text"),
        ("path", "text"),
        ("line", "int"),
        ("url", "text"),
        ("source", "text"),
        ("title", "text"),
        ("language", "text"),
        ("published", "date"),
        ("published_source", "text"),
        ("modified", "date"),
        ("duplicate_of", "text"),
        ("story", "text"),
        ("text", "text"),
    ),
    "sentences": (
        ("article", "text"),
        ("position", "int"),
        ("start", "int"),
        ("end", "int"),
        ("text", "text"),
        ("days", "days"),
    ),
    "entities": (
        ("id", "text"),
        ("name", "text"),
        ("type", "text"),
        ("aliases", "texts"),
        ("roles", "texts"),
        ("mentions", "int"),
        ("articles", "int"),
    ),
    "mentions": (
        ("article", "text"),
        ("sentence", "int"),
        ("start", "int"),
        ("end", "int"),
        ("entity", "text"),
        ("text", "text"),
    ),
    "quotes": (
        ("article", "text"),
        ("position", "int"),
        ("sentence", "int"),
        ("start", "int"),
        ("end", "int"),
        ("kind", "text"),
        ("text", "text"),
        ("speaker", "text"),
        ("speaker_name", "text"),
        ("speaker_as_written", "text"),
    ),
    "stories": (
        ("id", "text"),
        ("label", "text"),
        ("first", "date"),
        ("last", "date"),
        ("articles", "int"),
        ("outlets", "texts"),
    ),
    "duplicates": (
        ("canonical", "text"),
        ("copy", "text"),
        ("kind", "text"),
        ("score", "float"),
    ),
}
TABLES = tuple(COLUMNS)
# Rows read at once: an article carries its whole text, so fewer of them.
DEFAULT_CHUNK = 5000
CHUNKS = {"articles": 200}


@dataclass(slots=True)
class Export:
    """What an export wrote: the folder, the format, each table's file and row count."""

    folder: Path
    format: str
    selection: dict[str, Any]
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)

    def manifest(self) -> dict[str, Any]:
        return {"schema": SCHEMA, "format": self.format, "selection": self.selection, "tables": self.tables}


def export(
    source: ExportStore, folder: Path, fmt: str, selection: dict[str, Any], on_table: Callable | None = None
) -> Export:
    """Write every table of the selection `source` holds (`ExportStore.select` was called) into `folder`.

    `selection` is recorded in the manifest as given (query, from, to). `on_table(name, rows)` is
    called after each table (progress)."""
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt}: choose one of {', '.join(FORMATS)}")
    folder.mkdir(parents=True, exist_ok=True)
    done = Export(folder, fmt, selection)
    for table in TABLES:
        name = f"{table}.{SUFFIXES[fmt]}"
        convert = _values(table)
        chunks = source.rows(table, CHUNKS.get(table, DEFAULT_CHUNK))
        rows = WRITERS[fmt](folder / name, table, (list(map(convert, chunk)) for chunk in chunks))
        done.tables[table] = {"file": name, "rows": rows}
        if on_table:
            on_table(table, rows)
    (folder / "manifest.json").write_text(json.dumps(done.manifest(), indent=1) + "\n", encoding="utf-8")
    return done


def _values(table: str) -> Callable[[tuple], tuple]:
    """A store row turned into the export's values: lists as lists (the other values as they are)."""
    lists = [(i, _LISTS[kind]) for i, (_, kind) in enumerate(COLUMNS[table]) if kind in _LISTS]
    if not lists:
        return tuple

    def convert(row: tuple) -> tuple:
        values = list(row)
        for i, parse in lists:
            values[i] = parse(values[i])
        return tuple(values)

    return convert


_LISTS: dict[str, Callable[[Any], list]] = {
    "texts": lambda value: json.loads(value) if value else [],
    "days": lambda value: sorted(value.split()) if value else [],
}


# --- writers: (path, table, chunks of rows) -> rows written ---------------------------------


def write_jsonl(path: Path, table: str, chunks: Iterable[list[tuple]]) -> int:
    names = [name for name, _ in COLUMNS[table]]
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for chunk in chunks:
            out.writelines(json.dumps(dict(zip(names, row)), ensure_ascii=False) + "\n" for row in chunk)
            count += len(chunk)
    return count


def write_csv(path: Path, table: str, chunks: Iterable[list[tuple]]) -> int:
    """CSV with a header; a list is written as a JSON array, an empty value as an empty cell."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(name for name, _ in COLUMNS[table])
        for chunk in chunks:
            writer.writerows([_csv_cell(value) for value in row] for row in chunk)
            count += len(chunk)
    return count


def _csv_cell(value: object) -> object:
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


def write_parquet(path: Path, table: str, chunks: Iterable[list[tuple]]) -> int:
    """Parquet (zstd); days are Parquet dates, lists are lists.

    Chunks are gathered into row groups of about ROW_GROUP_BYTES: row groups large enough for
    readers to skip and scan well, small enough that memory stays flat. No statistics on the long
    text columns: the writer keeps every row group's min and max until the file is closed, and for
    an article's text those are whole articles."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema(table)
    counted = [name for name, kind in COLUMNS[table] if name not in LONG_TEXT]
    count = 0
    waiting: list = []
    with pq.ParquetWriter(path, schema, compression="zstd", write_statistics=counted) as writer:
        for chunk in chunks:
            columns = list(zip(*chunk))
            arrays = [_arrow(pa, values, field.type) for values, field in zip(columns, schema)]
            waiting.append(pa.RecordBatch.from_arrays(arrays, schema=schema))
            count += len(chunk)
            if sum(batch.nbytes for batch in waiting) >= ROW_GROUP_BYTES:
                _row_group(writer, pa.Table.from_batches(waiting, schema=schema))
                waiting = []
        if waiting:
            _row_group(writer, pa.Table.from_batches(waiting, schema=schema))
    return count


def _row_group(writer, rows) -> None:
    writer.write_table(rows, row_group_size=max(rows.num_rows, 1))


ROW_GROUP_BYTES = 16 * 1024 * 1024
LONG_TEXT = {"text", "title", "url", "path", "label"}  # columns without Parquet statistics


def parquet_schema(table: str):
    """The table's Arrow schema, with the export's schema version in its metadata."""
    import pyarrow as pa

    types = {
        "text": pa.string(),
        "int": pa.int64(),
        "float": pa.float64(),
        "date": pa.date32(),
        "days": pa.list_(pa.date32()),
        "texts": pa.list_(pa.string()),
    }
    fields = [pa.field(name, types[kind]) for name, kind in COLUMNS[table]]
    return pa.schema(fields, metadata={"dateline.schema": str(SCHEMA), "dateline.table": table})


def _arrow(pa, values: tuple, kind):
    """One column of a chunk as an Arrow array; ISO days are cast by Arrow, not parsed one by one."""
    if pa.types.is_date32(kind):
        return pa.array(values, pa.string()).cast(kind)
    if pa.types.is_list(kind) and pa.types.is_date32(kind.value_type):
        return pa.array(values, pa.list_(pa.string())).cast(kind)
    return pa.array(values, kind)


WRITERS: dict[str, Callable[[Path, str, Iterable[list[tuple]]], int]] = {
    "parquet": write_parquet,
    "jsonl": write_jsonl,
    "csv": write_csv,
}


def read_manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def selection(query: str | None, start: date | None, end: date | None) -> dict[str, Any]:
    """The selection as the manifest records it."""
    return {"query": query, "from": start.isoformat() if start else None, "to": end.isoformat() if end else None}


__all__ = ["COLUMNS", "FORMATS", "SCHEMA", "TABLES", "Export", "export", "read_manifest", "selection"]
