"""Quote attribution on PolNeAR (dev part), ours vs a regex baseline, plus the cost of our spaCy pass.

Gold: the first annotator's BRAT file (in name order) of each article. A gold
*direct* quote is a `Content` span containing a quotation mark; its quoted words
are those inside the marks. A prediction matches a gold attribution (one-to-one,
best overlap first) when it covers ≥ 50 % of the gold's quoted words (reported
speech: of its `Content` words) and ≥ 50 % of its own words lie inside the `Content`.
Recall is over gold direct quotes; precision over all predictions against all gold
attributions (correct reported speech is not a false positive). Speaker accuracy is
over matched direct quotes whose gold `Source` is not a pronoun: right when the
canonical speaker contains a name word of the `Source`, or `speaker_as_written`
covers ≥ 50 % of the `Source` words.

The corpus is evaluation data only (no licence): it is read from ../shared/data and
never copied. Timing: a bare NER pass (tok2vec + ner) vs our whole extraction over
the same Timeline17 dev texts.

    .venv/bin/python bench/quotes.py [--data DIR] [--timing-docs 300] [--no-cv]

Cross-validation by article (`--no-cv` skips it): the rules are units — each attribution
strategy, each speaker resolver, each way a participle borrows its speaker. On each of 5
folds a unit stays only if dropping it does not raise F1 + speaker accuracy on the other
4/5 of the articles (one backward pass, in the order the code tries them); the held-out
fifth is scored with what stayed. The dev-fit row runs the same selection on all 84.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import os
import random
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import spacy

from dateline import extract
from dateline.extract import attribution, cues, speakers
from dateline.models import Article

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")
QUOTE_MARKS = '"“”'
PRONOUNS = {
    "he",
    "she",
    "they",
    "it",
    "we",
    "i",
    "you",
    "him",
    "her",
    "them",
    "us",
    "me",
    "his",
    "its",
    "their",
    "who",
    "which",
    "that",
}
STOP = {"the", "a", "an", "of", "mr", "mrs", "ms", "dr", "and", "in", "to", "for", "on", "at", "said"}
WORD = re.compile(r"\w+")


@dataclass
class Gold:
    content: list[tuple[int, int]]
    source: list[tuple[int, int]]
    direct: bool
    quoted: set[int]  # char offsets of the words that count for coverage
    content_chars: set[int]


def load_gold(data: str) -> dict[str, tuple[str, list[Gold]]]:
    files: dict[str, list[str]] = defaultdict(list)
    for path in sorted(glob.glob(os.path.join(data, "quotes-dev", "attributions", "*.ann"))):
        files[os.path.basename(path).rsplit("_", 1)[0]].append(path)
    out = {}
    for name, paths in sorted(files.items()):
        with open(os.path.join(data, "quotes-dev", "text", name + ".txt"), encoding="utf-8") as handle:
            text = handle.read()
        spans, events = {}, []
        with open(paths[0], encoding="utf-8") as handle:  # the first annotator
            for line in handle:
                parts = line.rstrip("\n").split("\t")
                if parts[0].startswith("T"):
                    label, where = parts[1].split(" ", 1)
                    spans[parts[0]] = (label, [tuple(map(int, s.split())) for s in where.split(";")])
                elif parts[0].startswith("E"):
                    events.append(dict(arg.split(":") for arg in parts[1].split()))
        golds = []
        for event in events:
            if "Content" not in event or event["Content"] not in spans:
                continue
            content = spans[event["Content"]][1]
            source = spans[event["Source"]][1] if event.get("Source") in spans else []
            chars = {i for s, e in content for i in range(s, e)}
            inside = _inside_marks(text, content)
            direct = bool(inside) or any(c in text[s:e] for s, e in content for c in QUOTE_MARKS)
            words = _word_starts(text, content)
            quoted = {w for w in words if w in inside} if direct else words
            if direct and not quoted:
                quoted = words
            golds.append(Gold(content, source, direct, quoted, chars))
        out[name] = (text, golds)
    return out


def _inside_marks(text: str, spans: list[tuple[int, int]]) -> set[int]:
    inside, state = set(), None
    for s, e in spans:
        for i in range(s, e):
            c = text[i]
            if c == "“" or (c == '"' and state is None):
                state = i
            elif c == "”" or (c == '"' and state is not None):
                state = None
            elif state is not None:
                inside.add(i)
    return inside


def _word_starts(text: str, spans) -> set[int]:
    return {s + m.start() for s, e in spans for m in WORD.finditer(text[s:e])}


@dataclass
class Prediction:
    spans: list[tuple[int, int]]
    speaker: str | None
    speaker_span: tuple[int, int] | None
    kind: str


def score(gold: dict[str, tuple[str, list[Gold]]], predictions: dict[str, list[Prediction]]) -> dict:
    n_pred = n_pred_ok = n_direct = n_direct_ok = n_speaker = n_speaker_ok = 0
    for name, (text, golds) in gold.items():
        preds = predictions.get(name, [])
        n_pred += len(preds)
        n_direct += sum(g.direct for g in golds)
        pairs = []
        for pi, p in enumerate(preds):
            words = _word_starts(text, p.spans)
            if not words:
                continue
            for gi, g in enumerate(golds):
                cover = len(words & g.quoted) / len(g.quoted) if g.quoted else 0.0
                inside = len({w for w in words if w in g.content_chars}) / len(words)
                if cover >= 0.5 and inside >= 0.5:
                    pairs.append((-(cover + inside), pi, gi))
        used_p, used_g = set(), set()
        for _, pi, gi in sorted(pairs):
            if pi in used_p or gi in used_g:
                continue
            used_p.add(pi)
            used_g.add(gi)
            n_pred_ok += 1
            g, p = golds[gi], preds[pi]
            if not g.direct:
                continue
            n_direct_ok += 1
            source = " ".join(text[s:e] for s, e in g.source).strip()
            if not source or source.lower() in PRONOUNS:
                continue
            n_speaker += 1
            n_speaker_ok += speaker_right(text, g, p)
    precision = n_pred_ok / n_pred if n_pred else 0.0
    recall = n_direct_ok / n_direct if n_direct else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "speaker": n_speaker_ok / n_speaker if n_speaker else 0.0,
        "predictions": n_pred,
        "gold_direct": n_direct,
        "speaker_n": n_speaker,
    }


def speaker_right(text: str, g: Gold, p: Prediction) -> bool:
    names = {
        w.lower() for s, e in g.source for w in WORD.findall(text[s:e]) if w[:1].isupper() and w.lower() not in STOP
    }
    if p.speaker and names & {w.lower() for w in WORD.findall(p.speaker)}:
        return True
    if p.speaker_span:
        source_words = _word_starts(text, g.source)
        said = set(range(*p.speaker_span))
        if source_words and len(source_words & said) / len(source_words) >= 0.5:
            return True
    return False


# --- the regex baseline: every quoted span, nearest capitalised name after it, else before it -----

_BASE_QUOTE = re.compile(r"[\"“]([^\"“”\n]{3,}?)[\"”]")
_BASE_NAME = re.compile(r"(?:[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*)")


def baseline(text: str) -> list[Prediction]:
    out = []
    for m in _BASE_QUOTE.finditer(text):
        after = _BASE_NAME.search(text, m.end(), min(len(text), m.end() + 60))
        if after:
            span = after.span()
        else:
            before = list(_BASE_NAME.finditer(text, max(0, m.start() - 100), m.start()))
            span = before[-1].span() if before else None
        out.append(Prediction([m.span(1)], text[span[0] : span[1]] if span else None, span, "direct"))
    return out


def ours(gold: dict, nlp) -> dict[str, list[Prediction]]:
    names = sorted(gold)
    articles = [Article.of_text(n, gold[n][0]) for n in names]
    return {name: _predictions(extraction) for name, extraction in zip(names, extract.extract_batch(articles, nlp))}


def _predictions(extraction) -> list[Prediction]:
    return [Prediction(q.spans, q.speaker, q.speaker_span, q.kind) for q in extraction.quotes]


# --- cross-validation by article ---------------------------------------------------------------

# (module, attribute) of each ordered tuple of rules; a unit is one entry of one of them
RULE_TABLES = (
    (attribution, "STRATEGIES"),
    (speakers, "RESOLVERS"),
    (cues, "BORROWED_SPEAKERS"),
    (cues, "PHRASED_CUES"),
)
K_FOLDS = 5


def _unit_name(entry) -> str:
    return entry[0] if isinstance(entry, tuple) else entry.__name__.lstrip("_")


def units() -> list[tuple[str, str]]:
    """Every rule, as (table, name), in the order the code tries them."""
    return [(table, _unit_name(e)) for module, table in RULE_TABLES for e in getattr(module, table)]


@contextlib.contextmanager
def without(dropped: set[tuple[str, str]]) -> Iterator[None]:
    """The extraction with the `dropped` rules left out of their tables."""
    saved = {table: getattr(module, table) for module, table in RULE_TABLES}
    try:
        for module, table in RULE_TABLES:
            setattr(module, table, tuple(e for e in saved[table] if (table, _unit_name(e)) not in dropped))
        yield
    finally:
        for module, table in RULE_TABLES:
            setattr(module, table, saved[table])


def _objective(result: dict) -> float:
    return result["f1"] + result["speaker"]


def select(predict: Callable[[set], dict], names: list[str], gold: dict) -> set[tuple[str, str]]:
    """The rules to drop: one backward pass; a rule goes only when the articles score better without it."""
    dropped: set[tuple[str, str]] = set()
    best = _objective(score({n: gold[n] for n in names}, predict(dropped)))
    for unit in units():
        trial = _objective(score({n: gold[n] for n in names}, predict(dropped | {unit})))
        if trial > best:
            dropped.add(unit)
            best = trial
    return dropped


def cross_validate(gold: dict, nlp, k: int = K_FOLDS, seed: int = 0) -> tuple[dict, dict, dict[tuple, int], dict]:
    """(held-out result over k folds by article, dev-fit result, how many folds dropped each rule,
    the result on all articles without each rule)."""
    names = sorted(gold)
    docs = dict(zip(names, nlp.pipe([gold[n][0] for n in names], batch_size=extract.BATCH)))

    def predict(dropped: set) -> dict[str, list[Prediction]]:
        with without(dropped):
            return {n: _predictions(extract.extract_doc(Article.of_text(n, gold[n][0]), docs[n])) for n in names}

    order = names[:]
    random.Random(seed).shuffle(order)
    held_out: dict[str, list[Prediction]] = {}
    drops: dict[tuple, int] = defaultdict(int)
    for i in range(k):
        test = set(order[i::k])
        train = [n for n in names if n not in test]
        dropped = select(predict, train, gold)
        for unit in dropped:
            drops[unit] += 1
        predicted = predict(dropped)
        held_out.update({n: predicted[n] for n in test})
    fit_dropped = select(predict, names, gold)
    for unit in fit_dropped:
        drops[("fit",) + unit] = 1
    ablation = {unit: score(gold, predict({unit})) for unit in units()}
    return score(gold, held_out), score(gold, predict(fit_dropped)), drops, ablation


# --- timing ------------------------------------------------------------------------------------


def timing(data: str, n: int, nlp) -> tuple[float, float, float, int]:
    paths = sorted(glob.glob(os.path.join(data, "t17-dev", "*", "InputDocs", "*", "*.txt")))
    step = max(1, len(paths) // n)
    texts = []
    for path in paths[::step][:n]:
        with open(path, encoding="utf-8", errors="replace") as handle:
            texts.append(handle.read())
    articles = [Article.of_text(str(i), t) for i, t in enumerate(texts)]
    bare = spacy.load(extract.MODEL)
    bare.select_pipes(enable=["tok2vec", "ner"])
    parser = spacy.load(extract.MODEL)  # what enabling the parser (and its tagger) would cost
    parser.select_pipes(enable=["tok2vec", "tagger", "parser", "ner"])
    list(bare.pipe(texts[:20]))
    extract.extract_batch(articles[:20], nlp)
    list(parser.pipe(texts[:20]))
    best = {"bare": 1e9, "ours": 1e9, "parser": 1e9}
    # CPU seconds of this process, not wall time: on a shared machine the ratio of CPU times holds where
    # wall-clock ratios do not (the better of two runs each, interleaved, to damp what noise is left)
    for _ in range(2):
        t = time.process_time()
        for _doc in bare.pipe(texts, batch_size=extract.BATCH):
            pass
        best["bare"] = min(best["bare"], time.process_time() - t)
        t = time.process_time()
        extract.extract_batch(articles, nlp)
        best["ours"] = min(best["ours"], time.process_time() - t)
    t = time.process_time()
    for _doc in parser.pipe(texts, batch_size=extract.BATCH):
        pass
    best["parser"] = time.process_time() - t
    return best["bare"], best["ours"], best["parser"], len(texts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=DATA)
    parser.add_argument("--timing-docs", type=int, default=300, help="0 skips the timing rows")
    parser.add_argument("--no-cv", action="store_true", help="skip the cross-validation rows")
    args = parser.parse_args()
    gold = load_gold(args.data)
    nlp = extract.load()
    t = time.perf_counter()
    predicted = ours(gold, nlp)
    ours_seconds = time.perf_counter() - t
    mine = score(gold, predicted)
    base = score(gold, {name: baseline(text) for name, (text, _) in gold.items()})
    bare, full, with_parser, n = timing(args.data, args.timing_docs, nlp) if args.timing_docs else (1, 0, 0, 0)
    rows = [
        ("direct-quote precision", f"{mine['precision']:.3f}", f"{base['precision']:.3f}"),
        ("direct-quote recall", f"{mine['recall']:.3f}", f"{base['recall']:.3f}"),
        ("direct-quote F1 (target ≥ 0.90)", f"{mine['f1']:.3f}", f"{base['f1']:.3f}"),
        ("speaker accuracy (target ≥ 0.90)", f"{mine['speaker']:.3f}", f"{base['speaker']:.3f}"),
        (
            "predictions / gold direct quotes",
            f"{mine['predictions']} / {mine['gold_direct']}",
            f"{base['predictions']} / {base['gold_direct']}",
        ),
        ("speaker-scored quotes", str(mine["speaker_n"]), str(base["speaker_n"])),
    ]
    if not args.no_cv:
        held, fit, drops, ablation = cross_validate(gold, nlp)
        rows += [
            (f"F1, {K_FOLDS}-fold CV by article (held out)", f"{held['f1']:.3f}", f"{base['f1']:.3f}"),
            (f"speaker accuracy, {K_FOLDS}-fold CV by article", f"{held['speaker']:.3f}", f"{base['speaker']:.3f}"),
            ("F1 / speaker, dev fit (selection on all)", f"{fit['f1']:.3f} / {fit['speaker']:.3f}", "—"),
        ]
        for (table, name), folds in sorted((u, c) for u, c in drops.items() if u[0] != "fit"):
            fit_drop = "also in the fit" if drops.get(("fit", table, name)) else "kept in the fit"
            rows.append((f"  dropped in {folds}/{K_FOLDS} folds: {table} {name}", fit_drop, ""))
        for unit in sorted(u[1:] for u in drops if u[0] == "fit" and drops.get(u[1:]) is None):
            rows.append((f"  dropped in the fit only: {unit[0]} {unit[1]}", "", ""))
        for (table, name), result in ablation.items():
            rows.append(
                (
                    f"  without {table} {name}: F1 / speaker",
                    f"{result['f1'] - mine['f1']:+.3f} / {result['speaker'] - mine['speaker']:+.3f}",
                    "",
                )
            )
    rows += [
        (f"PolNeAR extraction time, {len(gold)} articles (s)", f"{ours_seconds:.2f}", "—"),
        (f"t17-dev {n} texts: bare NER pass (CPU s)", f"{bare:.2f}", ""),
        (f"t17-dev {n} texts: our extraction (CPU s)", f"{full:.2f}", ""),
        ("cost ratio ours / bare NER (budget ≤ 1.5)", f"{full / bare:.2f}", ""),
        ("ratio with tagger + parser enabled (not used)", f"{with_parser / bare:.2f}", ""),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'quotes (PolNeAR dev, first annotator)':<{width}}  {'dateline':>12}  {'regex baseline':>14}")
    for label, a, b in rows:
        print(f"{label:<{width}}  {a:>12}  {b:>14}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
