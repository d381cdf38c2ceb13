"""The export store: the reads behind `dateline export` and `dateline network`.

Both work on a selection of articles (a full-text query, the articles naming its entities, a date
range) that is put once into a temporary table, in export order; every table then joins it, so a
selection of a million articles costs no parameter lists and no Python sets. The reads come in
chunks (`fetchmany`): memory stays flat however many rows there are. `snapshot()` holds one read
transaction, so the tables of one export agree with each other while an ingest goes on.

Its temporary tables are named export_*: they live on the connection the other stores share, and
those keep temporary tables of their own (`selected`, `wanted`, …) with other columns.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date

from .database import Table, _between, _selection, _where

CHUNK = 2000  # rows a read hands over at once

# The rows of each exported table, in the order of export.COLUMNS. Lists come as JSON text
# (aliases, roles, outlets) or as a space-separated string (the days a sentence refers to).
_TABLES = {
    "articles": (
        "SELECT a.id, a.external_id, a.path, a.line, a.url, a.source, a.title, a.language, a.published, "
        "a.published_source, a.modified, a.duplicate_of, a.story, a.text "
        "FROM temp.export_selection s JOIN articles a ON a.id = s.id ORDER BY s.seq"
    ),
    # sentences: their text is sliced from their article's in Python (`_sentences`): substr() reads the
    # whole text of the article again for every one of its sentences.
    "sentences": (
        "SELECT t.article, t.position, t.start, t.end, "
        "(SELECT group_concat(d.day, ' ') FROM sentence_dates d WHERE d.article = t.article AND d.position = t.position) "
        "FROM temp.export_selection s JOIN sentences t ON t.article = s.id ORDER BY s.seq, t.position"
    ),
    "entities": (
        "WITH named AS (SELECT m.entity AS key, count(*) AS mentions, count(DISTINCT m.article) AS articles "
        "FROM temp.export_selection s JOIN mentions m ON m.article = s.id GROUP BY m.entity "
        "UNION ALL SELECT q.speaker_key, 0, 0 FROM temp.export_selection s JOIN quotes q ON q.article = s.id "
        "WHERE q.speaker_key IS NOT NULL), "
        "counted AS (SELECT key, sum(mentions) AS mentions, sum(articles) AS articles FROM named GROUP BY key) "
        "SELECT e.key, e.name, e.type, e.aliases, e.roles, c.mentions, c.articles "
        "FROM counted c JOIN entities e ON e.key = c.key ORDER BY c.articles DESC, c.mentions DESC, e.key"
    ),
    "mentions": (
        "SELECT m.article, m.sentence, m.start, m.end, m.entity, m.text "
        "FROM temp.export_selection s JOIN mentions m ON m.article = s.id ORDER BY s.seq, m.start, m.end, m.entity"
    ),
    "quotes": (
        "SELECT q.article, q.position, q.sentence, q.start, q.end, q.kind, q.text, q.speaker_key, q.speaker, "
        "q.speaker_as_written FROM temp.export_selection s JOIN quotes q ON q.article = s.id ORDER BY s.seq, q.position"
    ),
    "stories": (
        "SELECT t.id, json_extract(t.state, '$.label'), t.first, t.last, "
        "json_array_length(t.state, '$.articles'), json_extract(t.state, '$.outlets') FROM stories t "
        "WHERE t.id IN (SELECT a.story FROM temp.export_selection s JOIN articles a ON a.id = s.id) "
        "ORDER BY t.first IS NULL, t.first, t.id"
    ),
    "duplicates": (
        "SELECT d.canonical, d.article, d.kind, d.score "
        "FROM temp.export_selection s JOIN duplicates d ON d.article = s.id ORDER BY s.seq"
    ),
}


class ExportStore(Table):
    """Reads of whole tables for one selection of articles, streamed in chunks."""

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """One read transaction (the tables of an export see the same corpus) that ends with the block."""
        if self.db.in_transaction:
            yield
            return
        self.db.execute("BEGIN")
        try:
            yield
        finally:
            self.db.execute("COMMIT")

    def select(
        self,
        *,
        query: str | None = None,
        named: Sequence[str] = (),
        start: date | None = None,
        end: date | None = None,
        canonical: bool = False,
    ) -> int:
        """Put the selected articles, oldest first, into the temporary table `export_selection`; returns how many.

        `query` and `named` select as the timeline does (full-text matches and the articles naming
        these entities); `start`/`end` bound the publication date; `canonical` leaves copies out."""
        self.db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS export_selection (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE)"
        )
        self.db.execute("DELETE FROM temp.export_selection")
        where, params = _where(
            _selection(query, named, "rowid"),
            *_between("published", start, end),
            ("duplicate_of IS NULL", []) if canonical else None,
        )
        self._select(
            f"INSERT INTO temp.export_selection (id) SELECT id FROM articles{where} "
            "ORDER BY published IS NULL, published, path, line, id",
            params,
            query,
        )
        return self.db.execute("SELECT count(*) FROM temp.export_selection").fetchone()[0]

    def rows(self, table: str, size: int = CHUNK) -> Iterator[list[tuple]]:
        """The selection's rows of one exported table, `size` at a time."""
        if table == "sentences":
            yield from self._sentences(size)
            return
        cursor = self.db.execute(_TABLES[table])
        while chunk := cursor.fetchmany(size):
            yield chunk

    def _sentences(self, size: int) -> Iterator[list[tuple]]:
        """(article, position, start, end, text, days): the spans and the articles' texts read side by
        side, both in export order, so each text is read once."""
        texts = self.db.execute(
            "SELECT s.id, a.text FROM temp.export_selection s JOIN articles a ON a.id = s.id ORDER BY s.seq"
        )
        spans = self.db.execute(_TABLES["sentences"])
        current, text = None, ""
        while chunk := spans.fetchmany(size):
            rows = []
            for article, position, start, end, days in chunk:
                while article != current:
                    current, text = next(texts)
                rows.append((article, position, start, end, text[start:end], days))
            yield rows

    def count(self, table: str) -> int:
        """How many rows `rows(table)` yields (for the tests and the manifest's check)."""
        return self.db.execute(f"SELECT count(*) FROM ({_TABLES[table]})").fetchone()[0]

    # --- the entity network ----------------------------------------------

    def mentions(self, size: int = CHUNK) -> Iterator[list[tuple[str, str | None, int, str]]]:
        """(article, published, sentence, entity) for every mention in the selection, article by article
        and sentence by sentence, `size` at a time. In the order of the mentions' primary key (article,
        start): sentences are consecutive spans, so that groups them without a sort."""
        cursor = self.db.execute(
            "SELECT m.article, a.published, m.sentence, m.entity FROM temp.export_selection s JOIN articles a ON a.id = s.id "
            "JOIN mentions m ON m.article = s.id ORDER BY s.seq, m.start"
        )
        while chunk := cursor.fetchmany(size):
            yield chunk

    def entities(self, keys: Sequence[str]) -> dict[str, tuple[str, str, str]]:
        """{key: (name, type, aliases as JSON)} for these entities."""
        self._keep("export_entities", keys)
        return {
            key: (name, kind, aliases)
            for key, name, kind, aliases in self.db.execute(
                "SELECT key, name, type, aliases FROM entities WHERE key IN (SELECT value FROM temp.export_entities)"
            )
        }

    def sentences(self, places: Sequence[tuple[str, int]]) -> dict[tuple[str, int], tuple]:
        """{(article, position): (text, title, source, url, published)} for these sentences."""
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS export_sentences (article TEXT, position INTEGER)")
        self.db.execute("DELETE FROM temp.export_sentences")
        self.db.executemany("INSERT INTO temp.export_sentences VALUES (?, ?)", list(places))
        rows = self.db.execute(
            "SELECT w.article, w.position, substr(a.text, t.start + 1, t.end - t.start), a.title, a.source, a.url, "
            "a.published FROM temp.export_sentences w JOIN sentences t ON t.article = w.article "
            "AND t.position = w.position JOIN articles a ON a.id = w.article"
        )
        return {(article, position): rest for article, position, *rest in rows}

    def _keep(self, table: str, values: Sequence[str]) -> None:
        """A temporary one-column table holding `values` (a list too long for one IN (...))."""
        self.db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} (value TEXT PRIMARY KEY)")
        self.db.execute(f"DELETE FROM temp.{table}")
        self.db.executemany(f"INSERT OR IGNORE INTO temp.{table} VALUES (?)", [(v,) for v in values])
