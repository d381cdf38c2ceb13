"""The article store: articles, rejects, sentences and the days they refer to, full-text search, pages."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date

from ..models import Article, Reject
from .database import Condition, Table, _among, _between, _chunks, _marks, _selection, _where
from .days import refresh as refresh_days

ARTICLE_COLUMNS = (
    "id",
    "external_id",
    "path",
    "line",
    "url",
    "source",
    "title",
    "language",
    "published",
    "published_source",
    "modified",
    "text",
    "duplicate_of",
    "story",
)


def article_columns(prefix: str = "") -> str:
    """The article columns for a SELECT, each with `prefix` ("a.") when the query joins articles."""
    return ", ".join(prefix + column for column in ARTICLE_COLUMNS)


def article_from_row(row: Sequence) -> Article:
    record = dict(zip(ARTICLE_COLUMNS, row))
    for key in ("published", "modified"):
        if record[key]:
            record[key] = date.fromisoformat(record[key])
    return Article(**record)


def _row(article: Article) -> tuple:
    values = []
    for column in ARTICLE_COLUMNS:
        value = getattr(article, column)
        values.append(value.isoformat() if isinstance(value, date) else value)
    return tuple(values)


class ArticleStore(Table):
    """Articles and rejects as read, the sentences of each article, and the reads over them."""

    # --- writing ---------------------------------------------------------

    def known(self, ids: Iterable[str]) -> set[str]:
        """Which of these article ids are stored already."""
        found: set[str] = set()
        for chunk in _chunks(list(ids)):
            found.update(
                row[0] for row in self.db.execute(f"SELECT id FROM articles WHERE id IN ({_marks(chunk)})", chunk)
            )
        return found

    def write(self, articles: Iterable[Article], rejects: Iterable[Reject]) -> tuple[int, int]:
        """Store one batch in one transaction. Returns (stored, unchanged): an id already present is unchanged."""
        stored = unchanged = 0
        with self.database.transaction():
            for article in articles:
                cursor = self.db.execute(
                    f"INSERT INTO articles ({article_columns()}) "
                    f"VALUES ({_marks(ARTICLE_COLUMNS)}) ON CONFLICT(id) DO NOTHING",
                    _row(article),
                )
                if cursor.rowcount:
                    stored += 1
                else:
                    unchanged += 1
            self.db.executemany(
                "INSERT OR REPLACE INTO rejects (path, line, reason) VALUES (?, ?, ?)",
                [(r.path, r.line or 0, r.reason) for r in rejects],
            )
        return stored, unchanged

    def set_published(self, article_id: str, day: date, provenance: str) -> None:
        self.db.execute(
            "UPDATE articles SET published = ?, published_source = ? WHERE id = ?",
            (day.isoformat(), provenance, article_id),
        )
        refresh_days(self.db, [article_id])

    def write_sentences(
        self, article_id: str, spans: Sequence[tuple[int, int]], days: Sequence[tuple[int, date]]
    ) -> None:
        """An article's sentence spans and the days each refers to (replacing what was there)."""
        self.write_all_sentences([(article_id, spans, days)])

    def write_all_sentences(
        self, written: Sequence[tuple[str, Sequence[tuple[int, int]], Sequence[tuple[int, date]]]]
    ) -> None:
        """`write_sentences` for many articles, in a few statements; the per-day counts follow."""
        ids = [(article_id,) for article_id, _, _ in written]
        self.db.executemany("DELETE FROM sentences WHERE article = ?", ids)
        self.db.executemany("DELETE FROM sentence_dates WHERE article = ?", ids)
        self.db.executemany(
            "INSERT INTO sentences (article, position, start, end) VALUES (?, ?, ?, ?)",
            [(article_id, i, start, end) for article_id, spans, _ in written for i, (start, end) in enumerate(spans)],
        )
        self.db.executemany(
            "INSERT OR IGNORE INTO sentence_dates (article, position, day) VALUES (?, ?, ?)",
            [(article_id, i, day.isoformat()) for article_id, _, days in written for i, day in days],
        )
        refresh_days(self.db, [article_id for article_id, _, _ in written])

    # --- reading ---------------------------------------------------------

    def select(
        self,
        *,
        source: str | None = None,
        start: date | None = None,
        end: date | None = None,
        ids: Iterable[str] | None = None,
    ) -> Iterator[Article]:
        """Stored articles, oldest first (undated last); only those from `source`, published in
        [start, end] or with these `ids` when given."""
        ids = None if ids is None else list(ids)
        where, params = _where(
            ("source = ? COLLATE NOCASE", [source]) if source else None,
            *_between("published", start, end),
            _among("id", ids),
        )
        sql = f"SELECT {article_columns()} FROM articles{where} ORDER BY published IS NULL, published, path, line, id"
        for row in self.db.execute(sql, params):
            yield article_from_row(row)

    def get(self, article_id: str) -> Article | None:
        return next(self.select(ids=[article_id]), None)

    def search(self, query: str, limit: int = 50) -> list[tuple[Article, str, float]]:
        """Full-text search: (article, snippet, score) best first; score is bm25 turned into 0..1 higher-better."""
        sql = (
            f"SELECT {article_columns('a.')}, "
            "snippet(articles_fts, 1, '[', ']', '…', 16), bm25(articles_fts, 5.0, 1.0) AS rank "
            "FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid "
            "WHERE articles_fts MATCH ? ORDER BY rank, a.id LIMIT ?"
        )
        rows = self._select(sql, (query, limit), query)
        n = len(ARTICLE_COLUMNS)
        return [(article_from_row(row[:n]), row[n], round(-row[n + 1] / (1 - row[n + 1]), 4)) for row in rows]

    def match(self, query: str) -> list[str]:
        """Ids of every article the full-text query matches."""
        return [
            row[0]
            for row in self._select(
                "SELECT a.id FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid "
                "WHERE articles_fts MATCH ? ORDER BY a.id",
                (query,),
                query,
            )
        ]

    def rejects(self) -> Iterator[Reject]:
        for path, line, reason in self.db.execute("SELECT path, line, reason FROM rejects ORDER BY path, line"):
            yield Reject(path, line or None, reason)

    def counts(self) -> dict[str, int]:
        articles = self.db.execute("SELECT count(*) FROM articles").fetchone()[0]
        rejects = self.db.execute("SELECT count(*) FROM rejects").fetchone()[0]
        return {"articles": articles, "rejects": rejects}

    def sentences(self, article_id: str) -> list[tuple[int, int, list[date]]]:
        """(start, end, days referred to) for each sentence of an article, in order."""
        return self.all_sentences([article_id]).get(article_id, [])

    def all_sentences(self, article_ids: Sequence[str] | None) -> dict[str, list[tuple[int, int, list[date]]]]:
        """{article: [(start, end, days referred to)]} for the given articles (all when None), in one pass."""
        where = ""
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
            "SELECT article, position, day FROM sentence_dates" + where + " ORDER BY article, position, day"
        ):
            when = parsed.get(day) or parsed.setdefault(day, date.fromisoformat(day))
            days.setdefault((article, position), []).append(when)
        out: dict[str, list[tuple[int, int, list[date]]]] = {}
        for article, position, start, end in self.db.execute(
            "SELECT article, position, start, end FROM sentences" + where + " ORDER BY article, position"
        ):
            out.setdefault(article, []).append((start, end, days.get((article, position), [])))
        return out

    def days_referenced(self, article_id: str) -> list[str]:
        """The days an article's sentences refer to, each once, in order."""
        return [
            row[0]
            for row in self.db.execute(
                "SELECT DISTINCT day FROM sentence_dates WHERE article = ? ORDER BY day", (article_id,)
            )
        ]

    # --- pages and counts (the HTTP API) ---------------------------------------

    def page(
        self,
        *,
        query: str | None = None,
        named: Sequence[str] = (),
        entities: Sequence[str] | None = None,
        source: str | None = None,
        story: str | None = None,
        start: date | None = None,
        end: date | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[list[Article], int]:
        """One page of articles, oldest first, and how many there are in all.

        `query` selects what the full-text index matches plus the articles naming the `named` entities;
        `entities` keeps only articles naming one of those.
        """
        where, params = _where(*_article_conditions(query, named, entities, source, story, start, end))
        total = self._select(f"SELECT count(*) FROM articles{where}", params, query)[0][0]
        # The page's rows are picked by their sort keys alone, then read whole: sorting ten thousand
        # matches with their texts would cost more than the page (on a whole corpus, an index gives the order).
        order = "ORDER BY published IS NULL, published, path, line, id"
        rows = self._select(
            f"SELECT {article_columns()} FROM articles WHERE rowid IN "
            f"(SELECT rowid FROM articles{where} {order} LIMIT ? OFFSET ?) {order}",
            [*params, limit, offset],
            query,
        )
        return [article_from_row(row) for row in rows], total

    def attention(
        self, *, query: str | None = None, named: Sequence[str] = (), start: date | None = None, end: date | None = None
    ) -> list[tuple[str, str | None, int]]:
        """(day, source, articles published) for the selected articles, as `page` selects them."""
        where, params = _where(
            *_article_conditions(query, named, None, None, None, start, end), ("published IS NOT NULL", [])
        )
        return self._select(
            f"SELECT published, source, count(*) FROM articles{where} "
            "GROUP BY published, source ORDER BY published, source",
            params,
            query,
        )


def _article_conditions(
    query: str | None,
    named: Sequence[str],
    entities: Sequence[str] | None,
    source: str | None,
    story: str | None,
    start: date | None,
    end: date | None,
) -> list[Condition]:
    """What `ArticleStore.page` and `attention` filter articles by."""
    return [
        _selection(query, named, "rowid"),
        (f"id IN (SELECT article FROM mentions WHERE entity IN ({_marks(entities)}))", entities)
        if entities is not None
        else None,
        ("source = ? COLLATE NOCASE", [source]) if source else None,
        ("story = ?", [story]) if story else None,
        *_between("published", start, end),
    ]
