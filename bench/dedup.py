"""Duplicate detection: pairwise precision/recall and throughput against datasketch MinHashLSH.

A synthetic syndication set is built, in memory, from each development corpus
separately (ECB+ and Timeline17, reported apart so that neither is tuned on):
every article is an "original"; a seeded sample of them gets 1–3 copies, each one of

  exact      the same text with different boilerplate lines around it, other whitespace
  trimmed    20–50 % of the sentences dropped
  edited     "U.S."↔"US", other quote styles, one or two words changed
  retitled   another headline (the headline is the text's first line)
  trim+edit  trimmed and edited (what seed 001 is to seed 002)

and the other originals are the hard negatives (ECB+ topic folders and Timeline17
topics are full of different articles about the same event). Originals that are
near-copies of each other are labelled from their true containment (exact shingle
sets): ≥ 0.7 duplicates, < 0.3 not, pairs in between are left out of the scoring.

Truth and predictions are groups; precision and recall are over pairs of articles
in the same group. Throughput is end to end, run the way the pipeline runs it
(normalising, shingling and MinHash in a pool of 2 worker processes; then, in the
main process, `Deduper.needs` — given the shingles — and `Deduper.check` over an
in-memory index), the same for datasketch at its best (MinHash(128) over the same
shingles in the same pool, its permutations drawn once per process as
`MinHash.bulk` does, LeanMinHash sent back; MinHashLSH at threshold t, pairs kept
when their estimated Jaccard ≥ t). "× ds best" divides by the faster datasketch
run of the same set, measured in the same run.

    .venv/bin/python bench/dedup.py [--copies 0.35] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import combinations
from multiprocessing import get_context
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from dateline import dedup  # noqa: E402
from dateline.models import Article  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
SEEDS = ROOT.parent / "shared" / "seeds"
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“‘'])")
BOILERPLATE = (
    "Read more",
    "Share this article",
    "Advertisement",
    "Follow us on Twitter and Facebook",
    "Click here to subscribe to our daily newsletter",
    "Copyright {year} {outlet}. All rights reserved.",
    "This story has been updated.",
    "Related: more on this story",
    "Sign up for breaking news alerts",
    "Image: file photo",
    "Leave a Reply",
    "Source link",
    "Comments are closed.",
    "Print this page",
)
NEW_WORDS = ("reportedly", "officials", "yesterday", "several", "spokesperson", "nearly", "region", "major")
HEADLINE_WORDS = ("Update", "Latest", "Breaking", "Explainer", "Live", "Analysis", "Report", "News")


@dataclass(slots=True)
class Item:
    id: str
    family: int  # index of the original it derives from
    kind: str  # "original" or the copy type
    title: str
    body: list[str]  # sentences
    source: str
    published: date

    def text(self) -> str:
        return self.title + "\n\n" + " ".join(self.body)


# --- corpora ----------------------------------------------------------------------------------------


def load_ecbplus(root: Path) -> list[tuple[str, str, list[str], str]]:
    """(name, title, sentences, group) for each ECB+ article with text; group = topic number."""
    out = []
    for path in sorted(root.glob("*/*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        text = (record.get("text") or "").strip()
        if not text:
            continue
        sentences = [s for s in SENTENCE_END.split(" ".join(text.split())) if s]
        topic = re.match(r"\d+", path.parent.name).group(0)
        out.append((path.stem, (record.get("title") or "").strip() or sentences[0][:80], sentences, topic))
    return out


def load_t17(root: Path) -> list[tuple[str, str, list[str], str]]:
    """(name, title, sentences, group): one sentence a line; the first line stands for the headline."""
    out = []
    for path in sorted(root.glob("*/InputDocs/*/*.txt")):
        lines = [line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines()]
        lines = [line for line in lines if line]
        if len(lines) < 2:
            continue
        topic = path.parts[-4].split("_")[0]
        # The headline is fused with the first sentence on line one: take its first 10 words for it.
        head = lines[0].split()
        body = ([" ".join(head[10:])] if len(head) > 10 else []) + lines[1:]
        out.append((f"{path.parts[-4]}/{path.stem}", " ".join(head[:10]), body, topic))
    return out


# --- copies -----------------------------------------------------------------------------------------


def edit(sentences: list[str], rng: random.Random) -> list[str]:
    swaps = [
        ("U.S.", "US"),
        ("US", "U.S."),
        ("U.K.", "UK"),
        ("UK", "U.K."),
        ('"', "“"),
        ("``", "“"),
        ("''", "”"),
        ("'", "’"),
        ("’", "'"),
        ("“", '"'),
        ("”", '"'),
    ]
    out = []
    for sentence in sentences:
        for old, new in swaps:
            if old in sentence and rng.random() < 0.7:
                sentence = sentence.replace(old, new)
        out.append(sentence)
    for _ in range(rng.randint(1, 2)):  # a changed word
        i = rng.randrange(len(out))
        words = out[i].split()
        long_ones = [j for j, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
        if long_ones:
            words[rng.choice(long_ones)] = rng.choice(NEW_WORDS)
            out[i] = " ".join(words)
    return out


def trim(sentences: list[str], rng: random.Random) -> list[str]:
    drop = round(len(sentences) * rng.uniform(0.2, 0.5))
    dropped = set(rng.sample(range(len(sentences)), drop))
    return [s for i, s in enumerate(sentences) if i not in dropped]


def make_copy(original: Item, kind: str, n: int, rng: random.Random) -> Item:
    body, title = list(original.body), original.title
    if (
        kind != "exact" and len(body) > 2 and rng.random() < 0.5
    ):  # the wire dateline often stays at the top of a trimmed copy
        head, body = body[:1], body[1:]
    else:
        head = []
    outlet = f"outlet{rng.randrange(50)}"
    if kind == "exact":
        head = [rng.choice(BOILERPLATE) for _ in range(rng.randint(0, 2))]
        tail = [rng.choice(BOILERPLATE).format(year=2021, outlet=outlet) for _ in range(rng.randint(1, 2))]
        body = head + ["  ".join(s.split(" ")) if rng.random() < 0.2 else s for s in body] + tail
    elif kind == "trimmed":
        body = trim(body, rng)
    elif kind == "edited":
        body = edit(body, rng)
    elif kind == "retitled":
        words = " ".join(body).split()
        title = f"{rng.choice(HEADLINE_WORDS)}: " + " ".join(rng.sample(words, min(8, len(words))))
    elif kind == "trim+edit":
        body = edit(trim(body, rng), rng)
    return Item(
        f"{original.id}~{n}",
        original.family,
        kind,
        title,
        head + body,
        outlet,
        original.published + timedelta(days=rng.randint(0, 2)),
    )


def build(records: list[tuple[str, str, list[str], str]], share: float, rng: random.Random) -> list[Item]:
    items = []
    start = date(2020, 1, 1)
    for family, (name, title, sentences, _group) in enumerate(records):
        source = "origin"
        if family % 2:  # half the originals are wire stories: a dateline naming their own agency
            source = rng.choice(("Reuters", "AFP", "AP"))
            sentences = [f"LONDON ({source}) - {sentences[0]}", *sentences[1:]]
        items.append(Item(name, family, "original", title, sentences, source, start + timedelta(days=family % 400)))
    originals = list(items)
    for original in rng.sample(originals, round(share * len(originals))):
        kinds = ["exact", "edited", "retitled"]
        if len(original.body) >= 5:  # trimming needs sentences to drop
            kinds += ["trimmed", "trim+edit", "trimmed"]
        for n, kind in enumerate(rng.sample(kinds, rng.randint(1, 3))):
            items.append(make_copy(original, kind, n, rng))
    return items


# --- truth ------------------------------------------------------------------------------------------


class Groups:
    """Union-find over string ids."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def pairs(self, ids: list[str]) -> set[tuple[str, str]]:
        members = defaultdict(list)
        for x in ids:
            members[self.find(x)].append(x)
        return {tuple(sorted(p)) for group in members.values() for p in combinations(group, 2)}


def original_overlaps(originals: list[Item], shingles: dict[str, np.ndarray]) -> dict[tuple[int, int], float]:
    """True containment of every pair of originals that share a shingle (an inverted index, not all pairs)."""
    postings: dict[int, list[int]] = defaultdict(list)
    for item in originals:
        for value in shingles[item.id].tolist():
            postings[value].append(item.family)
    shared: Counter = Counter()
    for families in postings.values():
        if 1 < len(families) <= 200:
            shared.update(combinations(sorted(families), 2))
    sizes = {item.family: shingles[item.id].size for item in originals}
    out = {}
    for (a, b), common in shared.items():
        smaller = min(sizes[a], sizes[b])
        if smaller >= dedup.MIN_CONTAINED or common == smaller:
            out[(a, b)] = common / smaller
    return out


def truth(items: list[Item], overlaps: dict[tuple[int, int], float]):
    groups, ambiguous = Groups(), set()
    first = {}
    for item in items:
        first.setdefault(item.family, item.id)
        groups.union(first[item.family], item.id)
    for (a, b), c in overlaps.items():
        if c >= 0.7:
            groups.union(first[a], first[b])
        elif c >= 0.3:
            ambiguous.add((a, b))
    return groups, ambiguous


def score(predicted: set, items: list[Item], groups: Groups, ambiguous: set) -> dict:
    by_id = {item.id: item for item in items}
    true = groups.pairs([item.id for item in items])

    def ignored(pair) -> bool:
        a, b = by_id[pair[0]].family, by_id[pair[1]].family
        return (min(a, b), max(a, b)) in ambiguous and pair not in true

    left_out = {p for p in predicted if ignored(p)}
    tp = len(predicted & true)
    fp = len(predicted - true - left_out)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / len(true) if true else 1.0
    trimmed = {p for p in true if {by_id[p[0]].kind, by_id[p[1]].kind} & {"trimmed", "trim+edit"}}
    trimmed_recall = len(predicted & trimmed) / len(trimmed) if trimmed else 1.0
    return {"pairs": len(true), "P": precision, "R": recall, "R_trim": trimmed_recall, "fp": fp}


# --- runners ----------------------------------------------------------------------------------------


def article(item: Item) -> Article:
    return Article(
        id=item.id,
        external_id=item.id,
        path=item.id,
        url=None,
        source=item.source,
        title=item.title,
        language="en",
        published=item.published,
        published_source="path",
        modified=None,
        text=item.text(),
    )


def run_ours(items: list[Item], texts: list[str], pool) -> tuple[set, float, dict]:
    started = time.perf_counter()
    fingerprints = []
    index = dedup.MemoryIndex()
    deduper = dedup.Deduper(index)
    records = {}
    for item, (shingles, keys) in zip(items, pool.imap(dedup.fingerprint, texts, chunksize=32)):
        fingerprints.append((shingles, keys))
        record = article(item)
        records[item.id] = record
        needed = deduper.needs(keys, item.id, shingles)
        deduper.check(record, shingles, keys, {i: records[i] for i in needed})
    elapsed = time.perf_counter() - started
    groups = Groups()
    canonical_ok = canonical_all = 0
    by_id = {item.id: item for item in items}
    for canonical, members in index.groups().items():
        for member in members:
            groups.union(canonical, member)
        family = {by_id[m].family for m in members} | {by_id[canonical].family}
        if len(family) == 1:
            canonical_all += 1
            canonical_ok += by_id[canonical].kind == "original"
    memory = sum(s.nbytes + 8 * len(k) for s, k in fingerprints)
    extra = {"canonical": canonical_ok / canonical_all if canonical_all else 1.0, "bytes/article": memory / len(items)}
    return groups.pairs([item.id for item in items]), elapsed, extra


_DATASKETCH_PERMUTATIONS = None  # each worker process draws datasketch's permutations once


def datasketch_minhash(text: str):
    """datasketch at its best: MinHash(128) over the same 5-word shingles, permutations drawn once
    per process (as `MinHash.bulk` does), and the lean form sent back to the main process."""
    from datasketch import LeanMinHash, MinHash

    global _DATASKETCH_PERMUTATIONS
    if _DATASKETCH_PERMUTATIONS is None:
        _DATASKETCH_PERMUTATIONS = MinHash(num_perm=128, seed=1).permutations
    words = dedup.normalise(text).split()
    width = min(dedup.SHINGLE_WORDS, len(words))
    grams = {" ".join(words[i : i + width]).encode("utf-8") for i in range(len(words) - width + 1)}
    sketch = MinHash(num_perm=128, seed=1, permutations=_DATASKETCH_PERMUTATIONS, scheme="affine32")
    sketch.update_batch(list(grams))
    return LeanMinHash(sketch)


def run_datasketch(items: list[Item], texts: list[str], pool, threshold: float) -> tuple[set, float, dict]:
    from datasketch import MinHashLSH

    started = time.perf_counter()
    sketches = pool.imap(datasketch_minhash, texts, chunksize=32)
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    by_id = {}
    groups = Groups()
    for item, sketch in zip(items, sketches):
        for other in lsh.query(sketch):
            if sketch.jaccard(by_id[other]) >= threshold:
                groups.union(item.id, other)
        lsh.insert(item.id, sketch)
        by_id[item.id] = sketch
    elapsed = time.perf_counter() - started
    return groups.pairs([item.id for item in items]), elapsed, {}


def seeds_row() -> str:
    files = sorted(SEEDS.glob("*.txt"))
    if not files:
        return "seeds: not found"
    articles = [
        Article.of_text(
            f.name[:3],
            f.read_text(encoding="utf-8"),
            external_id=f.stem,
            path=str(f),
            published=date(2021, 7, 13) if f.name.startswith("002") else None,
        )
        for f in files
    ]
    matches = dedup.dedupe(articles)
    found = {k: (m.canonical, m.kind, round(m.score, 3)) for k, m in matches.items()}
    ok = found.keys() == {"001"} and found["001"][0] == "002"
    return f"seeds: {found}  {'OK (001→002, nothing else)' if ok else 'WRONG'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=float, default=0.35, help="share of originals that get copies")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    sets = {"ecbplus": load_ecbplus(DATA / "ecbplus-dev"), "t17": load_t17(DATA / "t17-dev")}
    rows = []
    with get_context("fork").Pool(2) as pool:
        pool.map(dedup.fingerprint, ["warm up"] * 64, chunksize=1)
        pool.map(datasketch_minhash, ["warm up"] * 64, chunksize=1)
        for name, records in sets.items():
            rng = random.Random(args.seed)
            items = build(records, args.copies, rng)
            rng.shuffle(items)  # arrival order: copies may come before their original
            texts = [item.text() for item in items]
            originals = [item for item in items if item.kind == "original"]
            exact_shingles = {item.id: dedup.shingle_hashes(item.text()) for item in originals}
            groups, ambiguous = truth(items, original_overlaps(originals, exact_shingles))
            runs = [("dateline", run_ours(items, texts, pool))]
            for threshold in (0.5, 0.8):
                runs.append((f"datasketch t={threshold}", run_datasketch(items, texts, pool, threshold)))
            base = {label: len(items) / elapsed for label, (_, elapsed, _) in runs}
            reference = max(v for k, v in base.items() if k.startswith("datasketch"))
            for label, (pairs, elapsed, extra) in runs:
                figures = score(pairs, items, groups, ambiguous)
                rows.append(
                    (
                        name,
                        label,
                        len(items),
                        figures,
                        len(items) / elapsed,
                        len(items) / elapsed / reference,
                        extra,
                        len(ambiguous),
                    )
                )
    header = (
        f"{'set':8} {'method':18} {'articles':>8} {'true pairs':>10} {'precision':>9} {'recall':>7} "
        f"{'R trimmed':>9} {'art/s':>7} {'× ds best':>9} {'canon=orig':>10} {'B/article':>9}"
    )
    print(header)
    print("-" * len(header))
    for name, label, n, f, rate, ratio, extra, _amb in rows:
        canon = f"{extra['canonical']:.3f}" if "canonical" in extra else "-"
        size = f"{extra['bytes/article']:.0f}" if "bytes/article" in extra else "-"
        print(
            f"{name:8} {label:18} {n:8d} {f['pairs']:10d} {f['P']:9.4f} {f['R']:7.4f} {f['R_trim']:9.4f} "
            f"{rate:7.0f} {ratio:9.2f} {canon:>10} {size:>9}"
        )
    print("-" * len(header))
    print(seeds_row())
    left = {name: amb for name, *_rest, amb in [(r[0], r[7]) for r in rows]}
    print(
        f"original pairs left out of scoring (true containment 0.3–0.7): {left};  "
        f"targets: precision ≥ 0.995, recall ≥ 0.99, throughput ≥ 3× datasketch"
    )


if __name__ == "__main__":
    main()
