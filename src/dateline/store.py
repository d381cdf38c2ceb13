"""The SQLite store: articles, rejects and a full-text index. The only module that speaks SQL.

WAL mode, one transaction per batch, ids that hash origin + raw content: a
killed ingest leaves whole batches behind, and running it again completes it.
"""
from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from .models import Article, EntityRecord, Reject

if TYPE_CHECKING:
    import numpy as np

    from .cluster import StoryState
    from .dedup import Match
    from .extract import Extraction

# numpy, dedup and cluster are imported where the ingest side uses them, so that a query
# (`dateline timeline`, the API) starts without loading them.

SCHEMA_VERSION = 6

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

ENTITY_COLUMNS = "key, name, type, aliases, roles, article_count, surname, initials, full"


def _rekey_bands(db: sqlite3.Connection) -> None:
    """Schema 6: MinHash signatures are taken per hash-range bin now; the stored shingles give the new keys."""
    import numpy as np

    from . import dedup
    db.execute("DELETE FROM bands")
    for article, hashes in db.execute("SELECT article, hashes FROM shingles").fetchall():
        keys = dedup.band_keys(dedup.signature(np.frombuffer(hashes, dtype=np.uint64)))
        db.executemany("INSERT OR IGNORE INTO bands (key, article) VALUES (?, ?)", [(int(k), article) for k in keys])


MIGRATIONS[6] = _rekey_bands

ARTICLE_COLUMNS = ("id", "external_id", "path", "line", "url", "source", "title", "language", "published",
                   "published_source", "modified", "text", "duplicate_of", "story")


class StoreError(Exception):
    """The database cannot be opened or written; the message says which file and why."""


class QueryError(ValueError):
    """A search query the full-text index cannot parse."""


class Store:
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

    # --- writing ---------------------------------------------------------

    def known(self, ids: Iterable[str]) -> set[str]:
        ids = list(ids)
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(row[0] for row in self.db.execute(f"SELECT id FROM articles WHERE id IN ({marks})", chunk))
        return found

    def write(self, articles: Iterable[Article], rejects: Iterable[Reject]) -> tuple[int, int]:
        """Store one batch in one transaction. Returns (stored, unchanged): an id already present is unchanged."""
        stored = unchanged = 0
        with self.transaction():
            for article in articles:
                cursor = self.db.execute(
                    f"INSERT INTO articles ({', '.join(ARTICLE_COLUMNS)}) "
                    f"VALUES ({', '.join('?' * len(ARTICLE_COLUMNS))}) ON CONFLICT(id) DO NOTHING",
                    _row(article))
                if cursor.rowcount:
                    stored += 1
                else:
                    unchanged += 1
            self.db.executemany(
                "INSERT OR REPLACE INTO rejects (path, line, reason) VALUES (?, ?, ?)",
                [(r.path, r.line or 0, r.reason) for r in rejects])
        return stored, unchanged

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

    def set_published(self, article_id: str, day: date, provenance: str) -> None:
        self.db.execute("UPDATE articles SET published = ?, published_source = ? WHERE id = ?",
                        (day.isoformat(), provenance, article_id))

    # --- the duplicate index (dedup.Index) -------------------------------

    def candidates(self, keys: Sequence[int]) -> set[str]:
        keys = [int(key) for key in keys]
        marks = ",".join("?" * len(keys))
        return {row[0] for row in self.db.execute(f"SELECT article FROM bands WHERE key IN ({marks})", keys)}

    def add(self, article_id: str, keys: Sequence[int], shingles: np.ndarray) -> None:
        import numpy as np
        self.db.executemany("INSERT OR IGNORE INTO bands (key, article) VALUES (?, ?)",
                            [(int(key), article_id) for key in keys])
        self.db.execute("INSERT OR REPLACE INTO shingles (article, hashes) VALUES (?, ?)",
                        (article_id, np.ascontiguousarray(shingles, dtype=np.uint64).tobytes()))

    def shared(self, keys: Sequence[int]) -> dict[str, tuple[int, int]]:
        """{candidate: (band keys shared, shingle count)}: lets dedup skip hopeless candidates unverified."""
        keys = [int(key) for key in keys]
        if not keys:
            return {}
        rows = self.db.execute(
            "SELECT b.article, count(*), length(s.hashes) / 8 FROM bands b JOIN shingles s ON s.article = b.article "
            f"WHERE b.key IN ({','.join('?' * len(keys))}) GROUP BY b.article", keys)
        return {article: (count, size) for article, count, size in rows}

    def shingles(self, article_id: str) -> np.ndarray | None:
        import numpy as np
        row = self.db.execute("SELECT hashes FROM shingles WHERE article = ?", (article_id,)).fetchone()
        return np.frombuffer(row[0], dtype=np.uint64) if row else None

    def pointer(self, article_id: str) -> Match | None:
        from .dedup import Match
        row = self.db.execute("SELECT canonical, kind, score FROM duplicates WHERE article = ?",
                              (article_id,)).fetchone()
        return Match(*row) if row else None

    def point(self, article_id: str, match: Match | None) -> None:
        if match is None:
            self.db.execute("DELETE FROM duplicates WHERE article = ?", (article_id,))
        else:
            self.db.execute("INSERT OR REPLACE INTO duplicates (article, canonical, kind, score) VALUES (?, ?, ?, ?)",
                            (article_id, match.canonical, match.kind, match.score))
        self.db.execute("UPDATE articles SET duplicate_of = ? WHERE id = ?",
                        (match.canonical if match else None, article_id))

    def group(self, canonical_id: str) -> list[str]:
        return [row[0] for row in self.db.execute(
            "SELECT article FROM duplicates WHERE canonical = ? ORDER BY article", (canonical_id,))]

    def dupes(self) -> Iterator[tuple[str, list[tuple[str, str, float]]]]:
        """Every canonical with its duplicates as (id, kind, score), canonicals in order of publication."""
        rows = self.db.execute(
            "SELECT d.canonical, d.article, d.kind, d.score FROM duplicates d "
            "JOIN articles a ON a.id = d.canonical "
            "ORDER BY a.published IS NULL, a.published, d.canonical, d.article")
        current, members = None, []
        for canonical, article, kind, score in rows:
            if canonical != current:
                if current is not None:
                    yield current, members
                current, members = canonical, []
            members.append((article, kind, score))
        if current is not None:
            yield current, members

    # --- reading ---------------------------------------------------------

    def articles(self, *, source: str | None = None, start: date | None = None, end: date | None = None,
                 ids: Iterable[str] | None = None) -> Iterator[Article]:
        ids = None if ids is None else list(ids)
        where, params = _where(("source = ? COLLATE NOCASE", [source]) if source else None,
                               *_between("published", start, end),
                               (f"id IN ({','.join('?' * len(ids))})", ids) if ids is not None else None)
        sql = (f"SELECT {', '.join(ARTICLE_COLUMNS)} FROM articles{where} "
               "ORDER BY published IS NULL, published, path, line, id")
        for row in self.db.execute(sql, params):
            yield _article(row)

    def canonicals(self, ids: Iterable[str]) -> list[str]:
        """The articles these are, duplicates replaced by their canonical: sorted, each once."""
        ids = list(ids)
        return [row[0] for row in self.db.execute(
            f"SELECT DISTINCT coalesce(duplicate_of, id) FROM articles WHERE id IN ({','.join('?' * len(ids))}) "
            "ORDER BY 1", ids)]

    def article(self, article_id: str) -> Article | None:
        return next(self.articles(ids=[article_id]), None)

    def search(self, query: str, limit: int = 50) -> list[tuple[Article, str, float]]:
        """Full-text search: (article, snippet, score) best first; score is bm25 turned into 0..1 higher-better."""
        sql = (f"SELECT {', '.join('a.' + c for c in ARTICLE_COLUMNS)}, "
               "snippet(articles_fts, 1, '[', ']', '…', 16), bm25(articles_fts, 5.0, 1.0) AS rank "
               "FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid "
               "WHERE articles_fts MATCH ? ORDER BY rank, a.id LIMIT ?")
        try:
            rows = self.db.execute(sql, (query, limit)).fetchall()
        except sqlite3.OperationalError as error:
            raise QueryError(f"cannot search for {query!r}: {error}") from None
        n = len(ARTICLE_COLUMNS)
        return [(_article(row[:n]), row[n], round(-row[n + 1] / (1 - row[n + 1]), 4)) for row in rows]

    def rejects(self) -> Iterator[Reject]:
        for path, line, reason in self.db.execute("SELECT path, line, reason FROM rejects ORDER BY path, line"):
            yield Reject(path, line or None, reason)

    def counts(self) -> dict[str, int]:
        articles = self.db.execute("SELECT count(*) FROM articles").fetchone()[0]
        rejects = self.db.execute("SELECT count(*) FROM rejects").fetchone()[0]
        return {"articles": articles, "rejects": rejects}

    # --- story state (cluster.State) -------------------------------------

    def active(self, start: date | None, end: date | None, terms: Sequence[str], limit: int) -> list[StoryState]:
        terms = list(terms)
        if not terms:
            return []
        sql = (f"SELECT s.state FROM story_terms t JOIN stories s ON s.id = t.story "
               f"WHERE t.term IN ({','.join('?' * len(terms))})")
        params: list = list(terms)
        if start is not None and end is not None:
            sql += " AND (s.first IS NULL OR (s.first <= ? AND s.last >= ?))"
            params += [end.isoformat(), start.isoformat()]
        sql += " GROUP BY s.id ORDER BY count(*) DESC, s.updated DESC, s.id LIMIT ?"
        params.append(limit)
        return [_story(json.loads(row[0])) for row in self.db.execute(sql, params)]

    def get(self, story: str) -> StoryState | None:
        row = self.db.execute("SELECT state FROM stories WHERE id = ?", (story,)).fetchone()
        return _story(json.loads(row[0])) if row else None

    def save(self, story: StoryState) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO stories (id, state, first, last, updated) VALUES (?, ?, ?, ?, ?)",
            (story.id, json.dumps(story.to_json(), ensure_ascii=False, sort_keys=True),
             story.first.isoformat() if story.first else None,
             story.last.isoformat() if story.last else None, story.updated))
        self.db.execute("DELETE FROM story_terms WHERE story = ?", (story.id,))
        self.db.executemany("INSERT OR IGNORE INTO story_terms (term, story) VALUES (?, ?)",
                            [(term, story.id) for term in story.terms])

    def sequence(self) -> int:
        return self.db.execute("SELECT coalesce(max(updated), 0) FROM stories").fetchone()[0]

    def add_document(self, terms: Iterable[str]) -> None:
        self.db.execute("INSERT INTO counters (name, value) VALUES ('documents', 1) "
                        "ON CONFLICT(name) DO UPDATE SET value = value + 1")
        self.db.executemany("INSERT INTO terms (term, df) VALUES (?, 1) ON CONFLICT(term) DO UPDATE SET df = df + 1",
                            [(term,) for term in set(terms)])

    def document_frequency(self, terms: Iterable[str]) -> tuple[int, dict[str, int]]:
        terms = list(dict.fromkeys(terms))
        found = dict.fromkeys(terms, 0)
        for start in range(0, len(terms), 500):
            chunk = terms[start:start + 500]
            found.update(self.db.execute(
                f"SELECT term, df FROM terms WHERE term IN ({','.join('?' * len(chunk))})", chunk))
        row = self.db.execute("SELECT value FROM counters WHERE name = 'documents'").fetchone()
        return (row[0] if row else 0), found

    def stories(self) -> Iterator[StoryState]:
        """Every story, oldest first (undated last)."""
        for (state,) in self.db.execute("SELECT state FROM stories ORDER BY first IS NULL, first, id"):
            yield _story(json.loads(state))

    # --- sentences and the days they refer to ----------------------------

    def write_sentences(self, article_id: str, spans: Sequence[tuple[int, int]],
                        days: Sequence[tuple[int, date]]) -> None:
        """An article's sentence spans and the days each refers to (replacing what was there)."""
        self.db.execute("DELETE FROM sentences WHERE article = ?", (article_id,))
        self.db.execute("DELETE FROM sentence_dates WHERE article = ?", (article_id,))
        self.db.executemany("INSERT INTO sentences (article, position, start, end) VALUES (?, ?, ?, ?)",
                            [(article_id, i, start, end) for i, (start, end) in enumerate(spans)])
        self.db.executemany("INSERT OR IGNORE INTO sentence_dates (article, position, day) VALUES (?, ?, ?)",
                            [(article_id, i, day.isoformat()) for i, day in days])

    def sentences(self, article_id: str) -> list[tuple[int, int, list[date]]]:
        """(start, end, days referred to) for each sentence of an article, in order."""
        return self.all_sentences([article_id]).get(article_id, [])

    def version(self) -> int:
        """Changes whenever the corpus does: articles are only ever added (a replaced row gets a new
        rowid), and everything derived from them is written in the same transaction."""
        return self.db.execute("SELECT coalesce(max(rowid), 0) FROM articles").fetchone()[0]

    def match(self, query: str) -> list[str]:
        """Ids of every article the full-text query matches."""
        try:
            return [row[0] for row in self.db.execute(
                "SELECT a.id FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid "
                "WHERE articles_fts MATCH ? ORDER BY a.id", (query,))]
        except sqlite3.OperationalError as error:
            raise QueryError(f"cannot search for {query!r}: {error}") from None

    def all_sentences(self, article_ids: Sequence[str] | None) -> dict[str, list[tuple[int, int, list[date]]]]:
        """{article: [(start, end, days referred to)]} for the given articles (all when None), in one pass."""
        where, params = "", []
        if article_ids is not None:
            ids = list(article_ids)
            if not ids:
                return {}
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (id TEXT PRIMARY KEY)")
            self.db.execute("DELETE FROM wanted")
            self.db.executemany("INSERT OR IGNORE INTO wanted (id) VALUES (?)", [(i,) for i in ids])
            where = " WHERE article IN (SELECT id FROM wanted)"
        days: dict[tuple[str, int], list[date]] = {}
        parsed: dict[str, date] = {}  # a corpus names few distinct days, many times each
        for article, position, day in self.db.execute(
                "SELECT article, position, day FROM sentence_dates" + where + " ORDER BY article, position, day"):
            when = parsed.get(day) or parsed.setdefault(day, date.fromisoformat(day))
            days.setdefault((article, position), []).append(when)
        out: dict[str, list[tuple[int, int, list[date]]]] = {}
        for article, position, start, end in self.db.execute(
                "SELECT article, position, start, end FROM sentences" + where + " ORDER BY article, position"):
            out.setdefault(article, []).append((start, end, days.get((article, position), [])))
        return out

    def duplicates_of(self, canonical_ids: Sequence[str] | None) -> dict[str, list[Article]]:
        """{canonical: its duplicate articles} (all canonicals when None)."""
        out: dict[str, list[Article]] = {}
        rows = self.db.execute(
            f"SELECT d.canonical, {', '.join('a.' + c for c in ARTICLE_COLUMNS)} FROM duplicates d "
            "JOIN articles a ON a.id = d.article ORDER BY d.canonical, a.published IS NULL, a.published, a.id")
        wanted = set(canonical_ids) if canonical_ids is not None else None
        for row in rows:
            if wanted is None or row[0] in wanted:
                out.setdefault(row[0], []).append(_article(row[1:]))
        return out

    # --- entities, mentions, quotes ------------------------------------------

    def entity(self, key: str) -> EntityRecord | None:
        return self._entity(self.db.execute(f"SELECT {ENTITY_COLUMNS} FROM entities WHERE key = ?", (key,)).fetchone())

    def save_entity(self, record: EntityRecord) -> None:
        self.db.execute(
            f"INSERT OR REPLACE INTO entities ({ENTITY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (record.key, record.name, record.type, json.dumps(record.aliases, ensure_ascii=False),
             json.dumps(record.roles, ensure_ascii=False), record.article_count, record.surname,
             record.initials, int(record.full)))

    def full_names(self, type: str, surname: str) -> list[EntityRecord]:  # noqa: A002 — the protocol's name
        rows = self.db.execute(f"SELECT {ENTITY_COLUMNS} FROM entities WHERE type = ? AND surname = ? AND full = 1 "
                               "ORDER BY key", (type, surname))
        return [self._entity(row) for row in rows]

    @staticmethod
    def _entity(row: tuple | None) -> EntityRecord | None:
        if row is None:
            return None
        key, name, kind, aliases, roles, count, surname, initials, full = row
        return EntityRecord(key, name, kind, json.loads(aliases), json.loads(roles), count, surname, initials,
                            bool(full))

    def entities(self) -> Iterator[EntityRecord]:
        """Every entity, most-mentioned first."""
        for row in self.db.execute(f"SELECT {ENTITY_COLUMNS} FROM entities ORDER BY article_count DESC, key"):
            yield self._entity(row)

    def entities_named(self, name: str) -> list[EntityRecord]:
        """Entities one of whose aliases (or name) is `name`, or contains it as a word (case-insensitive)."""
        needle = name.strip().casefold()
        if not needle:
            return []
        pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self.db.execute(f"SELECT {ENTITY_COLUMNS} FROM entities WHERE lower(aliases) LIKE ? ESCAPE '\\' "
                               "OR lower(name) LIKE ? ESCAPE '\\' ORDER BY article_count DESC, key",
                               (pattern, pattern))
        found = []
        for record in map(self._entity, rows):
            names = [record.name, *record.aliases]
            if any(re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", n.casefold()) for n in names):
                found.append(record)
        return found

    def write_extraction(self, article_id: str, extraction: Extraction, keys: dict[int, str]) -> None:
        self.db.execute("DELETE FROM mentions WHERE article = ?", (article_id,))
        self.db.execute("DELETE FROM quotes WHERE article = ?", (article_id,))
        self.db.executemany(
            "INSERT OR IGNORE INTO mentions (article, entity, start, end, sentence, text) VALUES (?, ?, ?, ?, ?, ?)",
            [(article_id, keys[m.entity], m.start, m.end, m.sentence, m.text) for m in extraction.mentions])
        self.db.executemany(
            "INSERT INTO quotes (article, position, text, kind, speaker, speaker_as_written, speaker_key, sentence, "
            "sentence_text, start, end) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(article_id, i, q.text, q.kind, q.speaker, q.speaker_as_written, q.speaker_key, q.sentence,
              q.sentence_text, q.start, q.end) for i, q in enumerate(extraction.quotes)])
        if extraction.skipped:
            self.db.execute("INSERT OR REPLACE INTO notes (article, note) VALUES (?, ?)", (article_id, extraction.skipped))

    def quotes(self, speaker_keys: Sequence[str] | None = None) -> Iterator[dict]:
        """Quotes with their article's source and date, oldest first; only these speakers' when given."""
        sql = ("SELECT q.text, q.kind, q.speaker, q.speaker_as_written, q.article, a.source, a.published, "
               "q.sentence_text, q.speaker_key FROM quotes q JOIN articles a ON a.id = q.article")
        params: list = []
        if speaker_keys is not None:
            keys = list(speaker_keys)
            sql += f" WHERE q.speaker_key IN ({','.join('?' * len(keys))})"
            params = keys
        sql += " ORDER BY a.published IS NULL, a.published, q.article, q.position"
        for text, kind, speaker, written, article, source, published, sentence, key in self.db.execute(sql, params):
            yield {"text": text, "kind": kind, "speaker": speaker, "speaker_as_written": written, "article": article,
                   "source": source, "published": published, "sentence": sentence, "speaker_id": key}

    def article_entities(self, article_id: str) -> list[str]:
        return [row[0] for row in self.db.execute(
            "SELECT DISTINCT e.name FROM mentions m JOIN entities e ON e.key = m.entity WHERE m.article = ? "
            "ORDER BY e.name", (article_id,))]

    def article_days(self, article_id: str) -> list[str]:
        return [row[0] for row in self.db.execute(
            "SELECT DISTINCT day FROM sentence_dates WHERE article = ? ORDER BY day", (article_id,))]

    def entity_articles(self, keys: Sequence[str]) -> list[str]:
        keys = list(keys)
        return [row[0] for row in self.db.execute(
            f"SELECT DISTINCT article FROM mentions WHERE entity IN ({','.join('?' * len(keys))}) ORDER BY article",
            keys)]

    # --- pages, counts and one article's details (the HTTP API) --------------

    def article_page(self, *, query: str | None = None, named: Sequence[str] = (),
                     entities: Sequence[str] | None = None, source: str | None = None, story: str | None = None,
                     start: date | None = None, end: date | None = None, offset: int = 0,
                     limit: int = 50) -> tuple[list[Article], int]:
        """One page of articles, oldest first, and how many there are in all.

        `query` selects what the full-text index matches plus the articles naming the `named` entities;
        `entities` keeps only articles naming one of those.
        """
        where, params = _where(*_article_conditions(query, named, entities, source, story, start, end))
        total = self._select(f"SELECT count(*) FROM articles{where}", params, query).fetchone()[0]
        rows = self._select(f"SELECT {', '.join(ARTICLE_COLUMNS)} FROM articles{where} "
                            "ORDER BY published IS NULL, published, path, line, id LIMIT ? OFFSET ?",
                            [*params, limit, offset], query).fetchall()
        return [_article(row) for row in rows], total

    def attention(self, *, query: str | None = None, named: Sequence[str] = (), start: date | None = None,
                  end: date | None = None) -> list[tuple[str, str | None, int]]:
        """(day, source, articles published) for the selected articles, as `article_page` selects them."""
        where, params = _where(*_article_conditions(query, named, None, None, None, start, end),
                               ("published IS NOT NULL", []))
        return self._select(f"SELECT published, source, count(*) FROM articles{where} "
                            "GROUP BY published, source ORDER BY published, source", params, query).fetchall()

    def _select(self, sql: str, params: Sequence, query: str | None) -> sqlite3.Cursor:
        """Run a read; a full-text query the index cannot parse becomes a QueryError."""
        try:
            return self.db.execute(sql, params)
        except sqlite3.OperationalError as error:
            if query is None:
                raise
            raise QueryError(f"cannot search for {query!r}: {error}") from None

    def story_page(self, start: date | None, end: date | None, offset: int = 0,
                   limit: int = 50) -> tuple[list[StoryState], int]:
        """One page of the stories whose [first, last] overlaps [start, end], oldest first, and their number."""
        # Overlap: the story ends on or after `start` and begins on or before `end`.
        clause, params = _where(("last >= ?", [start.isoformat()]) if start else None,
                                ("first <= ?", [end.isoformat()]) if end else None)
        total = self.db.execute(f"SELECT count(*) FROM stories{clause}", params).fetchone()[0]
        rows = self.db.execute(f"SELECT state FROM stories{clause} ORDER BY first IS NULL, first, id "
                               "LIMIT ? OFFSET ?", [*params, limit, offset])
        return [_story(json.loads(row[0])) for row in rows], total

    def quote_page(self, speaker_keys: Sequence[str] | None, start: date | None, end: date | None,
                   offset: int = 0, limit: int = 50, *, query: str | None = None,
                   named: Sequence[str] = ()) -> tuple[list[dict], int]:
        """One page of quotes (these speakers' when given; from the articles `query` selects, as
        `article_page` does, when given), oldest first, and how many there are in all."""
        clause, params = _where(_selection(query, named, "q.article"),
                                (f"q.speaker_key IN ({','.join('?' * len(speaker_keys))})", speaker_keys)
                                if speaker_keys is not None else None,
                                *_between("a.published", start, end))
        joined = "FROM quotes q JOIN articles a ON a.id = q.article" + clause
        total = self._select(f"SELECT count(*) {joined}", params, query).fetchone()[0]
        rows = self._select(
            "SELECT q.text, q.kind, q.speaker, q.speaker_as_written, q.article, a.source, a.published, "
            f"q.sentence_text {joined} ORDER BY a.published IS NULL, a.published, q.article, q.position "
            "LIMIT ? OFFSET ?", [*params, limit, offset], query).fetchall()
        names = ("text", "kind", "speaker", "speaker_as_written", "article", "source", "published", "sentence")
        return [dict(zip(names, row)) for row in rows], total

    def article_quotes(self, article_id: str) -> list[dict]:
        """One article's quotes in the order they appear."""
        rows = self.db.execute("SELECT text, kind, speaker, sentence_text FROM quotes WHERE article = ? "
                               "ORDER BY position", (article_id,))
        return [{"text": text, "kind": kind, "speaker": speaker, "sentence": sentence}
                for text, kind, speaker, sentence in rows]

    def copies(self, canonical_id: str) -> list[tuple[str, str | None, str | None, str, float]]:
        """(id, source, url, kind, score) of each duplicate of one canonical article, oldest first."""
        return self.db.execute(
            "SELECT a.id, a.source, a.url, d.kind, d.score FROM duplicates d JOIN articles a ON a.id = d.article "
            "WHERE d.canonical = ? ORDER BY a.published IS NULL, a.published, a.id", (canonical_id,)).fetchall()

    def entities_starting(self, prefix: str, limit: int) -> list[EntityRecord]:
        """Entities with a word of an alias (or of the name) starting with `prefix`, most-mentioned first."""
        needle = prefix.strip().casefold()
        if not needle:
            return []
        pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        word_start = re.compile(rf"(?<!\w){re.escape(needle)}")
        rows = self.db.execute(f"SELECT {ENTITY_COLUMNS} FROM entities WHERE lower(aliases) LIKE ? ESCAPE '\\' "
                               "OR lower(name) LIKE ? ESCAPE '\\' ORDER BY article_count DESC, key",
                               (pattern, pattern))
        found = []
        for record in map(self._entity, rows):
            if any(word_start.search(n.casefold()) for n in (record.name, *record.aliases)):
                found.append(record)
                if len(found) >= limit:
                    break
        return found


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


def _row(article: Article) -> tuple:
    values = []
    for column in ARTICLE_COLUMNS:
        value = getattr(article, column)
        values.append(value.isoformat() if isinstance(value, date) else value)
    return tuple(values)


def _article(row: tuple) -> Article:
    record = dict(zip(ARTICLE_COLUMNS, row))
    for key in ("published", "modified"):
        if record[key]:
            record[key] = date.fromisoformat(record[key])
    return Article(**record)


class EntityRegistry:
    """`extract.Registry` over a store (the store's own get/save are the story state's)."""

    def __init__(self, store: Store):
        self.store = store

    def get(self, key: str) -> EntityRecord | None:
        return self.store.entity(key)

    def save(self, record: EntityRecord) -> None:
        self.store.save_entity(record)

    def full_names(self, type: str, surname: str) -> list[EntityRecord]:  # noqa: A002 — the protocol's name
        return self.store.full_names(type, surname)


Condition = tuple[str, Sequence] | None  # (SQL clause, its parameters); None = no condition


def _where(*conditions: Condition) -> tuple[str, list]:
    """' WHERE c1 AND c2 …' and the parameters in order, from the conditions that are there."""
    kept = [c for c in conditions if c is not None]
    return (" WHERE " + " AND ".join(clause for clause, _ in kept) if kept else ""), [
        value for _, values in kept for value in values]


def _between(column: str, start: date | None, end: date | None) -> tuple[Condition, Condition]:
    return ((f"{column} >= ?", [start.isoformat()]) if start else None,
            (f"{column} <= ?", [end.isoformat()]) if end else None)


def _selection(query: str | None, named: Sequence[str], column: str) -> Condition:
    """`column` is one of the articles a timeline query selects: full-text matches, plus the articles
    naming the `named` entities. A subquery: a common word can match more articles than SQLite takes
    parameters."""
    if query is None:
        return None
    picked = ("SELECT a.id FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid "
              "WHERE articles_fts MATCH ?")
    if named:
        picked += f" UNION SELECT article FROM mentions WHERE entity IN ({','.join('?' * len(named))})"
    return f"{column} IN ({picked})", [query, *named]


def _article_conditions(query: str | None, named: Sequence[str], entities: Sequence[str] | None,
                        source: str | None, story: str | None, start: date | None,
                        end: date | None) -> list[Condition]:
    """What `article_page` and `attention` filter articles by."""
    return [_selection(query, named, "id"),
            (f"id IN (SELECT article FROM mentions WHERE entity IN ({','.join('?' * len(entities))}))",
             entities) if entities is not None else None,
            ("source = ? COLLATE NOCASE", [source]) if source else None,
            ("story = ?", [story]) if story else None,
            *_between("published", start, end)]


def _story(state: dict) -> StoryState:
    from .cluster import StoryState
    return StoryState.from_json(state)
