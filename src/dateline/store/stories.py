"""The story store: the story state (`cluster.State`) and the reads over stories."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING

from .database import Table, _chunks, _marks, _where

if TYPE_CHECKING:
    from ..cluster import StoryState

# cluster is imported where a story is read, so that opening a database does not load it.


def _story(state: str) -> StoryState:
    from ..cluster import StoryState

    return StoryState.from_json(json.loads(state))


class StoryStore(Table):
    """Each story's state as JSON, indexed by its top terms, and the document frequencies for IDF.
    The in-memory double is `cluster.MemoryState`."""

    # --- story state (cluster.State) -------------------------------------

    def active(self, start: date | None, end: date | None, terms: Sequence[str], limit: int) -> list[StoryState]:
        terms = list(terms)
        if not terms:
            return []
        sql = f"SELECT s.state FROM story_terms t JOIN stories s ON s.id = t.story WHERE t.term IN ({_marks(terms)})"
        params: list = list(terms)
        if start is not None and end is not None:
            sql += " AND (s.first IS NULL OR (s.first <= ? AND s.last >= ?))"
            params += [end.isoformat(), start.isoformat()]
        sql += " GROUP BY s.id ORDER BY count(*) DESC, s.updated DESC, s.id LIMIT ?"
        params.append(limit)
        return [_story(row[0]) for row in self.db.execute(sql, params)]

    def get(self, story: str) -> StoryState | None:
        row = self.db.execute("SELECT state FROM stories WHERE id = ?", (story,)).fetchone()
        return _story(row[0]) if row else None

    def save(self, story: StoryState) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO stories (id, state, first, last, updated) VALUES (?, ?, ?, ?, ?)",
            (
                story.id,
                json.dumps(story.to_json(), ensure_ascii=False, sort_keys=True),
                story.first.isoformat() if story.first else None,
                story.last.isoformat() if story.last else None,
                story.updated,
            ),
        )
        self.db.execute("DELETE FROM story_terms WHERE story = ?", (story.id,))
        self.db.executemany(
            "INSERT OR IGNORE INTO story_terms (term, story) VALUES (?, ?)", [(term, story.id) for term in story.terms]
        )

    def sequence(self) -> int:
        return self.db.execute("SELECT coalesce(max(updated), 0) FROM stories").fetchone()[0]

    def add_document(self, terms: Iterable[str]) -> None:
        self.db.execute(
            "INSERT INTO counters (name, value) VALUES ('documents', 1) "
            "ON CONFLICT(name) DO UPDATE SET value = value + 1"
        )
        self.db.executemany(
            "INSERT INTO terms (term, df) VALUES (?, 1) ON CONFLICT(term) DO UPDATE SET df = df + 1",
            [(term,) for term in set(terms)],
        )

    def document_frequency(self, terms: Iterable[str]) -> tuple[int, dict[str, int]]:
        terms = list(dict.fromkeys(terms))
        found = dict.fromkeys(terms, 0)
        for chunk in _chunks(terms):
            found.update(self.db.execute(f"SELECT term, df FROM terms WHERE term IN ({_marks(chunk)})", chunk))
        row = self.db.execute("SELECT value FROM counters WHERE name = 'documents'").fetchone()
        return (row[0] if row else 0), found

    # --- reading ---------------------------------------------------------

    def all(self) -> Iterator[StoryState]:
        """Every story, oldest first (undated last)."""
        for (state,) in self.db.execute("SELECT state FROM stories ORDER BY first IS NULL, first, id"):
            yield _story(state)

    def page(
        self, start: date | None, end: date | None, offset: int = 0, limit: int = 50
    ) -> tuple[list[StoryState], int]:
        """One page of the stories whose [first, last] overlaps [start, end], oldest first, and their number."""
        # Overlap: the story ends on or after `start` and begins on or before `end`.
        clause, params = _where(
            ("last >= ?", [start.isoformat()]) if start else None, ("first <= ?", [end.isoformat()]) if end else None
        )
        total = self.db.execute(f"SELECT count(*) FROM stories{clause}", params).fetchone()[0]
        rows = self.db.execute(
            f"SELECT state FROM stories{clause} ORDER BY first IS NULL, first, id LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [_story(row[0]) for row in rows], total
