"""Render a timeline as JSON, Markdown, CSV, a self-contained HTML report or TimelineJS3 JSON.

Scraped text is hostile: every piece of it is escaped in HTML, and URLs are
only ever linked when they are http(s).
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Callable
from datetime import date
from urllib.parse import urlsplit

from .timeline import Chosen, Timeline

FORMATS = ("table", "md", "json", "csv", "html", "timelinejs")


def to_json(tl: Timeline) -> str:
    return json.dumps(tl.to_json(), ensure_ascii=False, indent=1) + "\n"


def to_markdown(tl: Timeline) -> str:
    lines = [f"# Timeline: {_md(tl.query) if tl.query else 'all articles'}", ""]
    for entry in tl.entries:
        lines.append(f"## {entry.date.isoformat()}")
        lines.append("")
        for s in entry.sentences:
            where = _md(s.source or "unknown outlet")
            if safe_url(s.url):
                where = f"[{where}]({s.url})"
            also = f"; also {', '.join(_md(c.get('source') or '?') for c in s.carried_by)}" if s.carried_by else ""
            how = _provenance(s, entry.date)
            note = f" ({how})" if how else ""
            lines.append(f"- {_md(s.text)} — {where}, article `{s.article}`{also}{note}")
        for q in entry.quotes:
            lines.append(
                f"- > {_md(q['speaker'] or 'unknown speaker')}: “{_md(q['text'])}” — "
                f"{_md(q['source'] or 'unknown outlet')}, article `{q['article']}`"
            )
        lines.append("")
    return "\n".join(lines)


def to_csv(tl: Timeline) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["date", "text", "article", "source", "url", "title", "date_source", "published", "carried_by"])
    for entry in tl.entries:
        for s in entry.sentences:
            writer.writerow(
                [
                    entry.date.isoformat(),
                    s.text,
                    s.article,
                    s.source or "",
                    s.url or "",
                    s.title or "",
                    s.date_source,
                    s.published.isoformat() if s.published else "",
                    " ".join(c.get("article") or "" for c in s.carried_by),
                ]
            )
    return buffer.getvalue()


def to_timelinejs(tl: Timeline) -> str:
    """TimelineJS3's JSON: a title slide and one event per date (text fields are HTML there: escaped)."""
    events = []
    for entry in tl.entries:
        first = entry.sentences[0] if entry.sentences else None
        events.append(
            {
                "start_date": {"year": entry.date.year, "month": entry.date.month, "day": entry.date.day},
                "text": {
                    "headline": html.escape(first.title or first.source or entry.date.isoformat()) if first else "",
                    "text": "".join(
                        f"<p>{html.escape(s.text)} <em>— {_source_html(s)}{_how_html(s, entry.date)}</em></p>"
                        for s in entry.sentences
                    ),
                },
                "unique_id": f"d{entry.date.isoformat()}",
            }
        )
    title = {
        "text": {
            "headline": html.escape(f"Timeline: {tl.query}" if tl.query else "Timeline"),
            "text": html.escape(f"{len(tl.entries)} dates, made by dateline"),
        }
    }
    return json.dumps({"title": title, "events": events}, ensure_ascii=False, indent=1) + "\n"


def to_html(tl: Timeline) -> str:
    """A self-contained, readable report: dates, sentences, outlet badges, links, the person's quotes."""
    heading = html.escape(f"Timeline: {tl.query}" if tl.query else "Timeline")
    parts = [
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>{heading}</title><style>{STYLE}</style></head><body><main><h1>{heading}</h1>"
        f"<p class='meta'>{len(tl.entries)} dates. Each sentence links to the article that says it; "
        f"badges name every outlet that carried it.</p><ol class='timeline'>"
    ]
    for entry in tl.entries:
        day = entry.date.isoformat()
        parts.append(f"<li><time datetime='{day}'>{entry.date.strftime('%d %B %Y').lstrip('0')}</time><ul>")
        for s in entry.sentences:
            badges = "".join(f"<span class='badge'>{html.escape(c.get('source') or '?')}</span>" for c in s.carried_by)
            how = _provenance(s, entry.date)
            refers = f"<span class='refers'>{how}</span>" if how else ""
            parts.append(
                f"<li><blockquote>{html.escape(s.text)}</blockquote>"
                f"<p class='source'>{_source_html(s)} {badges} {refers}"
                f"<span class='id'>article {html.escape(s.article)}</span></p></li>"
            )
        if entry.quotes:
            parts.append("<li class='quotes'><h2>Said that day</h2>")
            parts.extend(
                f"<figure><blockquote>“{html.escape(q['text'])}”</blockquote><figcaption>"
                f"{html.escape(q['speaker'] or 'unknown speaker')}, in {html.escape(q['source'] or '?')}"
                f"<span class='id'>article {html.escape(q['article'])}</span></figcaption></figure>"
                for q in entry.quotes
            )
            parts.append("</li>")
        parts.append("</ul></li>")
    parts.append("</ol></main></body></html>\n")
    return "".join(parts)


def _how_html(s: Chosen, day: date) -> str:
    how = _provenance(s, day)
    return f" ({how})" if how else ""


def _provenance(s: Chosen, day: date) -> str:
    """Why a sentence sits on this date, when it is not simply "published that day"."""
    if s.date_source == "referenced":
        return "refers to this day"
    if s.date_source == "reported" and s.published:
        return f"reported {s.published.isoformat()}"
    return ""


def _source_html(s: Chosen) -> str:
    name = html.escape(s.source or "unknown outlet")
    title = f": {html.escape(s.title)}" if s.title else ""
    if safe_url(s.url):
        return f"<a href='{html.escape(s.url, quote=True)}' rel='noopener noreferrer'>{name}{title}</a>"
    return f"{name}{title}"


def safe_url(url: str | None) -> bool:
    if not url:
        return False
    try:
        return urlsplit(url).scheme in ("http", "https")
    except ValueError:
        return False


def _md(text: str) -> str:
    """Scraped text in Markdown: no accidental markup, no raw HTML."""
    text = " ".join(text.split())
    for char in "\\`*_[]<>|#":
        text = text.replace(char, "\\" + char)
    return text


STYLE = """
body{font:16px/1.55 system-ui,-apple-system,Segoe UI,sans-serif;color:#1d232a;background:#fafaf7;margin:0}
main{max-width:52rem;margin:0 auto;padding:2rem 1.25rem}
h1{font-size:1.6rem;margin:0 0 .25rem}.meta{color:#5b6470;margin:0 0 2rem}
ol.timeline{list-style:none;padding:0;border-left:3px solid #d6dbe1;margin-left:.5rem}
ol.timeline>li{position:relative;padding:0 0 1.5rem 1.5rem}
ol.timeline>li:before{content:"";position:absolute;left:-.55rem;top:.35rem;width:.8rem;height:.8rem;
 border-radius:50%;background:#2f6fde}
time{font-weight:700;font-size:1.05rem}ul{list-style:none;padding:0;margin:.25rem 0 0}
blockquote{margin:.25rem 0;font-size:1.02rem}.source{margin:0;color:#5b6470;font-size:.9rem}
.source a{color:#2f6fde}.badge{display:inline-block;background:#e8eef9;color:#1f4ea8;border-radius:.6rem;
 padding:0 .5rem;margin-left:.25rem;font-size:.8rem}.refers{margin-left:.5rem;font-style:italic}
.id{display:block;font-family:ui-monospace,monospace;font-size:.75rem;color:#8a929c}
.quotes{border-left:3px solid #e3b341;padding-left:.75rem;margin-top:.5rem}
.quotes h2{font-size:.8rem;text-transform:uppercase;letter-spacing:.05em;color:#8a6d1a;margin:.25rem 0}
figure{margin:.25rem 0 .5rem}figcaption{color:#5b6470;font-size:.9rem}
"""

RENDERERS: dict[str, Callable[[Timeline], str]] = {
    "md": to_markdown,
    "json": to_json,
    "csv": to_csv,
    "html": to_html,
    "timelinejs": to_timelinejs,
}
