"""The duplicate store: the duplicate index (`dedup.CountingIndex`) and the duplicate groups it keeps."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from ..models import Article
from .articles import article_columns, article_from_row
from .database import Table, _chunks, _marks
from .days import refresh as refresh_days

if TYPE_CHECKING:
    import numpy as np

    from ..dedup import Match

# numpy and dedup are imported where the ingest side uses them, so that a query starts without them.


class DuplicateStore(Table):
    """Per indexed article: its LSH band keys, its shingle hashes and its pointer to its canonical
    (mirrored in `articles.duplicate_of`). The in-memory double is `dedup.MemoryIndex`."""

    # --- the duplicate index (dedup.CountingIndex) -------------------------

    def candidates(self, keys: Sequence[int]) -> set[str]:
        keys = [int(key) for key in keys]
        return {row[0] for row in self.db.execute(f"SELECT article FROM bands WHERE key IN ({_marks(keys)})", keys)}

    def add(self, article_id: str, keys: Sequence[int], shingles: np.ndarray) -> None:
        import numpy as np

        self.db.executemany(
            "INSERT OR IGNORE INTO bands (key, article) VALUES (?, ?)", [(int(key), article_id) for key in keys]
        )
        self.db.execute(
            "INSERT OR REPLACE INTO shingles (article, hashes) VALUES (?, ?)",
            (article_id, np.ascontiguousarray(shingles, dtype=np.uint64).tobytes()),
        )

    def shared(self, keys: Sequence[int]) -> dict[str, tuple[int, int]]:
        """{candidate: (band keys shared, shingle count)}: lets dedup skip hopeless candidates unverified."""
        keys = [int(key) for key in keys]
        if not keys:
            return {}
        rows = self.db.execute(
            "SELECT b.article, count(*), length(s.hashes) / 8 FROM bands b JOIN shingles s ON s.article = b.article "
            f"WHERE b.key IN ({_marks(keys)}) GROUP BY b.article",
            keys,
        )
        return {article: (count, size) for article, count, size in rows}

    def shingles(self, article_id: str) -> np.ndarray | None:
        import numpy as np

        row = self.db.execute("SELECT hashes FROM shingles WHERE article = ?", (article_id,)).fetchone()
        return np.frombuffer(row[0], dtype=np.uint64) if row else None

    def pointer(self, article_id: str) -> Match | None:
        from ..dedup import Match

        row = self.db.execute(
            "SELECT canonical, kind, score FROM duplicates WHERE article = ?", (article_id,)
        ).fetchone()
        return Match(*row) if row else None

    def point(self, article_id: str, match: Match | None) -> None:
        if match is None:
            self.db.execute("DELETE FROM duplicates WHERE article = ?", (article_id,))
        else:
            self.db.execute(
                "INSERT OR REPLACE INTO duplicates (article, canonical, kind, score) VALUES (?, ?, ?, ?)",
                (article_id, match.canonical, match.kind, match.score),
            )
        self.db.execute(
            "UPDATE articles SET duplicate_of = ? WHERE id = ?", (match.canonical if match else None, article_id)
        )
        refresh_days(self.db, [article_id])  # a copy's days are its canonical's; an original's are its own

    def group(self, canonical_id: str) -> list[str]:
        return [
            row[0]
            for row in self.db.execute(
                "SELECT article FROM duplicates WHERE canonical = ? ORDER BY article", (canonical_id,)
            )
        ]

    # --- the groups, for reading ---------------------------------------------

    def groups(self) -> Iterator[tuple[str, list[tuple[str, str, float]]]]:
        """Every canonical with its duplicates as (id, kind, score), canonicals in order of publication."""
        rows = self.db.execute(
            "SELECT d.canonical, d.article, d.kind, d.score FROM duplicates d "
            "JOIN articles a ON a.id = d.canonical "
            "ORDER BY a.published IS NULL, a.published, d.canonical, d.article"
        )
        current, members = None, []
        for canonical, article, kind, score in rows:
            if canonical != current:
                if current is not None:
                    yield current, members
                current, members = canonical, []
            members.append((article, kind, score))
        if current is not None:
            yield current, members

    def canonicals(self, ids: Iterable[str]) -> list[str]:
        """The articles these are, duplicates replaced by their canonical: sorted, each once."""
        ids = list(ids)
        return [
            row[0]
            for row in self.db.execute(
                f"SELECT DISTINCT coalesce(duplicate_of, id) FROM articles WHERE id IN ({_marks(ids)}) ORDER BY 1", ids
            )
        ]

    def copy_articles(self, canonical_ids: Sequence[str] | None) -> dict[str, list[Article]]:
        """{canonical: its duplicate articles, oldest first} (all canonicals when None)."""
        out: dict[str, list[Article]] = {}
        rows = self.db.execute(
            f"SELECT d.canonical, {article_columns('a.')} FROM duplicates d "
            "JOIN articles a ON a.id = d.article ORDER BY d.canonical, a.published IS NULL, a.published, a.id"
        )
        wanted = set(canonical_ids) if canonical_ids is not None else None
        for row in rows:
            if wanted is None or row[0] in wanted:
                out.setdefault(row[0], []).append(article_from_row(row[1:]))
        return out

    def copies_of(self, canonical_ids: Sequence[str]) -> dict[str, list[dict]]:
        """{canonical: [{"article", "source", "url"} of each copy, oldest first]} for these canonicals
        (what a timeline sentence is `carried_by`)."""
        out: dict[str, list[dict]] = {}
        for chunk in _chunks(list(canonical_ids)):
            rows = self.db.execute(
                "SELECT d.canonical, a.id, a.source, a.url FROM duplicates d JOIN articles a ON a.id = d.article "
                f"WHERE d.canonical IN ({_marks(chunk)}) ORDER BY d.canonical, a.published IS NULL, a.published, a.id",
                chunk,
            )
            for canonical, article, source, url in rows:
                out.setdefault(canonical, []).append({"article": article, "source": source, "url": url})
        return out

    def copies(self, canonical_id: str) -> list[tuple[str, str | None, str | None, str, float]]:
        """(id, source, url, kind, score) of each duplicate of one canonical article, oldest first."""
        return self.db.execute(
            "SELECT a.id, a.source, a.url, d.kind, d.score FROM duplicates d JOIN articles a ON a.id = d.article "
            "WHERE d.canonical = ? ORDER BY a.published IS NULL, a.published, a.id",
            (canonical_id,),
        ).fetchall()
