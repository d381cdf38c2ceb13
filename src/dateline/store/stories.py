"""The story store: the story state (`cluster.State`: stories, their members, redirects, document
frequencies) and the reads over stories."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING

from .database import Database, Table, _chunks, _loads, _marks, _where

if TYPE_CHECKING:
    from ..cluster import Member, StoryState

# cluster is imported where a story is read, so that opening a database does not load it.


def _story(state: str) -> StoryState:
    from ..cluster import StoryState

    return StoryState.from_json(_loads(state))


# json.dumps with these settings, without building an encoder per call.
_dumps_state = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
_dumps_vector = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode


_MEMBER = "article, story, seq, canonical, published, source, title, clue"


def _member(row: tuple, vector: str | None = None) -> Member:
    from ..cluster import Member

    article, story, seq, canonical, published, source, title, clue = row
    return Member(
        article,
        story,
        seq,
        _loads(vector) if vector else {},
        canonical,
        date.fromisoformat(published) if published else None,
        source,
        title,
        clue,
    )


VECTOR_CACHE = 8000  # parsed member vectors kept (~10 KB each): a few windows' worth


class StoryStore(Table):
    """Each story's state as JSON, indexed by its top terms; each member with its features; the ids of
    stories merged into others; the document frequencies for IDF. The in-memory double is
    `cluster.MemoryState`."""

    def __init__(self, database: Database):
        super().__init__(database)
        self._vectors: dict[str, dict[str, float]] = {}
        # A story's index terms as `get` read them: `save` of the same story (the clusterer reads a
        # story, then saves it) changes only the story_terms rows of terms that came or went.
        self._terms: dict[str, list[str]] = {}

    # --- story state (cluster.State) -------------------------------------

    def active(self, start: date | None, end: date | None, terms: Sequence[str], limit: int) -> list[StoryState]:
        return [_story(row[0]) for row in self._active("s.state", start, end, terms, limit)]

    def active_ids(self, start: date | None, end: date | None, terms: Sequence[str], limit: int) -> list[str]:
        return [row[0] for row in self._active("s.id", start, end, terms, limit)]

    def _active(self, column: str, start: date | None, end: date | None, terms: Sequence[str], limit: int) -> list:
        terms = list(terms)
        if not terms:
            return []
        sql = f"SELECT {column} FROM story_terms t JOIN stories s ON s.id = t.story WHERE t.term IN ({_marks(terms)})"
        params: list = list(terms)
        if start is not None and end is not None:
            sql += " AND (s.first IS NULL OR (s.first <= ? AND s.last >= ?))"
            params += [end.isoformat(), start.isoformat()]
        sql += " GROUP BY s.id ORDER BY count(*) DESC, s.updated DESC, s.id LIMIT ?"
        params.append(limit)
        return self.db.execute(sql, params).fetchall()

    def get(self, story: str) -> StoryState | None:
        row = self.db.execute("SELECT state FROM stories WHERE id = ?", (story,)).fetchone()
        if not row:
            self._terms.pop(story, None)
            return None
        found = _story(row[0])
        if len(self._terms) > 10_000:
            self._terms.clear()
        self._terms[found.id] = list(found.terms)
        return found

    def save(self, story: StoryState) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO stories (id, state, first, last, updated) VALUES (?, ?, ?, ?, ?)",
            (
                story.id,
                _dumps_state(story.to_json()),
                story.first.isoformat() if story.first else None,
                story.last.isoformat() if story.last else None,
                story.updated,
            ),
        )
        stored = self._terms.pop(story.id, None)
        if stored is not None:  # read by get() since the last save: change only the rows that differ
            before, after = set(stored), set(story.terms)
            self.db.executemany(
                "DELETE FROM story_terms WHERE term = ? AND story = ?", [(t, story.id) for t in sorted(before - after)]
            )
            terms = [t for t in story.terms if t not in before]
        else:
            self.db.execute("DELETE FROM story_terms WHERE story = ?", (story.id,))
            terms = story.terms
        self.db.executemany(
            "INSERT OR IGNORE INTO story_terms (term, story) VALUES (?, ?)", [(t, story.id) for t in terms]
        )

    def sequence(self) -> int:
        return self.db.execute(
            "SELECT max((SELECT coalesce(max(updated), 0) FROM stories), (SELECT coalesce(max(seq), 0) FROM story_members))"
        ).fetchone()[0]

    def member(self, article: str) -> Member | None:
        row = self.db.execute(f"SELECT {_MEMBER} FROM story_members WHERE article = ?", (article,)).fetchone()
        return _member(row) if row else None

    def members(self, story: str, limit: int | None = None, vectors: bool = False) -> list[Member]:
        if vectors:
            rows = self.db.execute(
                f"SELECT {_MEMBER}, vector FROM story_members WHERE story = ? AND vector != '{{}}' "
                "ORDER BY seq DESC, article LIMIT ?",
                (story, -1 if limit is None else limit),
            )
            return [self._with_vector(row) for row in rows]
        rows = self.db.execute(
            f"SELECT {_MEMBER} FROM story_members WHERE story = ? ORDER BY seq DESC, article", (story,)
        )
        return [_member(row) for row in rows]

    def _with_vector(self, row: tuple) -> Member:
        """A member with its features, parsed once: a member's vector never changes (the article's
        features), and consecutive windows draw on the same recent stories."""
        member = _member(row[:-1])
        vector = self._vectors.pop(member.id, None)
        member.vector = vector if vector is not None else _loads(row[-1])
        self._vectors[member.id] = member.vector  # most recently used last
        if len(self._vectors) > VECTOR_CACHE:
            del self._vectors[next(iter(self._vectors))]
        return member

    def save_members(self, members: Iterable[Member]) -> None:
        members = list(members)
        for member in members:  # the cache holds what is stored
            if member.id in self._vectors:
                self._vectors[member.id] = member.vector
        self.db.executemany(
            "INSERT OR REPLACE INTO story_members (article, story, seq, canonical, published, source, title, clue, "
            "vector) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    m.id,
                    m.story,
                    m.seq,
                    m.canonical,
                    m.published.isoformat() if m.published else None,
                    m.source,
                    m.title,
                    m.clue,
                    _dumps_vector(m.vector),
                )
                for m in members
            ],
        )

    def copies(self, canonicals: Sequence[str]) -> list[Member]:
        canonicals = list(canonicals)
        found: list[Member] = []
        for chunk in _chunks(canonicals):
            rows = self.db.execute(f"SELECT {_MEMBER} FROM story_members WHERE canonical IN ({_marks(chunk)})", chunk)
            found += [_member(row) for row in rows]
        return sorted(found, key=lambda m: m.id)

    def retire(self, story: str, into: str | None) -> None:
        self._terms.pop(story, None)
        self.db.execute("DELETE FROM stories WHERE id = ?", (story,))
        self.db.execute("DELETE FROM story_terms WHERE story = ?", (story,))
        if into is None:
            return
        self.db.execute("UPDATE story_redirects SET new = ? WHERE new = ?", (into, story))
        self.db.execute("INSERT OR REPLACE INTO story_redirects (old, new) VALUES (?, ?)", (story, into))

    def resolve(self, story: str) -> str | None:
        row = self.db.execute("SELECT new FROM story_redirects WHERE old = ?", (story,)).fetchone()
        story = row[0] if row else story
        return story if self.db.execute("SELECT 1 FROM stories WHERE id = ?", (story,)).fetchone() else None

    def relink(self, moves: dict[str, str]) -> None:
        """Articles whose story changed after they were stored (a later batch re-clustered them)."""
        self.db.executemany("UPDATE articles SET story = ? WHERE id = ?", [(s, a) for a, s in sorted(moves.items())])

    def add_document(self, terms: Iterable[str]) -> None:
        self.db.execute(
            "INSERT INTO counters (name, value) VALUES ('documents', 1) "
            "ON CONFLICT(name) DO UPDATE SET value = value + 1"
        )
        self.db.executemany(
            "INSERT INTO terms (term, df) VALUES (?, 1) ON CONFLICT(term) DO UPDATE SET df = df + 1",
            [(term,) for term in set(terms)],
        )

    def add_documents(self, documents: Sequence[Iterable[str]]) -> None:
        if not documents:
            return
        counts: Counter[str] = Counter()
        for terms in documents:
            counts.update(set(terms))
        self.db.execute(
            "INSERT INTO counters (name, value) VALUES ('documents', ?) "
            "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value",
            (len(documents),),
        )
        self.db.executemany(
            "INSERT INTO terms (term, df) VALUES (?, ?) ON CONFLICT(term) DO UPDATE SET df = df + excluded.df",
            sorted(counts.items()),
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
