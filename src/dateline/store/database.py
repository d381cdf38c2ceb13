"""The database itself: one SQLite connection, WAL mode, transactions, the schema and its migrations.

The concept stores (articles, duplicates, stories, entities) share this connection; this module
holds what they have in common: the errors, `Table` (what each of them is built on) and the small
helpers that build WHERE clauses from optional conditions, always with parameters.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

# json.loads without building a decoder per call: the story and entity stores parse tens of
# thousands of records a batch.
_loads = json.JSONDecoder().decode

# numpy and dedup are imported by the one migration that needs them, so that a query
# (`dateline timeline`, the API) starts without loading them.

SCHEMA_VERSION = 8

MIGRATIONS: dict[int, str | Callable[[sqlite3.Connection], None]] = {
    1: """
    CREATE TABLE articles (
        id TEXT PRIMARY KEY,
        external_id TEXT NOT NULL,
        path TEXT NOT NULL,
        line INTEGER,
        url TEXT,
        source TEXT,
        title TEXT,
        language TEXT,
        published TEXT,
        published_source TEXT,
        modified TEXT,
        text TEXT NOT NULL,
        duplicate_of TEXT,
        story TEXT
    );
    CREATE INDEX articles_published ON articles(published);
    CREATE INDEX articles_source ON articles(source);
    CREATE INDEX articles_path ON articles(path, line);

    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, text, content='articles', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
    END;
    CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
    END;
    CREATE TRIGGER articles_au AFTER UPDATE OF title, text ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
    END;

    -- A rejected input is keyed by where it is, so rejecting it again changes nothing.
    CREATE TABLE rejects (
        path TEXT NOT NULL,
        line INTEGER NOT NULL DEFAULT 0,
        reason TEXT NOT NULL,
        PRIMARY KEY (path, line)
    );
    """,
    # Duplicate index: LSH band keys, shingle sets for exact verification, and each
    # duplicate's pointer to its canonical (mirrored in articles.duplicate_of).
    2: """
    CREATE TABLE bands (
        key INTEGER NOT NULL,
        article TEXT NOT NULL,
        PRIMARY KEY (key, article)
    ) WITHOUT ROWID;
    CREATE TABLE shingles (
        article TEXT PRIMARY KEY,
        hashes BLOB NOT NULL
    );
    CREATE TABLE duplicates (
        article TEXT PRIMARY KEY,
        canonical TEXT NOT NULL,
        kind TEXT NOT NULL,
        score REAL NOT NULL
    );
    CREATE INDEX duplicates_canonical ON duplicates(canonical);
    """,
    # Stories: each story's state as JSON, indexed by its top terms; document frequencies for IDF.
    3: """
    CREATE TABLE stories (
        id TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        first TEXT,
        last TEXT,
        updated INTEGER NOT NULL
    );
    CREATE INDEX stories_first ON stories(first);
    CREATE TABLE story_terms (
        term TEXT NOT NULL,
        story TEXT NOT NULL,
        PRIMARY KEY (term, story)
    ) WITHOUT ROWID;
    CREATE INDEX story_terms_story ON story_terms(story);
    CREATE TABLE terms (
        term TEXT PRIMARY KEY,
        df INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE counters (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    );
    CREATE INDEX articles_story ON articles(story);
    """,
    # Sentences as spans of the article text, and the days each one refers to ("on June 16").
    4: """
    CREATE TABLE sentences (
        article TEXT NOT NULL,
        position INTEGER NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        PRIMARY KEY (article, position)
    ) WITHOUT ROWID;
    CREATE TABLE sentence_dates (
        article TEXT NOT NULL,
        position INTEGER NOT NULL,
        day TEXT NOT NULL,
        PRIMARY KEY (article, position, day)
    ) WITHOUT ROWID;
    CREATE INDEX sentence_dates_day ON sentence_dates(day);
    """,
    # Entities (corpus-wide, with aliases and roles), where each is named, and who said what.
    5: """
    CREATE TABLE entities (
        key TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        aliases TEXT NOT NULL,
        roles TEXT NOT NULL,
        article_count INTEGER NOT NULL,
        surname TEXT,
        initials TEXT NOT NULL,
        full INTEGER NOT NULL
    );
    CREATE INDEX entities_surname ON entities(type, surname);
    CREATE TABLE mentions (
        article TEXT NOT NULL,
        entity TEXT NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        sentence INTEGER NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (article, start, end, entity)
    ) WITHOUT ROWID;
    CREATE INDEX mentions_entity ON mentions(entity);
    CREATE TABLE quotes (
        article TEXT NOT NULL,
        position INTEGER NOT NULL,
        text TEXT NOT NULL,
        kind TEXT NOT NULL,
        speaker TEXT,
        speaker_as_written TEXT,
        speaker_key TEXT,
        sentence INTEGER NOT NULL,
        sentence_text TEXT NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        PRIMARY KEY (article, position)
    );
    CREATE INDEX quotes_speaker ON quotes(speaker_key);
    CREATE TABLE notes (
        article TEXT PRIMARY KEY,
        note TEXT NOT NULL
    );
    """,
}


def _rekey_bands(db: sqlite3.Connection) -> None:
    """Schema 6: MinHash signatures are taken per hash-range bin now; the stored shingles give the new keys."""
    import numpy as np

    from .. import dedup

    db.execute("DELETE FROM bands")
    for article, hashes in db.execute("SELECT article, hashes FROM shingles").fetchall():
        keys = dedup.band_keys(dedup.signature(np.frombuffer(hashes, dtype=np.uint64)))
        db.executemany("INSERT OR IGNORE INTO bands (key, article) VALUES (?, ?)", [(int(k), article) for k in keys])


MIGRATIONS[6] = _rekey_bands


def _story_members(db: sqlite3.Connection) -> None:
    """Schema 7: stories are re-clustered in windows, from their members' stored features; and a story
    absorbed by another redirects to it. Articles stored before keep their stories as members without
    features (they are listed and dated, never re-clustered)."""
    from .. import cluster

    for statement in _statements(
        """
        CREATE TABLE story_members (
            article TEXT PRIMARY KEY,
            story TEXT NOT NULL,
            seq INTEGER NOT NULL,
            canonical TEXT,
            published TEXT,
            source TEXT,
            title TEXT NOT NULL,
            clue INTEGER,
            vector TEXT NOT NULL
        );
        CREATE INDEX story_members_story ON story_members(story, seq);
        CREATE INDEX story_members_canonical ON story_members(canonical);
        CREATE TABLE story_redirects (
            old TEXT PRIMARY KEY,
            new TEXT NOT NULL
        );
        CREATE INDEX story_redirects_new ON story_redirects(new);
        """
    ):
        db.execute(statement)
    rows = db.execute(
        "SELECT id, story, rowid, duplicate_of, published, published_source, source, title, text FROM articles "
        "WHERE story IS NOT NULL ORDER BY rowid"
    ).fetchall()
    for article, story, rowid, canonical, published, provenance, source, title, text in rows:
        own = published if provenance != "inferred" else None
        clue = cluster.weekday_clue(text or "") if own is None else None
        db.execute(
            "INSERT OR IGNORE INTO story_members VALUES (?, ?, ?, ?, ?, ?, ?, ?, '{}')",
            (article, story, rowid, canonical, own, source, (title or "").strip(), clue),
        )


MIGRATIONS[7] = _story_members


def _days(db: sqlite3.Connection) -> None:
    """Schema 8: what the timeline needs per day, kept as articles are written (see `days`); and the
    articles in listing order, so that a page of a million articles is read, not sorted."""
    from .days import fill

    fill(db)
    db.execute("CREATE INDEX articles_order ON articles(published IS NULL, published, path, line, id)")


MIGRATIONS[8] = _days


class StoreError(Exception):
    """The database cannot be opened or written; the message says which file and why."""


class QueryError(ValueError):
    """A search query the full-text index cannot parse."""


class Database:
    """One SQLite file (or ":memory:"), opened in WAL mode and migrated to `SCHEMA_VERSION`."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA busy_timeout=10000")
            self._migrate()
        except (sqlite3.Error, OSError) as error:
            raise StoreError(f"cannot use database {self.path}: {error}") from None

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path} was written by a newer dateline (schema {version}); upgrade dateline")
        for target in range(version + 1, SCHEMA_VERSION + 1):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                step = MIGRATIONS[target]
                if callable(step):  # a data migration
                    step(self.db)
                else:
                    for statement in _statements(step):
                        self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {int(target)}")
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction: all of it is written, or none of it. Nested uses join the outer one."""
        if self.db.in_transaction:
            yield
            return
        try:
            self.db.execute("BEGIN IMMEDIATE")
            yield
            self.db.execute("COMMIT")
        except BaseException as error:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            if isinstance(error, sqlite3.Error):
                raise StoreError(f"cannot write to database {self.path}: {error}") from None
            raise

    def version(self) -> int:
        """Changes whenever the corpus does: articles are only ever added (a replaced row gets a new
        rowid), and everything derived from them is written in the same transaction."""
        return self.db.execute("SELECT coalesce(max(rowid), 0) FROM articles").fetchone()[0]


class Table:
    """What a concept's store is built on: the database's one connection, and reads that may search."""

    def __init__(self, database: Database):
        self.database = database
        self.db = database.db

    def _select(self, sql: str, params: Sequence, query: str | None) -> list[tuple]:
        """Run a read and fetch its rows; a full-text query the index cannot parse becomes a QueryError."""
        try:
            return self.db.execute(sql, params).fetchall()
        except sqlite3.OperationalError as error:
            if query is None:
                raise
            raise QueryError(f"cannot search for {query!r}: {error}") from None


def _statements(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    statements, current = [], []
    for line in script.splitlines():
        if line.strip().startswith("--") or not line.strip():
            continue
        current.append(line)
        joined = "\n".join(current)
        if sqlite3.complete_statement(joined):
            statements.append(joined)
            current = []
    return statements


def _marks(values: Sequence) -> str:
    """'?,?,…': one placeholder for each of `values`."""
    return ",".join("?" * len(values))


def _chunks(values: Sequence, size: int = 500) -> Iterator[Sequence]:
    """`values` in slices small enough for one IN (...) each."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


Condition = tuple[str, Sequence] | None  # (SQL clause, its parameters); None = no condition


def _where(*conditions: Condition) -> tuple[str, list]:
    """' WHERE c1 AND c2 …' and the parameters in order, from the conditions that are there."""
    kept = [c for c in conditions if c is not None]
    return (" WHERE " + " AND ".join(clause for clause, _ in kept) if kept else ""), [
        value for _, values in kept for value in values
    ]


def _among(column: str, values: Sequence | None) -> Condition:
    """`column` is one of `values`; no condition when they are None."""
    return (f"{column} IN ({_marks(values)})", values) if values is not None else None


def _between(column: str, start: date | None, end: date | None) -> tuple[Condition, Condition]:
    return (
        (f"{column} >= ?", [start.isoformat()]) if start else None,
        (f"{column} <= ?", [end.isoformat()]) if end else None,
    )


def _selection(query: str | None, named: Sequence[str], column: str) -> Condition:
    """`column` is one of the articles a timeline query selects: full-text matches, plus the articles
    naming the `named` entities. A subquery: a common word can match more articles than SQLite takes
    parameters.

    `column` "rowid" is a row of the articles table itself: picked by rowid from the full-text index
    and from the id index, without reading the rows (an id needs its row: 15 s for the 346k articles
    "Obama" matches in a million, against 0.2 s for their rowids)."""
    if query is None:
        return None
    if column == "rowid":
        picked = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
        if named:
            picked += (
                f" UNION SELECT rowid FROM articles WHERE id IN "
                f"(SELECT article FROM mentions WHERE entity IN ({_marks(named)}))"
            )
        return f"rowid IN ({picked})", [query, *named]
    picked = "SELECT a.id FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid WHERE articles_fts MATCH ?"
    if named:
        picked += f" UNION SELECT article FROM mentions WHERE entity IN ({_marks(named)})"
    return f"{column} IN ({picked})", [query, *named]
