"""bench/scale.py's synthetic database: copies of every stored row, new ids, dates shifted, nothing else changed."""

from __future__ import annotations

import importlib.util
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import dateline

BENCH = Path(__file__).resolve().parent.parent / "bench" / "scale.py"


def _scale():
    spec = importlib.util.spec_from_file_location("scale_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_replicated_database_holds_shifted_copies(small_corpus: Path, tmp_path: Path) -> None:
    scale = _scale()
    base, big = tmp_path / "base.db", tmp_path / "big.db"
    with dateline.open(str(base)) as corpus:
        corpus.ingest([str(small_corpus)])
    db = sqlite3.connect(base)
    n = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    sentences = db.execute("SELECT count(*) FROM sentences").fetchone()[0]
    dated = db.execute("SELECT id, published FROM articles WHERE published IS NOT NULL ORDER BY id").fetchone()
    db.close()
    assert n >= 3 and dated is not None

    total = scale.build(str(base), str(big), 3 * n - 1)  # the last copy is cut short

    assert total == 3 * n - 1
    db = sqlite3.connect(big)
    assert db.execute("SELECT count(DISTINCT id) FROM articles").fetchone()[0] == total
    assert db.execute("SELECT count(*) FROM sentences").fetchone()[0] >= 2 * sentences
    copy = db.execute("SELECT published FROM articles WHERE id = ?", (f"{dated[0]}:1",)).fetchone()
    assert copy == ((date.fromisoformat(dated[1]) + timedelta(days=scale.SHIFT)).isoformat(),)
    assert db.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == total  # filled by the triggers
    # The per-day totals follow the copied per-article rows (the store's triggers), and only copied articles count.
    assert (
        db.execute("SELECT sum(published), sum(later), sum(earlier), sum(same), sum(sentences) FROM days").fetchone()
        == db.execute(
            "SELECT sum(kind = 0), sum(kind = 1), sum(kind = 2), sum(kind = 3), sum(sentences) FROM article_days"
        ).fetchone()
    )
    assert not db.execute("SELECT 1 FROM article_days WHERE article NOT IN (SELECT id FROM articles)").fetchall()
    db.close()
    with dateline.open(str(big)) as corpus:  # the store opens it and answers queries
        assert len(list(corpus.articles())) == total
