"""The HTTP API of `dateline serve`: JSON over the Python API, the web page, and uploads to ingest.

The contract is docs/api.md. A bad parameter gets 400 `{"error": "..."}` naming it, never a 500.
Scraped text leaves as JSON strings, verbatim: escaping it is the page's job, and the
Content-Security-Policy on every answer keeps a slip there from running anything.
"""

from __future__ import annotations

import hmac
import logging
import queue
import re
import secrets
import shutil
import tempfile
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.background import BackgroundTask
from starlette.datastructures import MutableHeaders, UploadFile
from starlette.exceptions import HTTPException

from . import corpus as corpus_api
from . import export as export_tables
from . import params, render
from .store import QueryError, StoreError

if TYPE_CHECKING:  # the pipeline (spaCy) loads on the first ingest, not with the server
    from .corpus import Corpus
    from .pipeline import Report
    from .timeline import Timeline

log = logging.getLogger("dateline.api")

WEB = Path(__file__).parent / "web"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
# Swagger UI comes from a CDN and starts with an inline script: only /docs gets this policy.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
MAX_SIZE = 200
EXPORT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "timelinejs": "application/json",
}
EXPORT_SUFFIXES = {"timelinejs": "timelinejs.json"}
FINISHED_JOBS_KEPT = 100


class ApiError(Exception):
    """A request the API refuses; `message` names the parameter and the mistake."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers


class TooLarge(Exception):
    """An upload went past the limit while it was arriving."""


def create_app(
    db_path: str, token: str | None = None, max_upload_mb: int = 50, *, allowed_hosts: list[str] | None = None
) -> FastAPI:
    """The API over the database at `db_path`.

    `token` enables POST /api/ingest (disabled without one). `allowed_hosts`, when given, refuses
    other Host headers: a server on 127.0.0.1 is then safe from DNS rebinding.
    """
    corpus_api.open(db_path).close()  # fail now on an unusable database, and migrate it once, not per thread
    token = token or None  # DATELINE_TOKEN= (empty) must not open uploads to an empty password
    corpora = Corpora(db_path)
    timelines = Kept(corpora, _timeline, size=32)
    networks = Kept(corpora, _network, size=16)
    jobs = Jobs(db_path)
    app = FastAPI(
        title="dateline",
        version="0.1.0",
        docs_url="/docs",
        redoc_url=None,
        description="What happened, when, who said what, and where is it written — as JSON. Contract: docs/api.md.",
    )
    app.add_middleware(Guard, allowed_hosts=allowed_hosts)
    install_error_handlers(app)
    add_read_routes(app, corpora, timelines)
    add_network_routes(app, corpora, networks)
    # The page's opening timeline (app.js), made while the server already answers. Not its network:
    # over a whole corpus that reads every mention (minutes at a million articles), and the server
    # would answer slowly all that time (one interpreter).
    app.state.warming = [timelines.warm(OPENING_TIMELINE)]
    add_ingest_routes(app, jobs, token, max_upload_mb * 1024 * 1024)
    add_page_routes(app)
    return app


# --- plumbing: one corpus per thread, headers, errors ------------------------------------------


class Corpora:
    """One open corpus per server thread: SQLite connections belong to one thread, and a warm one keeps its cache."""

    def __init__(self, path: str):
        self.path = path
        self.local = threading.local()

    def get(self) -> corpus_api.Corpus:
        corpus = getattr(self.local, "corpus", None)
        if corpus is None:
            corpus = self.local.corpus = corpus_api.open(self.path)
        return corpus


TimelineKey = tuple[str | None, date | None, date | None, int | None, int]
OPENING_TIMELINE: TimelineKey = (None, None, None, None, 2)  # the whole corpus, two sentences a date
Key = TypeVar("Key")
Made = TypeVar("Made")


class Kept(Generic[Key, Made]):
    """What `make(corpus, key)` made lately, kept while the database is unchanged (the least recently
    used goes first past `size`); made once when several requests ask for it at the same time.

    The page asks for one timeline and one network for its view, again for each export, on the back
    button and on every reload. The opening timeline is made in the background as the server starts
    (`warm`): the server answers at once on any corpus size, and that timeline, a second or more at a
    million articles, is usually ready before anyone asks for it.
    """

    def __init__(self, corpora: Corpora, make: Callable[[Corpus, Key], Made], size: int):
        self.corpora, self.make, self.size = corpora, make, size
        self.made: OrderedDict[Key, tuple[int, Made]] = OrderedDict()
        self.making: dict[Key, threading.Lock] = {}  # a lock per key being made: the others wait for it
        self.lock = threading.Lock()

    def get(self, key: Key) -> Made:
        corpus = self.corpora.get()
        version = corpus.store.version()
        with self.lock:
            making = self.making.setdefault(key, threading.Lock())
        with making:
            with self.lock:
                kept = self.made.get(key)
                if kept is not None and kept[0] == version:
                    self.made.move_to_end(key)
                    return kept[1]
            made = self.make(corpus, key)
            with self.lock:
                self.made[key] = (version, made)
                self.made.move_to_end(key)
                while len(self.made) > self.size:
                    self.made.popitem(last=False)
                self.making.pop(key, None)
        return made

    def warm(self, key: Key) -> threading.Thread:
        """Make `key` in a background thread (a failure there is logged; a request will meet it again)."""

        def make() -> None:
            try:
                self.get(key)
            except Exception:
                log.exception("could not prepare %r in the background", key)

        thread = threading.Thread(target=make, name="dateline-warm", daemon=True)
        thread.start()
        return thread


def _timeline(corpus: Corpus, key: TimelineKey) -> Timeline:
    query, start, end, max_dates, per_date = key
    return corpus.timeline(query, start=start, end=end, max_dates=max_dates, per_date=per_date)


class Guard:
    """Security headers on every answer (errors included), a Host check, and JSON instead of a crash page."""

    def __init__(self, app: Callable, allowed_hosts: list[str] | None = None):
        self.app = app
        self.allowed = {h.lower() for h in allowed_hosts} if allowed_hosts else None

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = DOCS_CSP if scope["path"].startswith("/docs") else CSP
        started = False

        async def send_with_headers(message: dict) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = policy
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
            await send(message)

        host = _host(scope)
        if self.allowed is not None and host not in self.allowed:
            await error(400, f"Host {host or '(none)'}: not served here; use one of {', '.join(sorted(self.allowed))}")(
                scope, receive, send_with_headers
            )
            return
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("unexpected error answering %s %s", scope.get("method"), scope["path"])
            if started:
                raise
            await error(500, "internal error: the server log has the details")(scope, receive, send_with_headers)


def _host(scope: dict) -> str:
    """The Host header without its port ("[::1]:8000" -> "::1")."""
    value = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1").strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def refused(request: Request, exc: ApiError) -> JSONResponse:
        return error(exc.status, exc.message, exc.headers)

    @app.exception_handler(QueryError)
    async def bad_query(request: Request, exc: QueryError) -> JSONResponse:
        return error(400, f"q: {params.query_hint(exc)}")

    @app.exception_handler(StoreError)
    async def unusable(request: Request, exc: StoreError) -> JSONResponse:
        return error(503, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error(400, validation_message(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        message = f"not found: {request.url.path}" if exc.status_code == 404 else str(exc.detail)
        if exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
        return error(exc.status_code, message, getattr(exc, "headers", None))


def validation_message(exc: RequestValidationError) -> str:
    """FastAPI's first complaint in the API's words: 'page abc: not a whole number'."""
    problem = exc.errors()[0]
    name = str(problem["loc"][-1]) if problem.get("loc") else "request"
    what = "not a whole number" if problem.get("type") == "int_parsing" else problem.get("msg", "not valid")
    value = problem.get("input")
    if problem.get("type") == "missing" or not isinstance(value, (str, int, float)):
        return f"{name}: {what[:1].lower()}{what[1:]}"
    return f"{name} {value}: {what[:1].lower()}{what[1:]}"


# --- parameters ----------------------------------------------------------------------------


def days(start: str | None, end: str | None) -> tuple[date | None, date | None]:
    """The from/to parameters as dates; empty means none (what a form sends for a blank field)."""
    try:
        return params.day_range(start or None, end or None, names=("from", "to"))
    except params.ParamError as mistake:
        raise ApiError(400, str(mistake)) from None


def within(name: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise ApiError(400, f"{name} {value}: must be {low}..{high}")
    return value


@dataclass(frozen=True, slots=True)
class Page:
    number: int
    size: int

    @classmethod
    def of(cls, page: int, size: int) -> Page:
        if page < 1:
            raise ApiError(400, f"page {page}: must be 1 or more")
        return cls(page, within("size", size, 1, MAX_SIZE))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    def answer(self, request: Request, items: list[Any], total: int) -> JSONResponse:
        """`{"items", "total", "next"}`; next is the relative URL of the following page, or null."""
        following = None
        if self.offset + len(items) < total:
            following = f"{request.url.path}?{request.url.include_query_params(page=self.number + 1).query}"
        return JSONResponse({"items": items, "total": total, "next": following})


def text(value: str | None) -> str | None:
    """A free-text parameter; blank means none."""
    return value if value and value.strip() else None


# --- reading -------------------------------------------------------------------------------
# Plain `def` routes: FastAPI runs them on its thread pool, each thread with its own corpus.
# They answer with JSONResponse directly: the Python API already gives JSON-ready values.

LIST_FIELDS = ("id", "title", "source", "published", "published_source", "url", "story", "duplicate_of", "language")


def add_read_routes(app: FastAPI, corpora: Corpora, timelines: Kept[TimelineKey, Timeline]) -> None:
    @app.get("/api/articles", summary="Articles the query selects, oldest first (paged)")
    def articles(
        request: Request,
        q: str | None = None,
        story: str | None = None,
        source: str | None = None,
        entity: str | None = None,
        start: str | None = Query(None, alias="from"),
        end: str | None = Query(None, alias="to"),
        page: int = 1,
        size: int = 50,
    ) -> JSONResponse:
        first, last = days(start, end)
        chosen = Page.of(page, size)
        found, total = corpora.get().article_page(
            text(q),
            entity=text(entity),
            source=text(source),
            story=text(story),
            start=first,
            end=last,
            offset=chosen.offset,
            limit=chosen.size,
        )
        items = [{name: record[name] for name in LIST_FIELDS} for record in (a.to_dict() for a in found)]
        return chosen.answer(request, items, total)

    @app.get("/api/articles/{article_id}", summary="One article: text, story, duplicates, entities, quotes")
    def article(article_id: str) -> JSONResponse:
        details = corpora.get().details(article_id)
        if details is None:
            raise ApiError(404, f"no article {article_id}")
        return JSONResponse(details)

    @app.get("/api/stories", summary="Stories overlapping [from, to], oldest first (paged)")
    def stories(
        request: Request,
        start: str | None = Query(None, alias="from"),
        end: str | None = Query(None, alias="to"),
        page: int = 1,
        size: int = 50,
    ) -> JSONResponse:
        first, last = days(start, end)
        chosen = Page.of(page, size)
        items, total = corpora.get().story_page(start=first, end=last, offset=chosen.offset, limit=chosen.size)
        return chosen.answer(request, items, total)

    @app.get("/api/entities", summary="Entities whose alias has a word starting with q (autocomplete)")
    def entities(q: str = "", limit: int = 10) -> JSONResponse:
        within("limit", limit, 1, MAX_SIZE)
        return JSONResponse({"items": corpora.get().entities_starting(q, limit)})

    @app.get("/api/quotes", summary="Who said what, oldest first (paged)")
    def quotes(
        request: Request,
        speaker: str | None = None,
        q: str | None = None,
        start: str | None = Query(None, alias="from"),
        end: str | None = Query(None, alias="to"),
        page: int = 1,
        size: int = 50,
    ) -> JSONResponse:
        first, last = days(start, end)
        chosen = Page.of(page, size)
        items, total = corpora.get().quote_page(
            text(speaker), query=text(q), start=first, end=last, offset=chosen.offset, limit=chosen.size
        )
        return chosen.answer(request, items, total)

    def timeline(
        q: str | None, start: str | None, end: str | None, max_dates: int | None, sentences_per_date: int
    ) -> Timeline:
        first, last = days(start, end)
        if max_dates is not None:
            within("max_dates", max_dates, 1, 500)
        within("sentences_per_date", sentences_per_date, 1, 20)
        return timelines.get((text(q), first, last, max_dates, sentences_per_date))

    @app.get("/api/timeline", summary="The timeline, as `dateline timeline --json` prints it")
    def timeline_json(
        q: str | None = None,
        start: str | None = Query(None, alias="from"),
        end: str | None = Query(None, alias="to"),
        max_dates: int | None = None,
        sentences_per_date: int = 1,
    ) -> JSONResponse:
        return JSONResponse(timeline(q, start, end, max_dates, sentences_per_date).to_json())

    @app.get("/api/timeline/export", summary="The timeline as a file: json, csv, md, timelinejs or html")
    def timeline_export(
        format: str = "json",
        q: str | None = None,  # noqa: A002 — the contract's name
        start: str | None = Query(None, alias="from"),
        end: str | None = Query(None, alias="to"),
        max_dates: int | None = None,
        sentences_per_date: int = 1,
    ) -> Response:
        if format not in render.RENDERERS:
            raise ApiError(400, f"format {format}: choose one of {', '.join(render.RENDERERS)}")
        body = render.RENDERERS[format](timeline(q, start, end, max_dates, sentences_per_date))
        name = f"timeline-{slug(q)}.{EXPORT_SUFFIXES.get(format, format)}"
        return Response(
            body,
            media_type=EXPORT_TYPES.get(format, "application/octet-stream"),
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @app.get("/api/attention", summary="Articles per day per outlet for what the query selects")
    def attention(
        q: str | None = None, start: str | None = Query(None, alias="from"), end: str | None = Query(None, alias="to")
    ) -> JSONResponse:
        first, last = days(start, end)
        return JSONResponse({"days": corpora.get().attention(text(q), start=first, end=last)})

    @app.get("/api/search", summary="Full-text search, best match first")
    def search(q: str = "", limit: int = 50) -> JSONResponse:
        if not q.strip():
            raise ApiError(400, "q: give words to search for")
        within("limit", limit, 1, MAX_SIZE)
        return JSONResponse({"items": corpora.get().search(q, limit)})


def slug(query: str | None) -> str:
    """A file-name-safe form of the query (the header must not carry quotes or newlines from it)."""
    return re.sub(r"[^A-Za-z0-9]+", "-", query or "").strip("-")[:40].lower() or "all"


# --- the corpus as tables, and the entity network ------------------------------------------

NETWORK_NODES = 80  # the page shows the most-mentioned entities: a readable picture, a small answer
NetworkKey = tuple[str | None, date | None, date | None, int, int]


def _network(corpus: Corpus, key: NetworkKey) -> dict:
    """The page's network as JSON (a network reads every mention of its articles: worth keeping)."""
    query, start, end, min_weight, max_nodes = key
    return corpus.network(
        query, start=start, end=end, min_weight=min_weight, max_nodes=max_nodes, sentences=True
    ).to_json()


def add_network_routes(app: FastAPI, corpora: Corpora, networks: Kept[NetworkKey, dict]) -> None:
    @app.get("/api/network", summary="Who appears with whom: entities named in one sentence, with evidence")
    def network_json(
        q: str | None = None,
        start: str | None = Query(None, alias="from"),
        end: str | None = Query(None, alias="to"),
        min_weight: int = 1,
        max_nodes: int = NETWORK_NODES,
    ) -> JSONResponse:
        first, last = days(start, end)
        within("min_weight", min_weight, 1, 1_000_000)
        within("max_nodes", max_nodes, 1, 500)
        return JSONResponse(networks.get((text(q), first, last, min_weight, max_nodes)))

    @app.get("/api/export", summary="The selected articles and what hangs off them, as tables in a zip")
    def export_zip(
        format: str = "parquet",  # noqa: A002 — the contract's name
        q: str | None = None,
        start: str | None = Query(None, alias="from"),
        end: str | None = Query(None, alias="to"),
    ) -> FileResponse:
        if format not in export_tables.FORMATS:
            raise ApiError(400, f"format {format}: choose one of {', '.join(export_tables.FORMATS)}")
        first, last = days(start, end)
        scratch = Path(tempfile.mkdtemp(prefix="dateline-export-"))
        try:
            corpora.get().export(scratch / "tables", text(q), start=first, end=last, format=format)
            packed = zip_folder(scratch / "tables", scratch / "export.zip")
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        return FileResponse(
            packed,
            media_type="application/zip",
            filename=f"dateline-{slug(q)}-{format}.zip",
            background=BackgroundTask(shutil.rmtree, scratch, ignore_errors=True),
        )


def zip_folder(folder: Path, target: Path) -> Path:
    """The files of `folder` in one zip, in name order (Parquet is compressed already: stored as is)."""
    with zipfile.ZipFile(target, "w") as packed:
        for path in sorted(folder.iterdir()):
            kind = zipfile.ZIP_STORED if path.suffix == ".parquet" else zipfile.ZIP_DEFLATED
            packed.write(path, path.name, compress_type=kind)
    return target


# --- ingest: uploads become jobs on a background thread -----------------------------------


@dataclass(slots=True)
class Job:
    id: str
    folder: Path
    status: str = "queued"
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("read", "stored", "unchanged", "rejected", "duplicates"), 0)
    )
    error: str | None = None

    def progress(self, report: Report) -> None:
        # One assignment: a reader on another thread sees all counts of one moment.
        self.counts = {
            "read": report.read,
            "stored": report.stored,
            "unchanged": report.unchanged,
            "rejected": report.rejected,
            "duplicates": report.duplicates,
        }

    def to_json(self) -> dict:
        return {"job": self.id, "status": self.status, **self.counts, "error": self.error}


class Jobs:
    """Ingest jobs, one at a time on one background thread.

    The pipeline commits batch by batch and SQLite is in WAL mode, so the API keeps
    answering from the last committed batch meanwhile. A killed server loses only the
    job record: re-uploading finishes the work (ids hash origin + content).
    """

    def __init__(self, db_path: str):
        self.db_path = db_path
        self.jobs: dict[str, Job] = {}
        self.lock = threading.Lock()
        self.waiting: queue.Queue[Job] = queue.Queue()
        self.worker: threading.Thread | None = None

    def submit(self, folder: Path) -> Job:
        job = Job(secrets.token_hex(8), folder)
        with self.lock:
            self._forget_finished()
            self.jobs[job.id] = job
            if self.worker is None:  # daemon: Ctrl+C on the server must not wait for an ingest
                self.worker = threading.Thread(target=self._work, name="dateline-ingest", daemon=True)
                self.worker.start()
        self.waiting.put(job)
        return job

    def get(self, job_id: str) -> Job | None:
        with self.lock:
            return self.jobs.get(job_id)

    def _forget_finished(self) -> None:
        finished = [i for i, job in self.jobs.items() if job.status in ("done", "failed")]
        for job_id in finished[: max(0, len(finished) - FINISHED_JOBS_KEPT + 1)]:
            del self.jobs[job_id]

    def _work(self) -> None:
        while True:
            self._run(self.waiting.get())

    def _run(self, job: Job) -> None:
        job.status = "running"
        try:
            with corpus_api.open(self.db_path) as corpus:
                # One process: a pool forked from a threaded server is asking for trouble.
                job.progress(corpus.ingest([str(job.folder)], progress=job.progress))
            job.status = "done"
        except Exception as failure:  # the job says why; the server goes on
            log.exception("ingest job %s failed", job.id)
            job.error = f"{type(failure).__name__}: {failure}"
            job.status = "failed"
        finally:
            shutil.rmtree(job.folder, ignore_errors=True)


def add_ingest_routes(app: FastAPI, jobs: Jobs, token: str | None, limit: int) -> None:
    @app.post("/api/ingest", status_code=202, summary="Upload files (multipart) or a JSONL body to ingest")
    async def ingest(request: Request) -> JSONResponse:
        authorise(request, token)  # before reading a byte of the body
        folder = await receive(request, limit)
        job = jobs.submit(folder)
        return JSONResponse({"job": job.id, "status": job.status}, status_code=202)

    @app.get("/api/jobs/{job_id}", summary="An ingest job's status and counts")
    def job_status(job_id: str) -> JSONResponse:
        job = jobs.get(job_id)
        if job is None:
            raise ApiError(404, f"no job {job_id}")
        return JSONResponse(job.to_json())


def authorise(request: Request, token: str | None) -> None:
    if token is None:
        raise ApiError(403, "ingest is disabled: start the server with --token")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise ApiError(
            401,
            "Authorization: wrong or missing token (send 'Authorization: Bearer <token>')",
            {"WWW-Authenticate": "Bearer"},
        )


async def receive(request: Request, limit: int) -> Path:
    """Save the upload into a fresh temporary folder: each multipart file, or the body as one JSONL file."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    folder = Path(tempfile.mkdtemp(prefix="dateline-upload-"))
    try:
        bounded = Request(request.scope, counting(request.receive, limit))
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media == "multipart/form-data":
            saved = await save_files(bounded, folder)
        else:
            saved = await save_body(
                bounded, folder / ("upload.json" if media == "application/json" else "upload.jsonl")
            )
        if not saved:
            raise ApiError(400, "nothing to ingest: send files (multipart/form-data) or a JSONL body")
    except TooLarge:
        shutil.rmtree(folder, ignore_errors=True)
        raise too_large(limit) from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def too_large(limit: int) -> ApiError:
    return ApiError(413, f"upload larger than {limit // (1024 * 1024)} MB: send less at a time")


def counting(receive: Callable[[], Awaitable[dict]], limit: int) -> Callable[[], Awaitable[dict]]:
    """The request's receive, stopping once more than `limit` bytes arrived (a body without Content-Length)."""
    seen = 0

    async def bounded() -> dict:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise TooLarge()
        return message

    return bounded


async def save_body(request: Request, target: Path) -> int:
    written = 0
    with target.open("wb") as out:
        async for chunk in request.stream():
            out.write(chunk)
            written += len(chunk)
    return 1 if written else 0


async def save_files(request: Request, folder: Path) -> int:
    """Each uploaded file under its own (sanitised) name: the name is part of an article's id."""
    form = await request.form(max_files=10_000, max_fields=100)
    taken: set[str] = set()
    try:
        for _, value in form.multi_items():
            if isinstance(value, UploadFile):
                name = safe_name(value.filename, taken)
                with (folder / name).open("wb") as out:
                    shutil.copyfileobj(value.file, out)
    finally:
        await form.close()
    return len(taken)


def safe_name(filename: str | None, taken: set[str]) -> str:
    """A file name that stays inside the folder: no directories, no leading dots, no odd characters."""
    name = Path((filename or "").replace("\\", "/")).name.lstrip(".")
    name = re.sub(r"[^\w.\-]+", "_", name)[:150] or "upload"
    while name in taken:
        name = f"{len(taken)}-{name}"
    taken.add(name)
    return name


# --- the page ------------------------------------------------------------------------------


def add_page_routes(app: FastAPI) -> None:
    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        page = WEB / "index.html"
        if not page.is_file():
            raise ApiError(404, f"the web page is missing ({page}); the API is under /api/")
        return FileResponse(page, headers={"Cache-Control": "no-cache"})

    app.mount("/static", PageFiles(directory=WEB, check_dir=False), name="static")


class PageFiles(StaticFiles):
    """The page's files. Without their folder the API still works and /static answers 404, not 500."""

    async def check_config(self) -> None:
        if not Path(self.directory).is_dir():
            raise HTTPException(404)
        await super().check_config()
