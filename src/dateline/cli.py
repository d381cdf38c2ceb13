"""The command line: thin wrappers over the Python API. The only module that prints.

Results go to stdout (a table on a terminal, or --json / --jsonl / --csv);
progress and messages go to stderr. User mistakes get one line that names
the mistake and the fix, never a traceback.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer._click.exceptions import ClickException, UsageError  # typer vendors click

from . import corpus as corpus_api
from . import export as export_tables
from . import network as entity_network
from . import params, read, render
from .executor import SCHEDULER_ENV, SchedulerError, SchedulerLost, default_workers
from .models import Article, Reject
from .store import QueryError, StoreError
from .timeline import Chosen

if TYPE_CHECKING:
    from .pipeline import Report

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Turn scraped news articles into clean, dated, sourced timelines.",
)
out = Console()
err = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[str | None, typer.Option("--db", help="Database file (default: $DATELINE_DB or ./dateline.db).")]
JsonOption = Annotated[bool, typer.Option("--json", help="One JSON array on stdout.")]
WorkersOption = Annotated[
    int,
    typer.Option(
        "--workers",
        help=f"Processes for the per-article work (0 = one per core, as memory allows: "
        f"{default_workers()} on this machine).",
    ),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help=f"Run the per-article work on a Dask cluster: its scheduler's address (tcp://HOST:8786), "
        f"or 'local' for a LocalCluster of --workers processes (default: ${SCHEDULER_ENV}, else this machine's pool).",
    ),
]
JsonlOption = Annotated[bool, typer.Option("--jsonl", help="One JSON object a line, streamed.")]
CsvOption = Annotated[bool, typer.Option("--csv", help="CSV with a header row.")]

ARTICLE_COLUMNS = ["id", "published", "published_source", "source", "title", "duplicate_of"]


class UserError(UsageError):
    """A mistake the user can fix; the message says how. Exit code 2, no traceback."""


class Unusable(ClickException):
    """The command could not run (an unusable database); exit code 1, no traceback."""


def date_range(start: str | None, end: str | None) -> tuple[date | None, date | None]:
    try:
        return params.day_range(start, end)
    except params.ParamError as mistake:
        raise UserError(str(mistake)) from None


def outlets(sentence: Chosen) -> str:
    """Every outlet that carried a timeline sentence, each named once."""
    names = [sentence.source or "?"] + [c.get("source") or "?" for c in sentence.carried_by]
    return ", ".join(dict.fromkeys(names))


def via(sentence: Chosen) -> str:
    """How a timeline sentence came to its date; a report names the day it appeared."""
    if sentence.date_source == "reported" and sentence.published:
        return f"reported {sentence.published.isoformat()}"
    return sentence.date_source


def check_workers(workers: int) -> None:
    if workers < 0:
        raise UserError(f"--workers {workers}: must be 1 or more (0 = one per core, as memory allows)")


def check_paths(paths: list[Path]) -> None:
    for path in paths:
        if not path.exists():
            raise UserError(f"{path}: no such file or folder")


def query_error(error: QueryError) -> UserError:
    return UserError(params.query_hint(error))


def open_corpus(db: str | None) -> corpus_api.Corpus:
    try:
        return corpus_api.open(db)
    except StoreError as error:
        raise Unusable(str(error)) from None


def output_format(as_json: bool, as_jsonl: bool, as_csv: bool) -> str:
    chosen = [name for name, on in (("json", as_json), ("jsonl", as_jsonl), ("csv", as_csv)) if on]
    if len(chosen) > 1:
        raise UserError(f"choose one output format, not {' and '.join('--' + c for c in chosen)}")
    return chosen[0] if chosen else "table"


@contextmanager
def reader_may_stop():
    """`dateline articles | head`: a reader that stops early ends the command quietly, with exit 0.

    (Click would report the broken pipe as exit 1.) stdout then points at /dev/null, so the
    interpreter's last flush does not fail again.
    """
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(0) from None


def emit(rows: Iterable[dict], fmt: str, columns: list[str], title: str | None = None) -> int:
    """Write records in the chosen format; returns how many were written."""
    with reader_may_stop():
        return _emit(rows, fmt, columns, title)


def _emit(rows: Iterable[dict], fmt: str, columns: list[str], title: str | None) -> int:
    count = 0
    if fmt == "json":
        sys.stdout.write("[")
        for count, row in enumerate(rows, 1):
            sys.stdout.write(("," if count > 1 else "") + "\n" + json.dumps(row, ensure_ascii=False))
        sys.stdout.write("\n]\n" if count else "]\n")
    elif fmt == "jsonl":
        for count, row in enumerate(rows, 1):
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        writer = None
        for count, row in enumerate(rows, 1):
            if writer is None:
                writer = csv.DictWriter(sys.stdout, fieldnames=list(row), extrasaction="ignore")
                writer.writeheader()
            writer.writerow({k: _cell(v) for k, v in row.items()})
    else:
        table = Table(title=title, show_lines=False, header_style="bold")
        for column in columns:
            table.add_column(column, overflow="fold")
        for count, row in enumerate(rows, 1):
            table.add_row(*(_cell(row.get(c)) for c in columns))
        out.print(table)
    sys.stdout.flush()
    return count


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def article_row(article: Article, stored: bool = True) -> dict:
    row = article.to_dict()
    if not stored:
        row.pop("duplicate_of")
        row.pop("story")
    return row


def reject_row(reject: Reject) -> dict:
    return {"path": reject.path, "line": reject.line, "reason": reject.reason}


# --- commands ----------------------------------------------------------------


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to read (recursively).")],
    db: DbOption = None,
    workers: WorkersOption = 0,
    max_mb: Annotated[float, typer.Option("--max-mb", help="Reject articles larger than this many MB.")] = 10,
    scheduler: SchedulerOption = None,
    as_json: JsonOption = False,
) -> None:
    """Read, clean, date and store articles. Running it again on the same inputs changes nothing."""
    check_workers(workers)
    if max_mb <= 0:
        raise UserError(f"--max-mb {max_mb}: must be more than 0")
    check_paths(paths)
    report = run_ingest(open_corpus(db), [str(p) for p in paths], workers, int(max_mb * 1024 * 1024), scheduler)
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict()) + "\n")
    else:
        show_report(report)


def run_ingest(
    corpus: corpus_api.Corpus, paths: list[str], workers: int, max_bytes: int, scheduler: str | None = None
) -> Report:
    """Ingest with a progress bar on a terminal, silently otherwise."""
    try:
        with said_by_the_cluster():
            return _ingest(corpus, paths, workers, max_bytes, scheduler)
    except StoreError as error:
        raise Unusable(str(error)) from None


@contextmanager
def said_by_the_cluster() -> Iterator[None]:
    """A cluster's failures as the command line's errors, without a traceback."""
    try:
        yield
    except SchedulerLost as error:  # it ran, then the cluster went away: not a usage mistake
        raise Unusable(str(error)) from None
    except SchedulerError as error:  # an address the user gave (or $DATELINE_SCHEDULER) that does not work
        raise UserError(str(error)) from None


def _ingest(corpus: corpus_api.Corpus, paths: list[str], workers: int, max_bytes: int, scheduler: str | None) -> Report:
    with corpus:
        if not err.is_terminal:
            return corpus.ingest(paths, workers=workers, max_bytes=max_bytes, scheduler=scheduler)
        total = read.count_files(paths)
        columns = (
            TextColumn("[bold]ingest"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("files"),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=err, transient=True) as bar:
            task = bar.add_task("ingest", total=total, counts="")

            def on_report(report: Report) -> None:
                bar.update(
                    task, counts=f"stored {report.stored} · unchanged {report.unchanged} · rejected {report.rejected}"
                )

            return corpus.ingest(
                paths,
                workers=workers,
                max_bytes=max_bytes,
                scheduler=scheduler,
                progress=on_report,
                on_file=lambda _: bar.advance(task),
            )


def show_report(report: Report) -> None:
    out.print(
        f"read {report.read} = stored {report.stored} + unchanged {report.unchanged} "
        f"+ rejected {report.rejected}; duplicates found {report.duplicates}",
        highlight=False,
    )
    for reason, count in sorted(report.reasons.items(), key=lambda item: (-item[1], item[0])):
        out.print(f"  rejected {count}: {reason}", highlight=False)
    if report.rejected:
        err.print("see why with: dateline rejects", highlight=False)


@app.command()
def parse(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to read (recursively).")],
    workers: WorkersOption = 0,
    scheduler: SchedulerOption = None,
    as_json: JsonOption = False,
    as_jsonl: JsonlOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Read, clean and date articles and print them; store nothing. Rejects go to stderr."""
    fmt = output_format(as_json, as_jsonl, as_csv)
    check_workers(workers)
    check_paths(paths)
    rejected = 0

    def rows() -> Iterable[dict]:
        nonlocal rejected
        for record in corpus_api.parse([str(p) for p in paths], workers=workers, scheduler=scheduler):
            if isinstance(record, Reject):
                rejected += 1
                err.print(
                    f"rejected {record.path}{':' + str(record.line) if record.line else ''}: {record.reason}",
                    highlight=False,
                    markup=False,
                )
            else:
                yield article_row(record, stored=False)

    with said_by_the_cluster():
        emit(rows(), fmt, ARTICLE_COLUMNS)


@app.command()
def articles(
    db: DbOption = None,
    source: Annotated[str | None, typer.Option("--source", help="Only this outlet.")] = None,
    story: Annotated[str | None, typer.Option("--story", help="Only this story id.")] = None,
    start: Annotated[str | None, typer.Option("--from", help="Published on or after (YYYY-MM-DD).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Published on or before (YYYY-MM-DD).")] = None,
    as_json: JsonOption = False,
    as_jsonl: JsonlOption = False,
    as_csv: CsvOption = False,
) -> None:
    """List stored articles, oldest first."""
    fmt = output_format(as_json, as_jsonl, as_csv)
    first, last = date_range(start, end)
    with open_corpus(db) as corpus:
        rows = corpus.articles(source=source, start=first, end=last, story=story)
        emit((corpus.enrich(a) if fmt != "table" else article_row(a) for a in rows), fmt, ARTICLE_COLUMNS)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help='Full-text query: words, "a phrase", OR, NOT, prefix*.')],
    db: DbOption = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many results.")] = 50,
    as_json: JsonOption = False,
    as_jsonl: JsonlOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Full-text search over titles and text, best match first."""
    fmt = output_format(as_json, as_jsonl, as_csv)
    if limit < 1:
        raise UserError(f"--limit {limit}: must be 1 or more")
    with open_corpus(db) as corpus:
        try:
            results = corpus.search(query, limit)
        except QueryError as error:
            raise query_error(error) from None
        emit(results, fmt, ["id", "published", "source", "title", "snippet"])


@app.command()
def dupes(
    db: DbOption = None,
    as_json: JsonOption = False,
    as_jsonl: JsonlOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Duplicate groups: each canonical article with its exact, near and containment copies."""
    fmt = output_format(as_json, as_jsonl, as_csv)
    with open_corpus(db) as corpus:
        emit(corpus.dupes(), fmt, ["canonical", "duplicates"])


@app.command()
def stories(
    db: DbOption = None,
    as_json: JsonOption = False,
    as_jsonl: JsonlOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Stories: groups of articles about one real-world event, oldest first."""
    fmt = output_format(as_json, as_jsonl, as_csv)
    with open_corpus(db) as corpus:
        rows = corpus.stories()
        if fmt == "table":
            rows = ({**row, "articles": len(row["articles"]), "outlets": ", ".join(row["outlets"])} for row in rows)
        emit(rows, fmt, ["id", "first", "last", "articles", "outlets", "label"])


@app.command()
def timeline(
    query: Annotated[str | None, typer.Argument(help="Full-text query selecting articles; none = all.")] = None,
    db: DbOption = None,
    start: Annotated[str | None, typer.Option("--from", help="First date (YYYY-MM-DD).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last date (YYYY-MM-DD).")] = None,
    max_dates: Annotated[
        int | None,
        typer.Option(
            "--max-dates",
            help="At most this many dates (default: every date backed by at least 2 sentences, at most 20).",
        ),
    ] = None,
    per_date: Annotated[int, typer.Option("--sentences-per-date", help="Sentences for each date.")] = 1,
    fmt: Annotated[str, typer.Option("--format", help="table, md, json, csv, html or timelinejs.")] = "table",
    as_json: JsonOption = False,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file.")] = None,
) -> None:
    """What happened, when, and who says so: a dated, sourced timeline."""
    fmt = "json" if as_json else fmt
    if fmt not in render.FORMATS:
        raise UserError(f"--format {fmt}: choose one of {', '.join(render.FORMATS)}")
    first, last = date_range(start, end)
    if max_dates is not None and max_dates < 1:
        raise UserError(f"--max-dates {max_dates}: must be 1 or more")
    if per_date < 1:
        raise UserError(f"--sentences-per-date {per_date}: must be 1 or more")
    with open_corpus(db) as corpus:
        try:
            result = corpus.timeline(query, start=first, end=last, max_dates=max_dates, per_date=per_date)
        except QueryError as error:
            raise query_error(error) from None
    if fmt == "table" and output is None:
        emit(
            (
                {"date": e.date.isoformat(), "sentence": s.text, "source": outlets(s), "via": via(s)}
                for e in result.entries
                for s in e.sentences
            ),
            "table",
            ["date", "sentence", "source", "via"],
            title=f"Timeline: {query}" if query else "Timeline",
        )
        return
    text = render.RENDERERS["md" if fmt == "table" else fmt](result)
    if output is None:
        with reader_may_stop():
            sys.stdout.write(text)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as error:
            raise Unusable(f"cannot write {output}: {error.strerror or error}") from None
        err.print(f"wrote {output}", highlight=False)


@app.command()
def entities(
    db: DbOption = None,
    as_json: JsonOption = False,
    as_jsonl: JsonlOption = False,
    as_csv: CsvOption = False,
) -> None:
    """People, organisations and places, with their aliases and roles, most-mentioned first."""
    fmt = output_format(as_json, as_jsonl, as_csv)
    with open_corpus(db) as corpus:
        rows = corpus.entities()
        if fmt == "table":
            rows = (
                {**row, "aliases": "; ".join(row["aliases"][:6]), "roles": "; ".join(row["roles"][:3])} for row in rows
            )
        emit(rows, fmt, ["name", "type", "article_count", "aliases", "roles"])


@app.command()
def quotes(
    db: DbOption = None,
    speaker: Annotated[str | None, typer.Option("--speaker", help="Only this speaker (any alias).")] = None,
    as_json: JsonOption = False,
    as_jsonl: JsonlOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Who said what: direct and reported quotes with their speakers, oldest first."""
    fmt = output_format(as_json, as_jsonl, as_csv)
    with open_corpus(db) as corpus:
        emit(corpus.quotes(speaker=speaker), fmt, ["published", "speaker", "kind", "text", "source"])


@app.command()
def rejects(
    db: DbOption = None,
    as_json: JsonOption = False,
    as_jsonl: JsonlOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Everything that was read but not stored, and why."""
    fmt = output_format(as_json, as_jsonl, as_csv)
    with open_corpus(db) as corpus:
        emit((reject_row(r) for r in corpus.rejects()), fmt, ["path", "line", "reason"])


@app.command()
def export(
    folder: Annotated[
        Path, typer.Argument(help="Folder for the tables (made if missing; files of the same name are replaced).")
    ],
    query: Annotated[str | None, typer.Argument(help="Full-text query selecting articles; none = all.")] = None,
    db: DbOption = None,
    start: Annotated[str | None, typer.Option("--from", help="Published on or after (YYYY-MM-DD).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Published on or before (YYYY-MM-DD).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="parquet, jsonl or csv.")] = "parquet",
    as_json: Annotated[bool, typer.Option("--json", help="Print the manifest (JSON) instead of a table.")] = False,
) -> None:
    """The corpus as tables, one file each: articles, sentences, entities, mentions, quotes, stories, duplicates."""
    if fmt not in export_tables.FORMATS:
        raise UserError(f"--format {fmt}: choose one of {', '.join(export_tables.FORMATS)}")
    first, last = date_range(start, end)
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{folder}: exists and is not a folder")
    with open_corpus(db) as corpus:
        try:
            done = corpus.export(folder, query, start=first, end=last, format=fmt)
        except QueryError as error:
            raise query_error(error) from None
        except OSError as error:
            raise Unusable(f"cannot write {error.filename or folder}: {error.strerror or error}") from None
    if as_json:
        sys.stdout.write(json.dumps(done.manifest(), ensure_ascii=False) + "\n")
        return
    emit(
        (
            {"table": name, "rows": table["rows"], "file": str(folder / table["file"])}
            for name, table in done.tables.items()
        ),
        "table",
        ["table", "rows", "file"],
        title=f"Export (schema {export_tables.SCHEMA}, {fmt})",
    )


@app.command()
def network(
    query: Annotated[str | None, typer.Argument(help="Full-text query selecting articles; none = all.")] = None,
    db: DbOption = None,
    start: Annotated[str | None, typer.Option("--from", help="Published on or after (YYYY-MM-DD).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Published on or before (YYYY-MM-DD).")] = None,
    min_weight: Annotated[
        int, typer.Option("--min-weight", help="Keep ties of at least this many sentences naming both.")
    ] = 1,
    fmt: Annotated[
        str,
        typer.Option("--format", help="gexf (Gephi, with time spells), graphml, json or csv (edges; nodes beside -o)."),
    ] = "gexf",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file.")] = None,
) -> None:
    """Who appears with whom: entities named in the same sentence, with how often and when."""
    if fmt not in entity_network.FORMATS:
        raise UserError(f"--format {fmt}: choose one of {', '.join(entity_network.FORMATS)}")
    if min_weight < 1:
        raise UserError(f"--min-weight {min_weight}: must be 1 or more")
    first, last = date_range(start, end)
    with open_corpus(db) as corpus:
        try:
            made = corpus.network(query, start=first, end=last, min_weight=min_weight)
        except QueryError as error:
            raise query_error(error) from None
    if output is None:
        with reader_may_stop():
            entity_network.WRITERS[fmt](made, sys.stdout)
        return
    written = [output]
    try:
        with output.open("w", encoding="utf-8", newline="") as out:
            entity_network.WRITERS[fmt](made, out)
        if fmt == "csv":  # an edge list names its ends; the nodes' counts and days go beside it
            written.append(output.with_name(output.stem + ".nodes.csv"))
            with written[-1].open("w", encoding="utf-8", newline="") as out:
                entity_network.write_nodes_csv(made, out)
    except OSError as error:
        raise Unusable(f"cannot write {error.filename or output}: {error.strerror or error}") from None
    err.print(
        f"wrote {' and '.join(map(str, written))}: {len(made.nodes)} entities, {len(made.edges)} ties", highlight=False
    )


@app.command()
def demo(
    db: DbOption = None,
    workers: WorkersOption = 0,
    html_report: Annotated[Path, typer.Option("--report", help="Where to write the HTML timeline report.")] = Path(
        "dateline-demo.html"
    ),
    then_serve: Annotated[
        bool,
        typer.Option(
            "--serve", help="Then serve the demo database: the web page and the JSON API on 127.0.0.1 (Ctrl+C stops)."
        ),
    ] = False,
    copy_to: Annotated[
        Path | None,
        typer.Option(
            "--copy-to", help="Only copy the sample corpus's files into this folder, to try the other commands on."
        ),
    ] = None,
) -> None:
    """Ingest the bundled sample corpus and show what dateline made of it."""
    check_workers(workers)
    sample = resources.files("dateline") / "sample"
    if copy_to is not None:
        copy_sample(sample, copy_to)
        return
    scratch = None
    if db is None:
        scratch = tempfile.mkdtemp(prefix="dateline-demo-")
        db = str(Path(scratch) / "demo.db")
    try:
        with resources.as_file(sample) as folder:
            err.print(f"ingesting the sample corpus ({folder}) into {db}", highlight=False)
            report = run_ingest(open_corpus(db), [str(folder)], workers, read.MAX_BYTES)
        show_report(report)
        with open_corpus(db) as corpus:
            show_corpus(corpus)
            result = corpus.timeline()
        emit(
            (
                {"date": e.date.isoformat(), "sentence": c.text, "outlets": outlets(c)}
                for e in result.entries
                for c in e.sentences
            ),
            "table",
            ["date", "sentence", "outlets"],
            title="Timeline: what happened, when, and who says so",
        )
        try:
            html_report.write_text(render.to_html(result), encoding="utf-8")
            err.print(f"wrote the timeline as an HTML report: {html_report}", highlight=False)
        except OSError as error:
            err.print(f"could not write {html_report}: {error.strerror or error}", highlight=False)
        if scratch:
            err.print(
                f"the demo database {'lives until the server stops' if then_serve else 'was temporary'}; "
                "keep one with: dateline demo --db demo.db",
                highlight=False,
            )
        else:
            err.print(f"explore it: dateline articles --db {db}; dateline search Suez --db {db}", highlight=False)
        if then_serve:  # inside the try: a temporary database is deleted only once the server stops
            run_server(db, "127.0.0.1", (8000, 0), token=None, open_browser=True)
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to listen on. Anything but loopback (127.0.0.1, "
            "::1) lets other machines read the whole database.",
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on (0 = any free port).")] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="DATELINE_TOKEN",
            show_envvar=True,
            help="Secret that uploads (POST /api/ingest) must send as 'Authorization: Bearer T'; "
            "without one, uploads are disabled.",
        ),
    ] = None,
) -> None:
    """Serve the web page and the JSON API (/api/..., docs at /docs) for a database."""
    path = db or corpus_api.default_db()
    if not Path(path).is_file():
        raise UserError(f"{path}: no such database (make one with: dateline ingest PATH --db {path})")
    if not 0 <= port <= 65535:
        raise UserError(f"--port {port}: must be 0..65535 (0 = any free port)")
    run_server(path, host, (port,), token)


def run_server(db: str, host: str, ports: tuple[int, ...], token: str | None, open_browser: bool = False) -> None:
    from . import server  # the server's modules load only for the commands that serve

    try:
        server.run(
            db, host, ports, token, open_browser=open_browser, say=lambda message: err.print(message, highlight=False)
        )
    except (server.ServerError, StoreError) as error:
        raise Unusable(str(error)) from None


def copy_sample(sample, target: Path) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UserError(f"--copy-to {target}: exists and is not an empty folder")
    with resources.as_file(sample) as folder:
        shutil.copytree(folder, target, dirs_exist_ok=True)
    count = sum(1 for path in target.rglob("*") if path.is_file())
    out.print(f"copied the sample corpus ({count} files) to {target}", highlight=False)


def show_corpus(corpus: corpus_api.Corpus) -> None:
    """The demo's view: articles with their dates, duplicate groups, stories, rejects."""
    articles = {a.id: a for a in corpus.articles()}
    emit(
        (article_row(a) for a in articles.values()),
        "table",
        ["published", "published_source", "source", "title"],
        title="Articles: clean, dated, sourced",
    )

    def name(article_id: str) -> str:
        article = articles.get(article_id)
        return f"{article.source or '?'}: {article.title or article_id}" if article else article_id

    emit(
        (
            {
                "canonical": name(group["canonical"]),
                "copies": "\n".join(f"{name(d['id'])} ({d['kind']} {d['score']:.2f})" for d in group["duplicates"]),
            }
            for group in corpus.dupes()
        ),
        "table",
        ["canonical", "copies"],
        title="Duplicates: one text, several outlets",
    )
    emit(
        (
            {
                "dates": f"{s['first'] or '?'} … {s['last'] or '?'}",
                "articles": len(s["articles"]),
                "outlets": ", ".join(s["outlets"]),
                "label": s["label"],
            }
            for s in corpus.stories()
        ),
        "table",
        ["dates", "articles", "outlets", "label"],
        title="Stories: articles about one event",
    )
    speakers = Counter(q["speaker"] for q in corpus.quotes() if q["speaker"])
    emit(
        ({"speaker": name, "quotes": count} for name, count in speakers.most_common(8)),
        "table",
        ["speaker", "quotes"],
        title="Who is quoted most",
    )
    rejected = list(corpus.rejects())
    if rejected:
        emit((reject_row(r) for r in rejected), "table", ["path", "line", "reason"], title="Rejected, and why")


def main() -> None:
    try:
        app()
    except BrokenPipeError:  # `dateline articles | head`
        sys.stderr.close()
        sys.exit(0)


if __name__ == "__main__":
    main()
