"""read.py: every supported format, encodings, clear rejects, walking, ids."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from dateline import read
from dateline.models import Raw, Reject


def records(*paths, max_bytes: int = read.MAX_BYTES) -> list[Raw | Reject]:
    return list(read.read([str(p) for p in paths], max_bytes))


def only(records_: list, kind: type):
    found = [r for r in records_ if isinstance(r, kind)]
    assert len(found) == 1, records_
    return found[0]


def raws(records_: list) -> list[Raw]:
    return [r for r in records_ if isinstance(r, Raw)]


def rejects(records_: list) -> list[Reject]:
    return [r for r in records_ if isinstance(r, Reject)]


# --- formats -----------------------------------------------------------------


def test_txt(tmp_path, helpers):
    text = helpers.article_text(1)
    path = helpers.write(tmp_path / "wire" / "story-1.txt", text)
    raw = only(records(tmp_path), Raw)
    assert raw.kind == "text"
    assert raw.content == text
    assert raw.path == str(path)
    assert raw.line is None
    assert raw.external_id == "story-1"
    assert raw.origin == "wire/story-1.txt"  # the path below the folder named
    assert raw.url is None and raw.source is None and raw.title is None and raw.published is None


@pytest.mark.parametrize("name", ["page.html", "page.htm", "PAGE.HTML"])
def test_html(tmp_path, helpers, name):
    html = helpers.article_html(2)
    helpers.write(tmp_path / name, html)
    raw = only(records(tmp_path), Raw)
    assert raw.kind == "html"
    assert raw.content == html
    assert raw.external_id == name.rsplit(".", 1)[0]


def test_html_gz(tmp_path, helpers):
    html = helpers.article_html(3)
    helpers.write_gzip(tmp_path / "saved.html.gz", html)
    raw = only(records(tmp_path), Raw)
    assert raw.kind == "html"
    assert raw.content == html
    assert raw.external_id == "saved"  # both suffixes go


def test_json_news_please_shape(tmp_path, helpers):
    obj = {
        "maintext": helpers.article_text(4, title=False),
        "title": "Channel reopens",
        "url": "https://www.bbc.co.uk/news/world-123",
        "date_publish": "2021-03-29 10:00:00",
        "source_domain": "bbc.co.uk",
        "authors": [],
        "language": "en",
    }
    helpers.write(tmp_path / "np" / "article.json", json.dumps(obj))
    raw = only(records(tmp_path), Raw)
    assert raw.kind == "text"
    assert raw.content == obj["maintext"].strip()
    assert raw.title == "Channel reopens"
    assert raw.url == obj["url"]
    assert raw.origin == obj["url"]  # a known URL is the origin
    assert raw.published == "2021-03-29 10:00:00"
    assert raw.source == "bbc.co.uk"
    assert raw.external_id == "article"
    assert raw.line is None


def test_json_own_id_is_origin_without_url(tmp_path, helpers):
    helpers.write(tmp_path / "a.json", json.dumps({"id": 42, "text": helpers.article_text(5)}))
    raw = only(records(tmp_path), Raw)
    assert raw.external_id == "42"
    assert raw.origin == "42"


def test_json_html_field(tmp_path, helpers):
    html = helpers.article_html(6)
    helpers.write(tmp_path / "a.json", json.dumps({"html": html, "url": "https://example.org/a"}))
    raw = only(records(tmp_path), Raw)
    assert raw.kind == "html" and raw.content == html


JSONL_OBJECTS = [
    {
        "id": "x1",
        "url": "https://www.theguardian.com/a",
        "source": "The Guardian",
        "title": "First",
        "published": "2021-03-23",
        "text": "First article text, long enough to be one.",
    },
    {"html": "<html><body><p>Second article as HTML.</p></body></html>"},
    {"id": "x3", "text": "Third article text."},
]


@pytest.mark.parametrize("compressed", [False, True])
def test_jsonl(tmp_path, helpers, compressed):
    body = helpers.jsonl(JSONL_OBJECTS[:2]) + "\n" + helpers.jsonl(JSONL_OBJECTS[2:])  # a blank line 3
    name = "feed.jsonl.gz" if compressed else "feed.jsonl"
    if compressed:
        helpers.write_gzip(tmp_path / "exports" / name, body)
    else:
        helpers.write(tmp_path / "exports" / name, body)
    found = records(tmp_path)
    assert not rejects(found)
    first, second, third = raws(found)
    assert (first.line, second.line, third.line) == (1, 2, 4)  # blank lines count but are not articles
    assert first.kind == "text" and first.content == JSONL_OBJECTS[0]["text"]
    assert first.url == "https://www.theguardian.com/a" and first.origin == first.url
    assert first.source == "The Guardian" and first.title == "First" and first.published == "2021-03-23"
    assert first.external_id == "x1"
    assert second.kind == "html" and second.content == JSONL_OBJECTS[1]["html"]
    assert second.external_id == "feed:2"
    assert second.origin == "exports/" + name + ":2"
    assert third.origin == "x3" and third.external_id == "x3"


def test_jsonl_bom_on_first_line(tmp_path, helpers):
    helpers.write(tmp_path / "a.jsonl", b"\xef\xbb\xbf" + helpers.jsonl(JSONL_OBJECTS[:1]).encode())
    assert only(records(tmp_path), Raw).external_id == "x1"


@pytest.mark.parametrize("compressed", [False, True])
def test_warc(tmp_path, helpers, compressed):
    name = "crawl.warc.gz" if compressed else "crawl.warc"
    helpers.write_warc(
        tmp_path / name,
        [
            ("https://www.bbc.co.uk/news/1", helpers.article_html(1), "text/html; charset=utf-8"),
            ("https://www.bbc.co.uk/logo.png", "not really a png", "image/png"),
            ("https://sputniknews.com/world/2", helpers.article_html(2), "text/html"),
        ],
        compress=compressed,
    )
    found = records(tmp_path)
    first, third = raws(found)
    assert first.kind == "html" and first.content == helpers.article_html(1)
    assert first.url == first.origin == "https://www.bbc.co.uk/news/1"
    assert first.line == 1 and third.line == 3  # response records are numbered; requests are not articles
    assert first.external_id == "crawl:1"
    assert third.url == "https://sputniknews.com/world/2"
    image = only(found, Reject)
    assert image.line == 2 and "not an HTML page (image/png)" in image.reason


def test_warc_without_responses(tmp_path, helpers):
    from warcio.warcwriter import WARCWriter

    with open(tmp_path / "meta.warc", "wb") as handle:
        writer = WARCWriter(handle, gzip=False)
        writer.write_record(writer.create_warcinfo_record("meta.warc", {"software": "test"}))
    reject = only(records(tmp_path), Reject)
    assert "no response records" in reject.reason


def test_warc_record_too_big(tmp_path, helpers):
    helpers.write_warc(
        tmp_path / "big.warc",
        [
            ("https://example.org/big", "<p>" + "x" * 5000 + "</p>", "text/html"),
            ("https://example.org/ok", "<p>small page</p>", "text/html"),
        ],
    )
    found = records(tmp_path, max_bytes=1000)
    assert "size limit" in only(found, Reject).reason
    assert only(found, Raw).url == "https://example.org/ok"


def test_truncated_warc_gz_is_not_taken_as_whole(tmp_path, helpers):
    """A .warc.gz cut short must not yield a silently shortened article."""
    whole = helpers.write_warc(
        tmp_path / "whole.warc.gz", [("https://example.org/a", helpers.article_html(1), "text/html")], compress=True
    )
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(whole.read_bytes()[:-40])
    whole.unlink()
    found = records(tmp_path)
    assert any("truncated" in r.reason for r in rejects(found)), found
    assert all(r.content == helpers.article_html(1) for r in raws(found))


def test_not_a_warc(tmp_path, helpers):
    """A text file named .warc is reported as not a WARC archive, not as an "empty file"."""
    helpers.write(tmp_path / "notes.warc", "this is not a warc file at all\n")
    reject = only(records(tmp_path), Reject)
    assert "warc" in reject.reason.lower(), reject.reason


# --- encodings ---------------------------------------------------------------

TEXT = "Harbour news: the café reopened and a naïve visitor said “déjà vu” — the port is busy again.\n" * 3
LATIN = "Le café était naïve, à côté de l'église; the critic said the soufflé was très élégant.\n" * 2
CP1252 = "He said “the café is open” — a naïve remark, but the soufflé was très élégant.\n" * 2


@pytest.mark.parametrize(
    "data, expected",
    [
        (TEXT.encode("utf-8"), TEXT),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), TEXT),
        (TEXT.encode("utf-16"), TEXT),  # with a BOM
        (b"\xfe\xff" + TEXT.encode("utf-16-be"), TEXT),
        (TEXT.encode("utf-16-le"), TEXT),  # no BOM
        (TEXT.encode("utf-16-be"), TEXT),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "utf16be-bom", "utf16le-nobom", "utf16be-nobom"],
)
def test_unicode_encodings(tmp_path, helpers, data, expected):
    helpers.write(tmp_path / "a.txt", data)
    raw = only(records(tmp_path), Raw)
    assert raw.content == expected
    assert not raw.content.startswith("\ufeff")


@pytest.mark.parametrize(
    "text, codec",
    [(LATIN, "latin-1"), (CP1252, "cp1252"), ("café naïve\n", "latin-1")],
    ids=["latin1", "cp1252", "latin1-short"],
)
def test_legacy_single_byte_encodings(tmp_path, helpers, text, codec):
    helpers.write(tmp_path / "a.txt", text.encode(codec))
    raw = only(records(tmp_path), Raw)
    assert "café" in raw.content and "naïve" in raw.content, raw.content
    assert raw.content == text


def test_nul_bytes_inside_text_are_dropped(tmp_path, helpers):
    text = helpers.article_text(1)
    helpers.write(tmp_path / "a.txt", text[:40] + "\x00" + text[40:])
    raw = only(records(tmp_path), Raw)
    assert "\x00" not in raw.content and raw.content == text


# --- rejects -----------------------------------------------------------------


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\n\t \n", "empty file"),
        ("empty.html", b"", "empty file"),
        ("empty.json", b"", "empty file"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "binary data"),
        ("binary.html", bytes(range(32)) * 40, "binary data"),
        ("broken.json", b'{"text": "unterminated', "invalid JSON"),
        ("list.json", b'[{"text": "a"}]', "not a JSON object (found list)"),
        ("notext.json", b'{"title": "Only a title", "url": "https://example.org"}', "no text"),
        ("blanktext.json", b'{"text": "   ", "html": ""}', "no text"),
        ("plain.html.gz", b"<html>not compressed at all</html>", "gzip"),
        (".DS_Store", b"\x00\x00\x00\x01Bud1", "not a supported file type"),
        ("notes.docx", b"PK\x03\x04", "not a supported file type (.docx"),
        ("README", b"hello", "not a supported file type (no extension"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 20 else None,
)
def test_rejects_with_reason(tmp_path, helpers, name, data, reason):
    path = helpers.write(tmp_path / name, data)
    reject = only(records(tmp_path), Reject)
    assert reason in reject.reason
    assert reject.path == str(path)
    assert reject.line is None


def test_truncated_html_gz(tmp_path, helpers):
    helpers.write_gzip(tmp_path / "page.html.gz", helpers.article_html(1) * 5, truncate=20)
    reject = only(records(tmp_path), Reject)
    assert reject.reason.startswith("truncated gzip")


def test_truncated_jsonl_gz_keeps_the_lines_before(tmp_path, helpers):
    objects = [{"id": f"n{i}", "text": helpers.article_text(i)} for i in range(40)]
    helpers.write_gzip(tmp_path / "feed.jsonl.gz", helpers.jsonl(objects), truncate=200)
    found = records(tmp_path)
    loaded = raws(found)
    assert loaded, "the lines before the truncation must load"
    assert [r.external_id for r in loaded] == [f"n{i}" for i in range(len(loaded))]
    assert len(loaded) < 40
    assert all(r.content == objects[i]["text"].strip() for i, r in enumerate(loaded))
    assert "truncated gzip" in only(found, Reject).reason


def test_invalid_jsonl_lines_rejected_one_by_one(tmp_path, helpers):
    body = (
        helpers.jsonl(
            [
                {"id": "a", "text": "first good line of text"},
                "{not json",
                [1, 2, 3],
                '"just a string"',
                {"title": "no text here"},
                {"id": "f", "text": "last good line of text"},
            ]
        ).encode()
        + b'{"text": "caf\xe9 in latin-1"}\n'
    )
    path = helpers.write(tmp_path / "feed.jsonl", body)
    found = records(tmp_path)
    assert [r.external_id for r in raws(found)] == ["a", "f"]
    bad = {r.line: r.reason for r in rejects(found)}
    assert set(bad) == {2, 3, 4, 5, 7}
    assert bad[2].startswith("invalid JSON")
    assert bad[3] == "not a JSON object (found list)"
    assert bad[4] == "not a JSON object (found str)"
    assert bad[5].startswith("no text")
    assert "not UTF-8" in bad[7]
    assert all(r.path == str(path) for r in rejects(found))


def test_too_big_file(tmp_path, helpers):
    helpers.write(tmp_path / "big.txt", "word " * 400)
    helpers.write(tmp_path / "small.txt", "word " * 100)
    found = records(tmp_path, max_bytes=1000)
    assert "larger than the size limit" in only(found, Reject).reason
    assert only(found, Raw).path.endswith("small.txt")


def test_too_big_gzip_is_measured_decompressed(tmp_path, helpers):
    helpers.write_gzip(tmp_path / "bomb.html.gz", b"<p>" + b"a" * 100_000 + b"</p>")
    assert (tmp_path / "bomb.html.gz").stat().st_size < 1000
    assert "size limit" in only(records(tmp_path, max_bytes=1000), Reject).reason


def test_too_big_jsonl_line_rejected_alone(tmp_path, helpers):
    body = helpers.jsonl(
        [{"id": "a", "text": "short"}, {"id": "b", "text": "x" * 5000}, {"id": "c", "text": "short too"}]
    )
    helpers.write(tmp_path / "feed.jsonl", body)
    found = records(tmp_path, max_bytes=1000)
    assert [r.external_id for r in raws(found)] == ["a", "c"]
    assert [r.line for r in raws(found)] == [1, 3]
    reject = only(found, Reject)
    assert reject.line == 2 and "size limit" in reject.reason


def test_jsonl_line_exactly_at_the_limit_does_not_swallow_the_next(tmp_path, helpers):
    """A line of max_bytes plus its newline must not make the reader skip the following line."""
    limit = 100
    padding = limit - len(json.dumps({"id": "a", "text": ""}))
    first = json.dumps({"id": "a", "text": "y" * padding})
    assert len(first) == limit
    body = first + "\n" + json.dumps({"id": "b", "text": "next line"}) + "\n"
    helpers.write(tmp_path / "feed.jsonl", body)
    found = records(tmp_path, max_bytes=limit)
    assert "b" in [r.external_id for r in raws(found)], found
    assert len(found) == 2


# --- walking -----------------------------------------------------------------


def test_walk_is_sorted_and_recursive(tmp_path, helpers):
    for name in ["zeta.txt", "b/2.txt", "alpha.txt", "b/1.txt", "a/deep/er/x.txt", "B.txt"]:
        helpers.write(tmp_path / name, helpers.article_text(len(name)))
    walked = [path.relative_to(tmp_path).as_posix() for path, _ in read.walk([tmp_path])]
    assert walked == ["B.txt", "a/deep/er/x.txt", "alpha.txt", "b/1.txt", "b/2.txt", "zeta.txt"]
    assert walked == [p.relative_to(tmp_path).as_posix() for p, _ in read.walk([tmp_path])]  # same again
    assert read.count_files([tmp_path]) == 6
    origins = [r.origin for r in records(tmp_path)]
    assert origins == walked


def test_walk_roots_and_single_files(tmp_path, helpers):
    file = helpers.write(tmp_path / "in" / "one.txt", helpers.article_text(1))
    assert list(read.walk([file])) == [(file, file.parent)]
    assert only(records(file), Raw).origin == "one.txt"


def test_symlink_loop_terminates(tmp_path, helpers):
    root = tmp_path / "root"
    helpers.write(root / "a.txt", helpers.article_text(1))
    helpers.write(root / "sub" / "b.txt", helpers.article_text(2))
    os.symlink(root, root / "sub" / "loop")  # sub/loop -> root
    os.symlink(root / "sub", root / "sub" / "self")
    os.symlink("dangling.txt", root / "dangling.txt")  # points at itself: ELOOP
    found = records(root)
    got = sorted(Path(r.path).relative_to(root).as_posix() for r in raws(found))
    assert got == ["a.txt", "sub/b.txt"]
    assert [Path(r.path).name for r in rejects(found)] == ["dangling.txt"]
    assert "could not be read" in rejects(found)[0].reason


def test_unreadable_folder_and_file(tmp_path, helpers):
    if os.geteuid() == 0:
        pytest.skip("root reads everything")
    path = helpers.write(tmp_path / "secret.txt", helpers.article_text(1))
    path.chmod(0)
    try:
        assert "permission denied" in only(records(tmp_path), Reject).reason
    finally:
        path.chmod(0o644)


# --- ids ---------------------------------------------------------------------


def test_ids_hash_origin_and_content(tmp_path, helpers):
    text = helpers.article_text(1)
    one = helpers.write(tmp_path / "one" / "wire" / "a.txt", text)
    two = helpers.write(tmp_path / "two" / "wire" / "a.txt", text)  # same path below its root
    moved = helpers.write(tmp_path / "three" / "other" / "a.txt", text)  # another origin
    edited = helpers.write(tmp_path / "four" / "wire" / "a.txt", text + "One more sentence.\n")
    ids = {name: only(records(tmp_path / name), Raw).id for name in ("one", "two", "three", "four")}
    assert ids["one"] == ids["two"]
    assert ids["three"] != ids["one"]
    assert ids["four"] != ids["one"]
    assert only(records(tmp_path / "one"), Raw).id == ids["one"]  # stable across reads
    assert len(ids["one"]) == 16 and all(c in "0123456789abcdef" for c in ids["one"])
    assert one.exists() and two.exists() and moved.exists() and edited.exists()


def test_ids_of_jsonl_lines_follow_the_url(tmp_path, helpers):
    obj = {"url": "https://example.org/a", "text": "same text in two exports"}
    helpers.write(tmp_path / "x" / "one.jsonl", helpers.jsonl([obj]))
    helpers.write(tmp_path / "y" / "two.jsonl", helpers.jsonl([{"id": "zz"}, obj]))
    a, b = (only(records(tmp_path / d), Raw) for d in ("x", "y"))
    assert a.id == b.id  # same URL + same content, whatever file or line it is in
    other = raws(records(tmp_path / "y"))
    assert len(other) == 1


def test_decode_rejects_binary_directly():
    with pytest.raises(read.NotText, match="binary"):
        read.decode(bytes(range(256)) * 4)
    with pytest.raises(read.NotText, match="empty"):
        read.decode(b" \n\t\n")


def test_gzip_reason_names_truncation(tmp_path):
    path = tmp_path / "a.html.gz"
    path.write_bytes(gzip.compress(b"<p>hello</p>" * 50)[:30])
    assert "truncated gzip" in only(list(read.read_file(path, tmp_path)), Reject).reason
