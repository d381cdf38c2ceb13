"""Boilerplate removal: flattened scraped text and HTML pages → title + clean body.

Plain text (`clean_text`) is what a naive scraper saves: the whole page flattened to
lines, with navigation, captions, share widgets and comment forms mixed into the article.
Every line is scored by a small logistic-regression line classifier (layout and lexical
features of the line and of its neighbours; weights in `models/lines.json`, trained by
`bench/train_lines.py`), then the article is taken as the densest run of body lines.

Contract (tests rely on it): cleaning never writes text that is not in the input — every
output paragraph of `clean_text` is a stripped line of the input — and cleaning one
article looks at that article only.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

__all__ = ["Cleaned", "clean_text", "clean_html", "line_features", "FEATURE_NAMES"]

MODEL_PATH = Path(__file__).resolve().parent / "models" / "lines.json"

# Features look at a prefix only: a 20 MB single-line "article" must not cost seconds,
# and ratios measured on the first few thousand characters are as good as on all of them.
_PREFIX = 4000
# A title is a line, not a paragraph: longer "headlines" are first paragraphs.
_TITLE_MAX_CHARS = 300


@dataclass(slots=True)
class Cleaned:
    title: str | None  # the article's headline
    text: str  # clean body, paragraphs separated by "\n\n"
    sitename: str | None = None  # outlet name from HTML metadata (trafilatura), else None
    url: str | None = None  # canonical URL from HTML metadata, else None
    language: str | None = None  # if cheaply known (HTML lang attr / trafilatura), else None


# ---------------------------------------------------------------------------------------
# Lexical signals. Function words mark running prose in any topic; the UI vocabulary marks
# page furniture (share bars, login forms, cookie notices) on any site. Both are small,
# generic and multilingual-ish on purpose: the classifier must not learn site names.
_STOP_WORDS = frozenset(
    """a about after against all also an and any are as at be because been before being but by
    can could did do does during for from had has have he her him his how i if in into is it its
    just may me might more most my no nor not now of on once only or other our out over own said
    says she should since so some such than that the their them then there these they this those
    through to too under until up very was we were what when where which while who whom why will
    with would you your
    der die das und ist nicht ein eine mit von den dem zu auf für sich des im sie es auch als an
    le la les et est un une des du dans pour que qui pas sur au avec ce il elle sont par
    el los las y es en un una del que por con para se al lo como su
    o os as e é um uma do da dos das em no na que para com não se ao
    il lo gli e è di un una del della che per con non si
    de het en een van dat is op te zijn niet met voor
    и в не на что с по как это он она они из за от""".split()
)
_UI_WORDS = frozenset(
    """share shares shared tweet facebook twitter linkedin whatsapp pinterest instagram youtube
    email print comment comments reply replies login log sign signin signup subscribe subscribed
    subscription newsletter password username account register cookie cookies privacy policy
    terms advertisement advertising advertise sponsored related click menu search home follow
    copyright rights reserved download app apps contact skip next previous prev page top back
    loading trending popular recommended tags tag topics categories category collection
    collections url link links photo photos image images gallery video videos credit getty
    newsletters alerts notifications settings feedback sitemap careers faq help""".split()
)
_WORD_RE = re.compile(r"\w+")
_URL_RE = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)+/\S*|\S+\.(?:png|jpe?g|gif|svg|webp)\b", re.I)
_SENTENCE_END_RE = re.compile(r"[.!?。！？…][\"'”’»)\]]*$|''$")
_INNER_SENTENCE_RE = re.compile(r"[.!?。！？][\"'”’»)]*\s+[\"'“‘«(]?[A-ZА-Я0-9]|[。！？]")
_CODE_CHARS = frozenset("<>{};=")
_SEPARATOR_CHARS = frozenset("|•·»›>/")
_SENTENCE_CHARS = ".!?。！？"


def _is_sentence_line(line: str) -> bool:
    """A line that ends like a sentence does (allowing closing quotes and PTB `''`)."""
    return _SENTENCE_END_RE.search(line[-8:]) is not None


# Names of the per-line features, in the order `line_features` returns them. The trained
# weights are keyed by these names, so a feature added here is ignored until retrained.
_OWN_NAMES = (
    "log_chars",
    "log_words",
    "sentence_end",
    "colon_end",
    "stop_ratio",
    "ui_ratio",
    "cap_ratio",
    "digit_ratio",
    "symbol_ratio",
    "url_like",
    "copyright",
    "separators",
    "all_caps",
    "log_inner_sentences",
    "comma_rate",
    "starts_lower",
    "code_like",
    "short",
    "avg_word_len",
    "blank_before",
    "blank_after",
    "dense",
)
_CONTEXT_NAMES = (
    "dense_w1",
    "dense_w3",
    "dense_w8",
    "log_chars_w2",
    "stop_w3",
    "ui_w3",
    "rel_pos",
    "rel_chars_pos",
    "before_body",
    "after_body",
    "log_gap_to_dense",
)
FEATURE_NAMES: tuple[str, ...] = _OWN_NAMES + _CONTEXT_NAMES


def _own_features(line: str, blank_before: bool, blank_after: bool) -> list[float]:
    """Layout + lexical features of one stripped, non-empty line on its own."""
    head = line[:_PREFIX]
    words = _WORD_RE.findall(head)
    n_words = len(words) if len(line) <= _PREFIX else max(len(words), len(line) // 6)
    sample = len(head)
    lower = [w.lower() for w in words]
    n = max(len(words), 1)
    stop = sum(1 for w in lower if w in _STOP_WORDS) / n
    ui = sum(1 for w in lower if w in _UI_WORDS) / n
    alpha = [w for w in words if w[0].isalpha()]
    caps = sum(1 for w in alpha if w[0].isupper()) / max(len(alpha), 1)
    digits = sum(1 for c in head if c.isdigit()) / sample
    letters_digits = sum(len(w) for w in words)
    spaces = head.count(" ")
    symbols = max(sample - letters_digits - spaces, 0) / sample
    sentence_end = _is_sentence_line(line)
    letters = "".join(alpha)
    all_caps = len(letters) >= 4 and letters.isupper()
    inner = len(_INNER_SENTENCE_RE.findall(head))
    code = sum(1 for c in head if c in _CODE_CHARS) / sample
    seps = sum(1 for c in head if c in _SEPARATOR_CHARS)
    first = line[0]
    return [
        math.log1p(len(line)),
        math.log1p(n_words),
        float(sentence_end),
        float(line.endswith(":")),
        stop,
        ui,
        caps,
        digits,
        symbols,
        float(_URL_RE.search(head) is not None),
        float("©" in head or "(c)" in head.lower()[:12]),
        min(seps, 5) / 5,
        float(all_caps),
        math.log1p(inner),
        head.count(",") / n,
        float(first.islower()),
        min(code * 10, 1.0),
        float(n_words <= 3),
        min(letters_digits / n, 15) / 15,
        float(blank_before),
        float(blank_after),
        float(n_words >= 10 and sentence_end),
    ]


def _window_mean(values: Sequence[float], i: int, radius: int) -> float:
    """Mean of the neighbours of line i (itself excluded) within `radius` lines."""
    lo, hi = max(0, i - radius), min(len(values), i + radius + 1)
    count = hi - lo - 1
    if count <= 0:
        return 0.0
    return (sum(values[lo:hi]) - values[i]) / count


def line_features(lines: Sequence[str], blanks_before: Sequence[bool], blanks_after: Sequence[bool]) -> list[list[float]]:
    """Feature vectors (in FEATURE_NAMES order) of the non-empty, stripped lines of one article.

    Context features describe the neighbourhood — body text comes in runs of long,
    punctuated, function-word-rich lines; furniture comes in runs of short ones.
    """
    own = [_own_features(line, b, a) for line, b, a in zip(lines, blanks_before, blanks_after)]
    n = len(own)
    if n == 0:
        return []
    i_chars, i_stop, i_ui, i_dense = (_OWN_NAMES.index(k) for k in ("log_chars", "stop_ratio", "ui_ratio", "dense"))
    dense = [f[i_dense] for f in own]
    log_chars = [f[i_chars] for f in own]
    stops = [f[i_stop] for f in own]
    uis = [f[i_ui] for f in own]
    dense_idx = [i for i, d in enumerate(dense) if d]
    first_dense = dense_idx[0] if dense_idx else n
    last_dense = dense_idx[-1] if dense_idx else -1
    # Distance to the nearest dense line, both directions, in one pass each way.
    gap = [n] * n
    last = -n
    for i in range(n):
        if dense[i]:
            last = i
        gap[i] = i - last
    last = 2 * n
    for i in range(n - 1, -1, -1):
        if dense[i]:
            last = i
        gap[i] = min(gap[i], last - i)
    lengths = [len(line) for line in lines]
    total = sum(lengths) or 1
    before = 0
    out: list[list[float]] = []
    for i, f in enumerate(own):
        context = [
            _window_mean(dense, i, 1),
            _window_mean(dense, i, 3),
            _window_mean(dense, i, 8),
            _window_mean(log_chars, i, 2),
            _window_mean(stops, i, 3),
            _window_mean(uis, i, 3),
            i / n,
            before / total,
            float(i < first_dense),
            float(i > last_dense),
            math.log1p(min(gap[i], n)),
        ]
        before += lengths[i]
        out.append(f + context)
    return out


# ---------------------------------------------------------------------------------------
# Model


@dataclass(slots=True, frozen=True)
class _Model:
    names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float

    def probability(self, features: Sequence[float]) -> float:
        z = self.intercept
        for x, m, s, w in zip(features, self.mean, self.scale, self.coef):
            z += w * (x - m) / s
        if z < -35:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))


def _model_from_dict(data: dict[str, Any]) -> _Model:
    """Align stored weights with this code's feature order (unknown features weigh 0)."""
    stored = {name: i for i, name in enumerate(data["features"])}
    mean, scale, coef = [], [], []
    for name in FEATURE_NAMES:
        j = stored.get(name)
        mean.append(data["mean"][j] if j is not None else 0.0)
        scale.append(data["scale"][j] or 1.0 if j is not None else 1.0)
        coef.append(data["coef"][j] if j is not None else 0.0)
    return _Model(FEATURE_NAMES, tuple(mean), tuple(scale), tuple(coef), float(data["intercept"]), float(data.get("threshold", 0.5)))


@lru_cache(maxsize=1)
def _default_model() -> _Model:
    return _model_from_dict(json.loads(MODEL_PATH.read_text(encoding="utf-8")))


# ---------------------------------------------------------------------------------------
# Plain text


def _split_lines(text: str) -> tuple[list[str], list[bool], list[bool]]:
    """Stripped non-empty lines, and whether a blank line precedes / follows each.

    Lines with NUL or other C0 control characters are binary debris, not prose: they are
    dropped whole (never edited — output lines must be input lines).
    """
    lines: list[str] = []
    before: list[bool] = []
    blank = True
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            blank = True
            continue
        if _has_control_chars(line):
            blank = True
            continue
        lines.append(line)
        before.append(blank)
        blank = False
    after = before[1:] + [True]
    return lines, before, after


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _has_control_chars(line: str) -> bool:
    return _CONTROL_RE.search(line) is not None


_MARKUP_RE = re.compile(r"<\s*/?\s*[a-zA-Z][\w:-]*(?:\s[^<>]*)?/?>|^\s*(?:function\b|var\s|const\s|let\s|\$\(|//|/\*)|[{};]\s*$")


def _is_markup_or_code(line: str) -> bool:
    """HTML tags or script source left in 'text': never article prose, and hostile if echoed."""
    return _MARKUP_RE.search(line[:_PREFIX]) is not None


def _norm(line: str) -> str:
    """Comparison key for titles: case, punctuation and spacing do not matter."""
    return " ".join(_WORD_RE.findall(line.lower()))


def _is_headline_like(line: str) -> bool:
    """A headline: a handful of words, mostly letters, not ending like a sentence or a label."""
    if len(line) > _TITLE_MAX_CHARS or _is_markup_or_code(line) or _URL_RE.search(line):
        return False
    words = _WORD_RE.findall(line)
    if not 4 <= len(words) <= 40:
        return False
    if line.endswith((":", ".", ",", ";")) and not line.endswith("..."):
        return False
    digits = sum(1 for c in line if c.isdigit())
    return digits / len(line) < 0.2


def _select_body(probabilities: Sequence[float], weights: Sequence[int], threshold: float) -> list[bool]:
    """Keep the lines above threshold inside the best-scoring run of the article.

    The run maximises sum((p - threshold) * weight): long confident lines pull it out,
    stray confident lines far away (a teaser in a footer) stay out; inside the run a line
    still needs its own vote.
    """
    n = len(probabilities)
    best, best_lo, best_hi = 0.0, 0, -1
    run, lo = 0.0, 0
    for i in range(n):
        score = (probabilities[i] - threshold) * weights[i]
        if run <= 0:
            run, lo = score, i
        else:
            run += score
        if run > best:
            best, best_lo, best_hi = run, lo, i
    return [best_lo <= i <= best_hi and probabilities[i] >= threshold for i in range(n)]


def _detect_title(lines: Sequence[str], keep: Sequence[bool]) -> int | None:
    """Index of the headline: the first headline-like line above the body (else at the top)."""
    first_body = next((i for i, k in enumerate(keep) if k), len(lines))
    limit = min(max(first_body, 1), 40)
    for i in range(limit):
        if _is_headline_like(lines[i]) and not keep[i]:
            return i
    for i in range(min(len(lines), 40)):
        if _is_headline_like(lines[i]):
            return i
    return None


def _drop_title_repeats(paragraphs: list[str], title: str | None) -> list[str]:
    """The headline repeated at the top of the body (once or more) is not body text."""
    if not title:
        return paragraphs
    key = _norm(title)
    start = 0
    while start < len(paragraphs) and _norm(paragraphs[start]) == key:
        start += 1
    return paragraphs[start:]


def clean_text(text: str, title: str | None = None) -> Cleaned:
    """Clean one flattened article: boilerplate lines out, paragraphs (input lines) kept."""
    return _clean_text_with(text, title, None)


def _clean_text_with(text: str, title: str | None, model: _Model | None) -> Cleaned:
    """`clean_text` with a chosen model: cross-validation scores folds with their own weights."""
    if not isinstance(text, str) or not text.strip():
        return Cleaned(title=title.strip() if title and title.strip() else None, text="")
    lines, before, after = _split_lines(text)
    if not lines:
        return Cleaned(title=title.strip() if title and title.strip() else None, text="")
    model = model or _default_model()
    features = line_features(lines, before, after)
    probabilities = [model.probability(f) for f in features]
    for i, line in enumerate(lines):
        if _is_markup_or_code(line):
            probabilities[i] = 0.0
    weights = [min(len(line), 2000) for line in lines]
    keep = _select_body(probabilities, weights, model.threshold)
    given = title.strip() if title and title.strip() else None
    title_index = None if given else _detect_title(lines, keep)
    found = given or (lines[title_index] if title_index is not None else None)
    paragraphs = [line for i, (line, k) in enumerate(zip(lines, keep)) if k and i != title_index]
    paragraphs = _drop_title_repeats(paragraphs, found)
    return Cleaned(title=found, text="\n\n".join(paragraphs))


# ---------------------------------------------------------------------------------------
# HTML


def clean_html(html: str, url: str | None = None) -> Cleaned:
    """Clean one HTML page with trafilatura (with metadata), paragraphs kept."""
    if not isinstance(html, str) or not html.strip():
        return Cleaned(title=None, text="", url=url)
    html = html.replace("\x00", "")
    try:
        import trafilatura

        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            favor_precision=False,
        )
    except Exception:  # trafilatura on hostile markup: an empty article, not a crash
        doc = None
    if doc is None:
        return Cleaned(title=None, text="", url=url)
    get = doc.get if isinstance(doc, dict) else lambda k: getattr(doc, k, None)
    body = get("text") or ""
    paragraphs = [p.strip() for p in body.splitlines() if p.strip()]
    title = (get("title") or "").strip() or None
    paragraphs = _drop_title_repeats(paragraphs, title)
    return Cleaned(
        title=title,
        text="\n\n".join(paragraphs),
        sitename=(get("sitename") or "").strip() or None,
        url=(get("url") or url or None),
        language=(get("language") or None),
    )
