"""Reading: walk files and folders, decode what is in them, yield one `Raw` per article.

Every file found ends up as at least one `Raw` or one `Reject`, so the counts
add up (read = stored + unchanged + rejected). A bad file, line or record never
stops the walk: it becomes a `Reject` whose reason a person can act on.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import charset_normalizer

from .models import Raw, Reject

MAX_BYTES = 10 * 1024 * 1024  # one article bigger than this is not an article
READ_CHUNK = 1024 * 1024

# Suffixes, longest first so ".html.gz" wins over ".gz".
SUFFIXES = (".html.gz", ".htm.gz", ".jsonl.gz", ".warc.gz", ".html", ".htm", ".jsonl", ".json", ".warc", ".txt")

Record = Raw | Reject


class TooBig(Exception):
    pass


class NotText(Exception):
    pass


# --- walking -----------------------------------------------------------------


def walk(paths: Iterable[str | os.PathLike]) -> Iterator[tuple[Path, Path]]:
    """Yield (file, root) for every file below the given paths, in sorted order.

    Symlinked folders are followed once: a folder already seen (by its real path)
    is skipped, so a symlink loop ends instead of recursing forever.
    """
    seen: set[str] = set()
    for given in paths:
        root = Path(given)
        if root.is_dir():
            yield from _walk_dir(root, root, seen)
        else:
            yield root, root.parent


def _walk_dir(folder: Path, root: Path, seen: set[str]) -> Iterator[tuple[Path, Path]]:
    real = os.path.realpath(folder)
    if real in seen:
        return
    seen.add(real)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        path = Path(entry.path)
        try:
            is_dir = entry.is_dir()  # follows symlinks; loops are cut by `seen`
        except OSError:
            is_dir = False
        if is_dir:
            yield from _walk_dir(path, root, seen)
        else:
            yield path, root


def count_files(paths: Iterable[str | os.PathLike]) -> int:
    return sum(1 for _ in walk(paths))


# --- decoding ----------------------------------------------------------------


def decode(data: bytes) -> str:
    """Bytes to text: BOMs, UTF-8, UTF-16, then charset detection. Raises NotText."""
    if not data.strip():
        raise NotText("empty file")
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return _text_only(data.decode(codec))
            except UnicodeDecodeError:
                raise NotText(f"not valid {codec.upper()} text despite its byte-order mark") from None
    codec = _utf16_without_bom(data)
    if codec:
        try:
            return _text_only(data.decode(codec))
        except UnicodeDecodeError:
            pass
    if _looks_binary(data):
        raise NotText("binary data, not text")
    try:
        return _text_only(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    western = _western(data)
    if western is not None:
        return _text_only(western)
    best = charset_normalizer.from_bytes(data[:200_000]).best()
    if best is None:
        raise NotText("not text in any known encoding")
    return _text_only(data.decode(best.encoding, errors="replace"))


def _western(data: bytes) -> str | None:
    """cp1252 (a superset of Latin-1's printable range) when it decodes and reads as Latin script:
    accented letters are a minority of letters, as in French, German or English with a "café"."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    letters = [c for c in text if c.isalpha()]
    accented = sum(1 for c in letters if not c.isascii())
    return text if letters and accented <= 0.3 * len(letters) else None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a BOM has a NUL in every other byte of ASCII characters."""
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _looks_binary(data: bytes) -> bool:
    """Many NULs or control bytes: an image, an archive, an executable."""
    sample = data[:8192]
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls > 0.05 * len(sample)


def _text_only(text: str) -> str:
    """Drop the odd NUL a broken scraper leaves; an all-blank text is no text."""
    text = text.replace("\x00", "")
    if not text.strip():
        raise NotText("empty file")
    return text


# --- files -------------------------------------------------------------------


def suffix(path: Path) -> str | None:
    name = path.name.lower()
    return next((s for s in SUFFIXES if name.endswith(s)), None)


def stem(path: Path) -> str:
    kind = suffix(path)
    return path.name[: -len(kind)] if kind else path.stem


def read_bytes(path: Path, max_bytes: int, compressed: bool) -> bytes:
    """The file's bytes (decompressed), refusing more than max_bytes. Raises TooBig, OSError, EOFError."""
    opener = gzip.open if compressed else open
    with opener(path, "rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooBig(_too_big(max_bytes))
    return data


def _too_big(max_bytes: int) -> str:
    return f"larger than the size limit ({max_bytes / 1024 / 1024:.1f} MB; raise it with --max-mb)"


def read(
    paths: Iterable[str | os.PathLike], max_bytes: int = MAX_BYTES, on_file: Callable[[Path], None] | None = None
) -> Iterator[Record]:
    """Every article in every file below `paths`, or the reason it could not be read."""
    for path, root in walk(paths):
        if on_file:
            on_file(path)
        yield from read_file(path, root, max_bytes)


def read_file(path: Path, root: Path, max_bytes: int = MAX_BYTES) -> Iterator[Record]:
    kind = suffix(path)
    if kind is None:
        yield Reject(
            str(path),
            None,
            f"not a supported file type ({path.suffix or 'no extension'}; "
            "expected .txt .html .html.gz .json .jsonl .jsonl.gz .warc .warc.gz)",
        )
        return
    reader = READERS[kind.removesuffix(".gz")]
    try:
        yield from reader(path, _relative(path, root), max_bytes, kind.endswith(".gz"))
    except PermissionError:
        yield Reject(str(path), None, "permission denied")
    except (EOFError, zlib.error, gzip.BadGzipFile) as error:
        yield Reject(str(path), None, _gzip_reason(error))
    except TooBig as error:
        yield Reject(str(path), None, str(error))
    except NotText as error:
        yield Reject(str(path), None, str(error))
    except OSError as error:
        yield Reject(str(path), None, f"could not be read: {error.strerror or error}")


def _gzip_reason(error: Exception) -> str:
    if isinstance(error, EOFError):
        return "truncated gzip: the file ends before the compressed data does"
    return f"corrupt gzip data ({error})"


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def read_text(path: Path, origin: str, max_bytes: int, compressed: bool) -> Iterator[Record]:
    text = decode(read_bytes(path, max_bytes, compressed))
    yield Raw(str(path), None, origin, stem(path), "text", text)


def read_html(path: Path, origin: str, max_bytes: int, compressed: bool) -> Iterator[Record]:
    html = decode(read_bytes(path, max_bytes, compressed))
    yield Raw(str(path), None, origin, stem(path), "html", html)


def read_json(path: Path, origin: str, max_bytes: int, compressed: bool) -> Iterator[Record]:
    text = decode(read_bytes(path, max_bytes, compressed))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        yield Reject(str(path), None, f"invalid JSON: {error.msg} at line {error.lineno} column {error.colno}")
        return
    yield from_object(data, path, None, origin, stem(path))


def read_jsonl(path: Path, origin: str, max_bytes: int, compressed: bool) -> Iterator[Record]:
    """One article a line; a bad line is rejected on its own and the others still load."""
    opener = gzip.open if compressed else open
    number = 0
    with opener(path, "rb") as handle:
        while True:
            line = handle.readline(max_bytes + 1)
            if not line:
                break
            number += 1
            if len(line) > max_bytes:
                yield Reject(str(path), number, "line " + _too_big(max_bytes))
                if not line.endswith(b"\n"):
                    _skip_rest_of_line(handle, max_bytes)
                continue
            if not line.strip():
                continue
            yield _jsonl_record(line, path, number, origin)


def _skip_rest_of_line(handle: io.BufferedIOBase, chunk: int) -> None:
    while True:
        part = handle.readline(chunk)
        if not part or part.endswith(b"\n"):
            return


def _jsonl_record(line: bytes, path: Path, number: int, origin: str) -> Record:
    try:
        data = json.loads(line.decode("utf-8-sig" if number == 1 else "utf-8").strip())
    except UnicodeDecodeError:
        return Reject(str(path), number, "not UTF-8 text (JSON Lines must be UTF-8)")
    except json.JSONDecodeError as error:
        return Reject(str(path), number, f"invalid JSON: {error.msg} at column {error.colno}")
    return from_object(data, path, number, f"{origin}:{number}", f"{stem(path)}:{number}")


# news-please and similar scrapers use these names for the same fields.
FIELDS = {
    "text": ("text", "maintext", "body", "content", "article"),
    "html": ("html", "raw_html", "content_html"),
    "title": ("title", "headline"),
    "url": ("url", "link", "canonical_url"),
    "published": ("published", "date_publish", "date", "pubdate", "published_at", "publish_date"),
    "source": ("source", "source_domain", "outlet", "site_name", "sitename"),
    "id": ("id", "_id", "guid", "uuid"),
}


def _field(data: dict, name: str) -> str | None:
    for key in FIELDS[name]:
        value = data.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and name == "id":
            return str(value)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def from_object(data: object, path: Path, line: int | None, origin: str, fallback_id: str) -> Record:
    """A scraper's JSON object as a Raw; its own url and id, when present, become the origin."""
    if not isinstance(data, dict):
        return Reject(str(path), line, f"not a JSON object (found {type(data).__name__})")
    text, html = _field(data, "text"), _field(data, "html")
    if text is None and html is None:
        return Reject(str(path), line, "no text: the object has no non-empty text or html field")
    url, own_id = _field(data, "url"), _field(data, "id")
    return Raw(
        path=str(path),
        line=line,
        origin=url or own_id or origin,
        external_id=own_id or fallback_id,
        kind="text" if text is not None else "html",
        content=(text if text is not None else html).replace("\x00", ""),
        url=url,
        source=_field(data, "source"),
        title=_field(data, "title"),
        published=_field(data, "published"),
    )


def read_warc(path: Path, origin: str, max_bytes: int, compressed: bool) -> Iterator[Record]:
    """Response records with HTML payloads; other records (requests, metadata) are not articles."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    number = 0
    try:
        with open(path, "rb") as handle:
            for record in ArchiveIterator(handle):
                if not record.format.startswith("warc"):
                    yield Reject(str(path), None, "not a WARC archive (no WARC/1.x record header)")
                    return
                if record.rec_type != "response":
                    continue
                number += 1
                yield _warc_record(record, path, number, max_bytes)
    except ArchiveLoadFailed as error:
        yield Reject(str(path), number + 1 if number else None, f"not a readable WARC archive ({_first_line(error)})")
    except (EOFError, zlib.error) as error:
        yield Reject(str(path), number + 1 if number else None, _gzip_reason(error))
    if number == 0:
        yield Reject(str(path), None, "WARC archive holds no response records")


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or ["unknown error"])[0][:120]


def _warc_record(record, path: Path, number: int, max_bytes: int) -> Record:
    url = record.rec_headers.get_header("WARC-Target-URI")
    content_type = (record.http_headers.get_header("Content-Type") if record.http_headers else None) or ""
    if content_type and "html" not in content_type.lower():
        return Reject(str(path), number, f"not an HTML page ({content_type.split(';')[0].strip()})")
    data = record.content_stream().read(max_bytes + 1)
    if len(data) > max_bytes:
        return Reject(str(path), number, "record " + _too_big(max_bytes))
    if getattr(record.raw_stream, "limit", 0):
        return Reject(str(path), number, "truncated WARC record: the archive ends before the record does")
    try:
        html = decode(data)
    except NotText as error:
        return Reject(str(path), number, str(error))
    name = url or f"{path.name}:{number}"
    return Raw(str(path), number, name, f"{stem(path)}:{number}", "html", html, url=url)


READERS: dict[str, Callable[[Path, str, int, bool], Iterator[Record]]] = {
    ".txt": read_text,
    ".html": read_html,
    ".htm": read_html,
    ".json": read_json,
    ".jsonl": read_jsonl,
    ".warc": read_warc,
}
