"""The day store: what the timeline needs per day, kept as articles are written.

A timeline ranks days by how many distinct articles were published on them and how many name
them (looking back, ahead, or the same day), then reads sentences for the chosen days only. So
that this costs the same on two thousand articles or a million, the store keeps:

- `article_days`: for each canonical article (duplicates are folded into theirs), a row for the
  day it was published and one per day its sentences name, with its relation to that day, its
  outlet and how many of its sentences back the day;
- `days`: those rows summed per day, by triggers on `article_days` (the whole-corpus timeline
  reads this table and nothing else to rank days).

`refresh` rewrites an article's rows whenever what they depend on changes: its sentences, its
date, whether it is a duplicate. A selection (the articles a query picks) is a temporary table
of canonical ids; the per-day counts of a selection are summed from its `article_days` rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from .database import Table, _chunks, _marks

# article_days.kind: how the article stands to the day (timeline.DATE_FEATURES counts each).
PUBLISHED, LATER, EARLIER, SAME = 0, 1, 2, 3

SCHEMA = """
CREATE TABLE article_days (
    article TEXT NOT NULL,
    day TEXT NOT NULL,
    kind INTEGER NOT NULL,
    source TEXT,
    sentences INTEGER NOT NULL,
    PRIMARY KEY (article, day, kind)
) WITHOUT ROWID;
CREATE INDEX article_days_day ON article_days(day, kind);
CREATE TABLE days (
    day TEXT PRIMARY KEY,
    published INTEGER NOT NULL,
    later INTEGER NOT NULL,
    earlier INTEGER NOT NULL,
    same INTEGER NOT NULL,
    sentences INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER article_days_ai AFTER INSERT ON article_days BEGIN
    INSERT INTO days (day, published, later, earlier, same, sentences)
    VALUES (new.day, new.kind = 0, new.kind = 1, new.kind = 2, new.kind = 3, new.sentences)
    ON CONFLICT(day) DO UPDATE SET published = published + (new.kind = 0), later = later + (new.kind = 1),
        earlier = earlier + (new.kind = 2), same = same + (new.kind = 3), sentences = sentences + new.sentences;
END;
CREATE TRIGGER article_days_ad AFTER DELETE ON article_days BEGIN
    UPDATE days SET published = published - (old.kind = 0), later = later - (old.kind = 1),
        earlier = earlier - (old.kind = 2), same = same - (old.kind = 3), sentences = sentences - old.sentences
    WHERE day = old.day;
END;
"""

# An article's rows, from its stored date, sentences and the days they name. `{where}` picks the articles.
_PUBLISHED_ROWS = (
    "INSERT INTO article_days (article, day, kind, source, sentences) "
    "SELECT a.id, a.published, 0, a.source, count(*) FROM articles a JOIN sentences s ON s.article = a.id "
    "WHERE a.duplicate_of IS NULL AND a.published IS NOT NULL{where} GROUP BY a.id"
)
_NAMED_ROWS = (
    "INSERT INTO article_days (article, day, kind, source, sentences) "
    "SELECT a.id, d.day, CASE WHEN a.published IS NULL OR a.published = d.day THEN 3 "
    "WHEN a.published > d.day THEN 1 ELSE 2 END, a.source, count(*) "
    "FROM sentence_dates d JOIN articles a ON a.id = d.article "
    "JOIN sentences s ON s.article = d.article AND s.position = d.position "
    "WHERE a.duplicate_of IS NULL{where} GROUP BY d.article, d.day"
)


def fill(db: sqlite3.Connection) -> None:
    """Schema 8: the per-day tables, filled from what is stored."""
    from .database import _statements

    for statement in _statements(SCHEMA):
        db.execute(statement)
    db.execute(_PUBLISHED_ROWS.format(where=""))
    db.execute(_NAMED_ROWS.format(where=""))


def refresh(db: sqlite3.Connection, article_ids: Sequence[str]) -> None:
    """Rewrite these articles' rows from what is stored now (the triggers keep `days` in step)."""
    for chunk in _chunks(list(dict.fromkeys(article_ids))):
        marks = _marks(chunk)
        db.execute(f"DELETE FROM article_days WHERE article IN ({marks})", chunk)
        db.execute(_PUBLISHED_ROWS.format(where=f" AND a.id IN ({marks})"), chunk)
        db.execute(_NAMED_ROWS.format(where=f" AND a.id IN ({marks})"), chunk)


class Selection:
    """The canonical articles a timeline query picks, in a temporary table (None in SQL = all)."""

    SMALL = 2000  # a selection this small is read article by article, not day by day

    def __init__(self, size: int):
        self.size = size

    @property
    def empty(self) -> bool:
        return self.size == 0

    @property
    def small(self) -> bool:
        return self.size <= self.SMALL


# A day's counts as the timeline ranks them (`timeline.DayRow`), one row of an int64 array per day, in
# day order: (day as a proleptic ordinal, published, referring, later, earlier, same, sources,
# sentences). An article stands in one relation to a day, so referring = later + earlier + same;
# `sentences` bounds the distinct sentence texts backing the day from above. An array, not tuples:
# a million articles name hundreds of thousands of days.
_ORDINAL = "CAST(julianday(day) - 1721424.5 AS INTEGER)"  # date.toordinal(), in SQL


class DayStore(Table):
    """Per-day counts for the timeline, of the whole corpus or of a selection, and the sentences of chosen days."""

    @contextmanager
    def selection(
        self,
        query: str | None,
        named: Sequence[str],
        start: date | None = None,
        end: date | None = None,
        lag: int = 0,
    ) -> Iterator[Selection | None]:
        """The canonical articles `query` selects (full-text matches and the articles naming `named`,
        duplicates replaced by their canonical), for the reads below; None when there is no query.

        With [start, end], only those with a day in [start - 1, end + max(1, lag)]: the others give the
        timeline nothing (no count in range, no sentence naming a day in it, no lead of a day in it),
        and a query common across a million articles then costs what its matches in range cost."""
        if query is None:
            yield None
            return
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS timeline_selected (id TEXT PRIMARY KEY) WITHOUT ROWID")
        self.db.execute("DELETE FROM temp.timeline_selected")
        # What `_selection` picks, by rowid from the full-text index (no second look-up by id per match).
        picks = [("rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)", [query])]
        if named:
            picks.append((f"id IN (SELECT article FROM mentions WHERE entity IN ({_marks(named)}))", list(named)))
        within, bounds = "", []
        if start is not None or end is not None:
            low = (start - timedelta(days=1)).isoformat() if start else None
            high = (end + timedelta(days=max(1, lag))).isoformat() if end else None
            span, bounds = _span("day", low, high)
            within = f" AND coalesce(duplicate_of, id) IN (SELECT article FROM article_days WHERE 1{span})"
        sql = "INSERT OR IGNORE INTO temp.timeline_selected (id) " + " UNION ".join(
            f"SELECT coalesce(duplicate_of, id) FROM articles WHERE {clause}{within}" for clause, _ in picks
        )
        params = [value for _, values in picks for value in [*values, *bounds]]
        try:
            self.db.execute(sql, params)
        except sqlite3.OperationalError as error:
            from .database import QueryError

            raise QueryError(f"cannot search for {query!r}: {error}") from None
        size = self.db.execute("SELECT count(*) FROM temp.timeline_selected").fetchone()[0]
        try:
            yield Selection(size)
        finally:
            self.db.execute("DELETE FROM temp.timeline_selected")

    def counts(self, selection: Selection | None, start: date | None, end: date | None, sources: bool) -> Any:
        """Each day with evidence in [start - 1, end + 1] (a day's neighbours count too), as the
        array above. `sources` (outlets naming the day) is counted only when asked: it costs a pass
        over the rows."""
        import numpy as np  # here: opening a database does not load it

        low = (start - timedelta(days=1)).isoformat() if start else None
        high = (end + timedelta(days=1)).isoformat() if end else None
        span, params = _span("day", low, high)
        if selection is None:
            rows = self.db.execute(
                f"SELECT {_ORDINAL}, published, later + earlier + same, later, earlier, same, 0, sentences FROM days "
                f"WHERE published + later + earlier + same > 0{span} ORDER BY day",
                params,
            ).fetchall()
        else:
            rows = self._selected_counts(span, params)
        table = np.array(rows, dtype=np.int64).reshape(-1, 8)
        if sources:
            named = self._sources(selection, span, params)
            table[:, 6] = [named.get(day, 0) for day in table[:, 0].tolist()]
        return table

    def _selected_counts(self, span: str, params: list) -> list[tuple[int, ...]]:
        out: dict[int, list[int]] = {}
        for day, kind, articles, sentences in self.db.execute(
            f"SELECT {_ORDINAL}, kind, count(*), sum(sentences) FROM article_days "
            f"WHERE article IN (SELECT id FROM temp.timeline_selected){span} GROUP BY day, kind ORDER BY day",
            params,
        ):
            row = out.setdefault(day, [0, 0, 0, 0, 0])
            row[kind] += articles
            row[4] += sentences
        return [
            (day, pub, later + earlier + same, later, earlier, same, 0, sentences)
            for day, (pub, later, earlier, same, sentences) in out.items()
        ]

    def _sources(self, selection: Selection | None, span: str, params: list) -> dict[int, int]:
        picked = " AND article IN (SELECT id FROM temp.timeline_selected)" if selection is not None else ""
        return dict(
            self.db.execute(
                f"SELECT {_ORDINAL}, count(DISTINCT coalesce(nullif(source, ''), article)) FROM article_days "
                f"WHERE kind != 0{picked}{span} GROUP BY day",
                params,
            )
        )

    def supported(self, day: date, selection: Selection | None, enough: int) -> bool:
        """Whether at least `enough` distinct sentence texts back `day`: the sentences of the articles
        published on it and those naming it (the `sentences` count is only an upper bound)."""
        picked = " AND t.article IN (SELECT id FROM temp.timeline_selected)" if selection is not None else ""
        texts: set[str] = set()
        for (text,) in self.db.execute(
            "SELECT substr(a.text, s.start + 1, s.end - s.start) FROM article_days t "
            "JOIN articles a ON a.id = t.article JOIN sentences s ON s.article = t.article "
            f"WHERE t.day = ? AND t.kind = 0{picked} "
            "UNION ALL "
            "SELECT substr(a.text, s.start + 1, s.end - s.start) FROM article_days t "
            "JOIN sentence_dates d ON d.article = t.article AND d.day = t.day "
            "JOIN sentences s ON s.article = d.article AND s.position = d.position "
            f"JOIN articles a ON a.id = t.article WHERE t.day = ? AND t.kind != 0{picked}",
            (day.isoformat(), day.isoformat()),
        ):
            texts.add(text)
            if len(texts) >= enough:
                return True
        return False

    def sentences(
        self, days: Iterable[date], selection: Selection | None, lead: int, lag: int
    ) -> list[tuple[tuple, int, str, list[date]]]:
        """The candidate sentences of the chosen `days`: those naming one of them, and the first `lead`
        sentences naming no day of the articles published on them or up to `lag` days later.
        Returns (article row, position, text, the chosen days it names) in the order a timeline over
        all sentences would meet them: articles oldest first (as `ArticleStore.select`), then position.
        The article row: id, source, url, title, published, story, path, line."""
        wanted = sorted({d.isoformat() for d in days})
        if not wanted:
            return []
        published = sorted(
            {(date.fromisoformat(d) + timedelta(days=later)).isoformat() for d in wanted for later in range(lag + 1)}
        )
        picked = " AND a.id IN (SELECT id FROM temp.timeline_selected)" if selection is not None else ""
        # A small selection is read from its articles; otherwise from the days (their index), whose
        # rows across the whole corpus may outnumber a small selection's by far.
        naming, leading = "sentence_dates d JOIN articles a", "articles a"
        if selection is not None and selection.small:
            naming = "temp.timeline_selected t CROSS JOIN sentence_dates d ON d.article = t.id JOIN articles a"
            leading = "temp.timeline_selected t CROSS JOIN articles a ON a.id = t.id"
        found: dict[tuple[str, int], tuple[int, int, list[date]]] = {}  # (article, position) → span, days
        for chunk in _chunks(wanted):
            for article, position, start, end, day in self.db.execute(
                f"SELECT d.article, d.position, s.start, s.end, d.day FROM {naming} ON a.id = d.article "
                "JOIN sentences s ON s.article = d.article AND s.position = d.position "
                f"WHERE d.day IN ({_marks(chunk)}) AND a.duplicate_of IS NULL{picked}",
                chunk,
            ):
                found.setdefault((article, position), (start, end, []))[2].append(date.fromisoformat(day))
        for chunk in _chunks(published):
            for article, position, start, end in self.db.execute(
                f"SELECT s.article, s.position, s.start, s.end FROM {leading} JOIN sentences s ON s.article = a.id "
                f"WHERE a.published IN ({_marks(chunk)}) AND a.duplicate_of IS NULL{picked} AND s.position < ? "
                "AND NOT EXISTS (SELECT 1 FROM sentence_dates d WHERE d.article = s.article AND d.position = s.position)",
                [*chunk, lead],
            ):
                found.setdefault((article, position), (start, end, []))
        return self._texts(found)

    def _texts(
        self, found: dict[tuple[str, int], tuple[int, int, list[date]]]
    ) -> list[tuple[tuple, int, str, list[date]]]:
        """The sentences' texts and their articles' rows, in timeline order. Each article is read once
        and its sentences sliced from its text (reading the text again for each sentence costs more)."""
        articles: dict[str, tuple] = {}
        ids = sorted({article for article, _ in found})
        for chunk in _chunks(ids):
            for row in self.db.execute(
                "SELECT id, source, url, title, published, story, path, line, text FROM articles "
                f"WHERE id IN ({_marks(chunk)})",
                chunk,
            ):
                articles[row[0]] = row
        out = []
        for (article, position), (start, end, days) in found.items():
            row = articles.get(article)
            if row is not None:
                out.append((row[:8], position, row[8][start:end], sorted(days)))
        out.sort(key=_timeline_order)
        return out


def _timeline_order(sentence: tuple[tuple, int, str, list[date]]) -> tuple:
    """As `ArticleStore.select` orders articles (published IS NULL, published, path, line, id; SQLite
    puts a NULL line first), then by position."""
    (article, _, _, _, published, _, path, line), position = sentence[0], sentence[1]
    return (published is None, published or "", path, line is not None, line or 0, article, position)


def _span(column: str, low: str | None, high: str | None) -> tuple[str, list]:
    clause, params = "", []
    if low is not None:
        clause, params = clause + f" AND {column} >= ?", [*params, low]
    if high is not None:
        clause, params = clause + f" AND {column} <= ?", [*params, high]
    return clause, params
