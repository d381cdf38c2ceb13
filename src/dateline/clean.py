"""Boilerplate removal: flattened scraped text and HTML pages → title + clean body.

Plain text (`clean_text`) is what a naive scraper saves: the whole page flattened to
lines, with navigation, captions, share widgets and comment forms mixed into the article.
Every line is scored by a small logistic-regression line classifier (layout and lexical
features of the line and of its neighbours; weights in `weights/lines.json`, trained by
`bench/train_lines.py`), then the article is taken as the densest run of body lines.

Contract (tests rely on it): cleaning never writes text that is not in the input — every
output paragraph of `clean_text` is a stripped line of the input — and cleaning one
article looks at that article only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from . import weights

__all__ = ["Cleaned", "clean_text", "clean_html", "line_features", "FEATURE_NAMES"]


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
# Not text.STOP_WORDS (English, for weighing terms): these are an input of the trained line
# classifier, in eight languages, and changing them means retraining weights/lines.json.
_FUNCTION_WORDS = frozenset(
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
    "doc_sentence_share",
    "doc_short_share",
    "short_w3",
    "digit_w3",
    "before_headline",
    "log_lines_after_headline",
)
FEATURE_NAMES: tuple[str, ...] = _OWN_NAMES + _CONTEXT_NAMES


_DIGITS = "0123456789"


def _count_chars(text: str, chars: str) -> int:
    """Occurrences of any of `chars` (str.count runs in C: much faster than a Python loop)."""
    return sum(map(text.count, chars))


def _own_features(line: str, blank_before: bool, blank_after: bool) -> list[float]:
    """Layout + lexical features of one stripped, non-empty line on its own."""
    head = line[:_PREFIX]
    words = _WORD_RE.findall(head)
    n_words = len(words) if len(line) <= _PREFIX else max(len(words), len(line) // 6)
    sample = len(head)
    lower = head.lower()
    lwords = _WORD_RE.findall(lower) if lower is not head else words
    n = max(len(words), 1)
    # map() over set membership runs in C: this function is the cleaner's hot loop.
    stop = sum(map(_FUNCTION_WORDS.__contains__, lwords)) / n
    ui = sum(map(_UI_WORDS.__contains__, lwords)) / n
    initials = "".join([w[0] for w in words])
    n_digit_initial = _count_chars(initials, _DIGITS)
    caps = sum(map(str.isupper, initials)) / max(len(words) - n_digit_initial, 1)
    digits = _count_chars(head, _DIGITS) / sample
    letters_digits = sum(map(len, words))
    symbols = max(sample - letters_digits - head.count(" "), 0) / sample
    sentence_end = _is_sentence_line(line)
    all_caps = head.isupper() and letters_digits - digits * sample >= 4
    inner = len(_INNER_SENTENCE_RE.findall(head)) if n_words > 6 else 0
    code = _count_chars(head, "<>{};=") / sample
    seps = _count_chars(head, "|•·»›>/")
    return [
        math.log1p(len(line)),
        math.log1p(n_words),
        float(sentence_end),
        float(line[-1] == ":"),
        stop,
        ui,
        caps,
        digits,
        symbols,
        float(("/" in head or "www" in head) and _URL_RE.search(head) is not None),
        float("©" in head or "(c)" in lower[:12]),
        min(seps, 5) / 5,
        float(all_caps),
        math.log1p(inner),
        head.count(",") / n,
        float(line[0].islower()),
        min(code * 10, 1.0),
        float(n_words <= 3),
        min(letters_digits / n, 15) / 15,
        float(blank_before),
        float(blank_after),
        float(n_words >= 10 and sentence_end),
    ]


def _prefix_sums(values: Sequence[float]) -> list[float]:
    sums = [0.0]
    for v in values:
        sums.append(sums[-1] + v)
    return sums


def _window_mean(sums: Sequence[float], values: Sequence[float], i: int, radius: int) -> float:
    """Mean of the neighbours of line i (itself excluded) within `radius` lines."""
    lo, hi = max(0, i - radius), min(len(values), i + radius + 1)
    count = hi - lo - 1
    if count <= 0:
        return 0.0
    return (sums[hi] - sums[lo] - values[i]) / count


def _headline_repeat(lines: Sequence[str], dense: Sequence[float], search: int = 400) -> int | None:
    """Where the headline shows a second time above the article, if it does.

    The page's <title> (first line of a flattened page, often "Headline - Outlet") comes
    back as the article's own heading, and what lies between the two is navigation. A
    repeat with most of the prose above it (a comment form's "Reply to <headline>") is not
    that heading.
    """
    if len(lines) < 3:
        return None
    first = _norm(lines[0][:_TITLE_MAX_CHARS])
    if len(first) < 12:
        return None
    total = sum(dense)
    seen = 0.0
    for j in range(1, min(len(lines), search)):
        seen += dense[j - 1]
        line = lines[j]
        if len(line) > _TITLE_MAX_CHARS or len(line) < 12:
            continue
        if line[0].lower() != first[0]:  # cheap pre-check; _norm is the slow part
            continue
        key = _norm(line)
        if len(key) >= 12 and (first.startswith(key) or key.startswith(first)):
            return j if seen <= total - seen else None
    return None


def line_features(
    lines: Sequence[str], blanks_before: Sequence[bool], blanks_after: Sequence[bool]
) -> list[list[float]]:
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
    shorts = [f[_OWN_NAMES.index("short")] for f in own]
    digit_ratios = [f[_OWN_NAMES.index("digit_ratio")] for f in own]
    s_dense, s_chars, s_stop, s_ui, s_short, s_digit = map(
        _prefix_sums, (dense, log_chars, stops, uis, shorts, digit_ratios)
    )
    headline = _headline_repeat(lines, dense)
    # Whole-article layout: clean text is mostly sentences, a flattened page mostly labels.
    i_end, i_short = _OWN_NAMES.index("sentence_end"), _OWN_NAMES.index("short")
    sentence_share = sum(f[i_end] for f in own) / n
    short_share = sum(f[i_short] for f in own) / n
    lengths = [len(line) for line in lines]
    total = sum(lengths) or 1
    before = 0
    out: list[list[float]] = []
    for i, f in enumerate(own):
        context = [
            _window_mean(s_dense, dense, i, 1),
            _window_mean(s_dense, dense, i, 3),
            _window_mean(s_dense, dense, i, 8),
            _window_mean(s_chars, log_chars, i, 2),
            _window_mean(s_stop, stops, i, 3),
            _window_mean(s_ui, uis, i, 3),
            i / n,
            before / total,
            float(i < first_dense),
            float(i > last_dense),
            math.log1p(min(gap[i], n)),
            sentence_share,
            short_share,
            _window_mean(s_short, shorts, i, 3),
            _window_mean(s_digit, digit_ratios, i, 3),
            float(headline is not None and i < headline),
            math.log1p(i - headline) if headline is not None and i >= headline else 0.0,
        ]
        before += lengths[i]
        out.append(f + context)
    return out


# ---------------------------------------------------------------------------------------
# Model


STACK_NAMES: tuple[str, ...] = (
    "logit",
    "p_w1",
    "p_w2",
    "p_w5",
    "p_max_w2",
    "mass_before",
    "mass_after",
    "in_run",
    "log_gap_to_run",
    "p_doc_max",
)


def stacked_features(
    probabilities: Sequence[float], lengths: Sequence[int], threshold: float = 0.5
) -> list[list[float]]:
    """Second-stage features: each line's first vote seen with its neighbours' votes.

    Article lines come in a block; a confident line far from the article's mass (a comment,
    a teaser in the footer) and a doubtful line in the middle of it (a short sentence) are
    told apart by where the confident text is, which one line's features cannot see.
    """
    n = len(probabilities)
    if n == 0:
        return []
    p = probabilities
    sums = _prefix_sums(p)
    mass = [max(q - threshold, 0.0) * w for q, w in zip(p, lengths)]
    mass_sums = _prefix_sums(mass)
    total = mass_sums[-1] or 1.0
    lo, hi = _best_run(p, lengths, threshold)
    p_max = max(p)
    out = []
    for i, q in enumerate(p):
        q = min(max(q, 1e-6), 1 - 1e-6)
        gap = 0 if lo <= i <= hi else (lo - i if i < lo else i - hi)
        out.append(
            [
                math.log(q / (1 - q)),
                _window_mean(sums, p, i, 1),
                _window_mean(sums, p, i, 2),
                _window_mean(sums, p, i, 5),
                max(p[max(0, i - 2) : i + 3]),
                mass_sums[i] / total,
                (total - mass_sums[i + 1]) / total if mass_sums[-1] else 0.0,
                float(lo <= i <= hi),
                math.log1p(gap),
                p_max,
            ]
        )
    return out


@dataclass(slots=True, frozen=True)
class _Linear:
    """Standardised logistic regression, evaluated in pure Python."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def probability(self, features: Sequence[float]) -> float:
        z = self.intercept
        for x, m, s, w in zip(features, self.mean, self.scale, self.coef):
            z += w * (x - m) / s
        if z < -35:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))

    @classmethod
    def from_dict(cls, data: dict[str, Any], names: Sequence[str]) -> _Linear:
        """Align stored weights with this code's feature order (unknown features weigh 0)."""
        stored = {name: i for i, name in enumerate(data["features"])}
        mean, scale, coef = [], [], []
        for name in names:
            j = stored.get(name)
            mean.append(data["mean"][j] if j is not None else 0.0)
            scale.append((data["scale"][j] or 1.0) if j is not None else 1.0)
            coef.append(data["coef"][j] if j is not None else 0.0)
        return cls(tuple(mean), tuple(scale), tuple(coef), float(data["intercept"]))


@dataclass(slots=True, frozen=True)
class _Model:
    lines: _Linear  # stage 1: the line and its layout neighbourhood
    stack: _Linear | None  # stage 2: stage-1 votes of the neighbourhood
    threshold: float  # a line's vote to extend the article run
    inside: float  # the vote a line inside the run needs to stay

    def probabilities(self, lines: Sequence[str], features: Sequence[Sequence[float]]) -> list[float]:
        first = [self.lines.probability(f) for f in features]
        if self.stack is None:
            return first
        lengths = [min(len(line), 2000) for line in lines]
        return [self.stack.probability(f) for f in stacked_features(first, lengths)]


def _model_from_dict(data: dict[str, Any]) -> _Model:
    stack = data.get("stack")
    return _Model(
        lines=_Linear.from_dict(data["lines"], FEATURE_NAMES),
        stack=_Linear.from_dict(stack, STACK_NAMES) if stack else None,
        threshold=float(data.get("threshold", 0.5)),
        inside=float(data.get("inside", data.get("threshold", 0.5))),
    )


@lru_cache(maxsize=1)
def _default_model() -> _Model:
    return _model_from_dict(weights.load("lines"))


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


_MARKUP_RE = re.compile(
    r"<\s*/?\s*[a-zA-Z][\w:-]*(?:\s[^<>]*)?/?>|^\s*(?:function\b|var\s|const\s|let\s|\$\(|//|/\*)|[{};]\s*$"
)


def _is_markup_or_code(line: str) -> bool:
    """HTML tags or script source left in 'text': never article prose, and hostile if echoed."""
    return _MARKUP_RE.search(line[:_PREFIX]) is not None


def _is_bare_url(line: str) -> bool:
    """A link or an image address on its own line: a logo or a permalink, never prose."""
    return " " not in line and _URL_RE.match(line) is not None


def _norm(line: str) -> str:
    """Comparison key for titles: case, punctuation and spacing do not matter."""
    return " ".join(_WORD_RE.findall(line.lower()))


_TRAIL_RE = re.compile(r"\s[»>›/|]\s")


def _is_headline_like(line: str) -> bool:
    """A headline: a handful of words, mostly letters, not ending like a sentence or a label."""
    if len(line) > _TITLE_MAX_CHARS or _is_markup_or_code(line) or _URL_RE.search(line):
        return False
    words = _WORD_RE.findall(line)
    if not 4 <= len(words) <= 40:
        return False
    if line.endswith((":", ",", ";")) or _is_sentence_line(line):
        return False
    if len(_TRAIL_RE.findall(line)) >= 2:  # "Home » Shipping » Canals": a breadcrumb trail
        return False
    digits = sum(1 for c in line if c.isdigit())
    return digits / len(line) < 0.2


def _best_run(probabilities: Sequence[float], weights: Sequence[int], threshold: float) -> tuple[int, int]:
    """First and last line of the run maximising sum((p - threshold) * weight); (0, -1) if none."""
    best, best_lo, best_hi = 0.0, 0, -1
    run, lo = 0.0, 0
    for i, (p, w) in enumerate(zip(probabilities, weights)):
        score = (p - threshold) * w
        if run <= 0:
            run, lo = score, i
        else:
            run += score
        if run > best:
            best, best_lo, best_hi = run, lo, i
    return best_lo, best_hi


def _select_body(probabilities: Sequence[float], weights: Sequence[int], threshold: float, inside: float) -> list[bool]:
    """Keep the lines of the best-scoring run of the article that clear `inside`.

    The run maximises sum((p - threshold) * weight): long confident lines pull it out,
    stray confident lines far away (a teaser in a footer) stay out. Inside the run a line
    needs only the lower `inside` vote (hysteresis): a short sentence between paragraphs is
    article, the same line among menu items is not.
    """
    lo, hi = _best_run(probabilities, weights, threshold)
    return [lo <= i <= hi and p >= inside for i, p in enumerate(probabilities)]


def _is_label(line: str, max_words: int = 3) -> bool:
    """A few words that do not make a sentence: section labels, bylines, "Read more", "X"."""
    return not _is_sentence_line(line) and len(_WORD_RE.findall(line[:200])) <= max_words


def _trim_labels(lines: Sequence[str], keep: list[bool]) -> list[bool]:
    """Labels at the edges of the body are page furniture (a section name above the
    headline, "Discuss" or "Read more" below the last paragraph), and a one- or two-word
    label between paragraphs is a photo credit or a widget: articles do not say "World"."""
    kept = [i for i, k in enumerate(keep) if k]
    keep = list(keep)
    for order in (kept, kept[::-1]):
        for i in order:
            if not _is_label(lines[i]):
                break
            keep[i] = False
    for i in kept:
        if keep[i] and _is_label(lines[i], max_words=2):
            keep[i] = False
    return keep


def _detect_title(lines: Sequence[str], keep: Sequence[bool]) -> int | None:
    """Index of the headline: the first headline-like line above the body.

    When the classifier kept the very first line as body, it is still the headline if it
    looks like one (clean articles often start with their title) — but never a line that
    ends like a sentence, so already clean one-sentence-a-line text loses nothing.
    """
    first_body = next((i for i, k in enumerate(keep) if k), len(lines))
    for i in range(min(first_body, 60)):
        if _is_headline_like(lines[i]):
            return i
    if first_body < min(len(lines), 10) and _is_headline_like(lines[first_body]):
        if any(keep[first_body + 1 :]):
            return first_body
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
    probabilities = model.probabilities(lines, features)
    for i, line in enumerate(lines):
        if _is_markup_or_code(line) or _is_bare_url(line):
            probabilities[i] = 0.0
    weights = [min(len(line), 2000) for line in lines]
    keep = _trim_labels(lines, _select_body(probabilities, weights, model.threshold, model.inside))
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
