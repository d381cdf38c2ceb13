"""A spaCy worker's memory is bounded by the pieces it feeds spaCy, not by the longest article (issue 14, part 3)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dateline.extract import batch

SENTENCE = "The harbour authority said on Monday that the channel would reopen. "


def test_a_short_text_is_one_piece():
    assert batch.pieces("Short text.", size=100) == [(0, "Short text.")]


def test_a_long_text_is_cut_before_sentences():
    text = SENTENCE * 40  # 2,760 characters
    cut = batch.pieces(text, size=1000)
    assert "".join(piece for _, piece in cut) == text
    assert all(len(piece) <= 1000 for _, piece in cut)
    assert all(piece.startswith("The harbour") for _, piece in cut)  # whole sentences only
    assert [start for start, _ in cut] == [sum(len(p) for _, p in cut[:i]) for i in range(len(cut))]


@given(st.text(alphabet=st.sampled_from("ab .\n"), max_size=600), st.integers(min_value=1, max_value=80))
def test_pieces_cover_the_text_and_none_is_too_long(text, size):
    cut = batch.pieces(text, size=size)
    assert "".join(piece for _, piece in cut) == text
    assert all(text[start : start + len(piece)] == piece for start, piece in cut)
    assert all(0 < len(piece) <= size for _, piece in cut) or len(text) <= size


def test_entities_of_a_long_text_keep_their_offsets():
    # one article longer than a piece: entities found in later pieces point into the whole text
    text = ("Joe Biden met Vladimir Putin in Geneva on Wednesday. " * 300).strip()
    (extraction,) = batch.extract_batch([_article(text)])
    starts = sorted(m.start for m in extraction.mentions)
    assert starts and max(starts) > batch.PIECE_CHARS
    assert all(text[m.start : m.end] == m.text for m in extraction.mentions)
    assert {"Joe Biden", "Vladimir Putin", "Geneva"} <= {text[m.start : m.end] for m in extraction.mentions}


def _article(text: str):
    from dateline.models import Article

    return Article.of_text("a", text, path="a.txt")
