"""The client's batched reads and writes give what one article at a time gave: linking, sentences."""

from __future__ import annotations

import copy
from datetime import date

from dateline import extract
from dateline.store import Store


def person(name: str, full: bool, initials: str = "") -> extract.Entity:
    surname = name.split()[-1].lower()
    return extract.Entity(
        f"person:{name.lower()}", name, "person", [name], surname=surname, initials=initials, full=full
    )


def extractions() -> list[extract.Extraction]:
    """Surname-only mentions before, between and after the full names they may join; one article
    naming the same person twice; an article naming a place."""
    anatoly, boris = person("Anatoly Antonov", True, "a"), person("Boris Antonov", True, "b")
    short, b_short = person("Antonov", False), person("B. Antonov", False, "b")
    place = extract.Entity("place:geneva", "Geneva", "place", ["Geneva"])
    anatoly_again = copy.deepcopy(anatoly)
    anatoly_again.aliases = ["A. Antonov"]
    anatoly_again.roles = ["ambassador"]
    batches = [[short], [anatoly, place], [short, anatoly_again], [b_short], [boris], [short, place], [b_short]]
    return [extract.Extraction(str(i), entities=copy.deepcopy(b)) for i, b in enumerate(batches)]


def test_link_batch_over_the_store_equals_linking_one_by_one(tmp_path):
    one_by_one = extract.MemoryRegistry()
    linker = extract.Linker(one_by_one)
    expected = [linker.link(x) for x in extractions()]

    store = Store(tmp_path / "s.db")
    batched = extract.Linker(store.entities)
    items = extractions()
    with store.transaction():
        got = batched.link_batch(items[:3]) + batched.link_batch(items[3:])  # a later batch sees the earlier
    assert got == expected
    assert sorted(store.entities.all(), key=lambda r: r.key) == sorted(one_by_one.records.values(), key=lambda r: r.key)
    store.close()


def test_link_batch_over_memory_equals_linking_one_by_one():
    one_by_one, batched = extract.MemoryRegistry(), extract.MemoryRegistry()
    expected = [extract.Linker(one_by_one).link(x) for x in extractions()]
    assert extract.Linker(batched).link_batch(extractions()) == expected
    assert batched.records == one_by_one.records


def test_write_all_sentences_equals_writing_one_by_one(tmp_path):
    written = [
        ("a", [(0, 10), (11, 20)], [(1, date(2021, 3, 20))]),
        ("b", [(0, 5)], []),
        ("c", [(0, 4), (5, 9), (10, 14)], [(0, date(2021, 3, 17)), (2, date(2021, 3, 17)), (2, date(2021, 3, 18))]),
    ]
    one, many = Store(tmp_path / "one.db"), Store(tmp_path / "many.db")
    for article_id, spans, days in written:
        one.articles.write_sentences(article_id, spans, days)
    many.articles.write_all_sentences(written)
    for table in ("sentences", "sentence_dates"):
        sql = f"SELECT * FROM {table} ORDER BY 1, 2, 3"
        assert one.db.execute(sql).fetchall() == many.db.execute(sql).fetchall()
    one.close()
    many.close()
