"""dateline.timeline: date selection, sentence selection, the JSON contract, the seed golden timeline."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from conftest import SEEDS, require_shared
from dateline.clean import clean_text
from dateline.timeline import Chosen, Entry, Sentence, Timeline, summarise, terms

D = dt.date

# Publication dates and outlets of the seeds (DESIGN.md, "The seed corpus"); 001 is a
# trimmed copy of 002, folded by the caller into 002's carried_by.
SEED_META = {
    "000": (D(2018, 12, 28), "TASS", "https://tass.com/world/1038251"),
    "002": (D(2021, 7, 13), "TASS", "https://tass.com/politics/1313173"),
    "003": (
        D(2021, 3, 17),
        "Sputnik",
        "https://sputniknews.com/world/202103171082376402-russian-ambassador-to-us-to-fly-to-moscow-march-20-for-talks-on-relations-with-washington/",
    ),
    "004": (D(2021, 3, 20), "Sputnik", None),
}
CARRIED = {"002": [{"article": "001", "source": "repost", "url": None}]}

# --- referenced days: dateline.timex when it exists, else a small stand-in for these texts
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        "january february march april may june july august september october november december".split()
    )
}
_MD = re.compile(r"\b(" + "|".join(m.capitalize() for m in _MONTHS) + r") (\d{1,2})\b(?!,? \d{4})")
_WEEKDAY = re.compile(r"\b(?:on|earlier on) (Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
_WD = {w: i for i, w in enumerate("Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split())}


def _standin_days(sentence: str, dct: dt.date) -> list[dt.date]:
    out = []
    for m in _MD.finditer(sentence):
        try:
            out.append(D(dct.year, _MONTHS[m.group(1).lower()], int(m.group(2))))
        except ValueError:
            pass
    for m in _WEEKDAY.finditer(sentence):
        out.append(dct - dt.timedelta(days=(dct.weekday() - _WD[m.group(1)]) % 7))
    return sorted(set(out))


def referenced(sentences: list[str], dct: dt.date) -> list[list[dt.date]]:
    try:
        from dateline import timex  # the other engineer's module, when it exists
    except ImportError:
        return [_standin_days(s, dct) for s in sentences]
    out: list[list[dt.date]] = [[] for _ in sentences]
    spans, start = [], 0
    for sentence in sentences:
        spans.append((start, start + len(sentence)))
        start += len(sentence) + 1
    for i, d in timex.referenced_days(" ".join(sentences), dct, sentences=spans):
        if d not in out[i]:
            out[i].append(d)
    return out


_SPLIT = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’]))\s+(?=[\"“‘A-Z])")


def split_sentences(text: str) -> list[str]:
    out = []
    for para in text.split("\n"):
        out.extend(s.strip() for s in _SPLIT.split(para) if s.strip())
    return out


def seed_sentences() -> list[Sentence]:
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        key = path.name[:3]
        if key not in SEED_META:
            continue
        pub, source, url = SEED_META[key]
        cleaned = clean_text(path.read_text("utf-8"))
        sents = split_sentences(cleaned.text)
        for i, (text, days) in enumerate(zip(sents, referenced(sents, pub))):
            out.append(
                Sentence(
                    text=text,
                    article=key,
                    source=source,
                    url=url,
                    title=cleaned.title,
                    published=pub,
                    dates=tuple(days),
                    position=i,
                    carried_by=CARRIED.get(key, []),
                )
            )
    return out


@pytest.fixture(scope="module")
def seeds() -> list[Sentence]:
    require_shared()
    return seed_sentences()


# ---------------------------------------------------------------------------------------
# The golden seed timeline


def test_seed_timeline_lists_the_five_dates(seeds):
    tl = summarise(seeds, "Antonov")
    dates = [e.date for e in tl.entries]
    for d in (D(2018, 12, 28), D(2021, 3, 17), D(2021, 3, 20), D(2021, 6, 16), D(2021, 7, 13)):
        assert d in dates, f"{d} missing from {dates}"
    assert dates == sorted(dates)
    assert D(2021, 7, 9) not in dates  # named by one sentence only: not enough evidence


def test_seed_summit_comes_from_a_referring_sentence(seeds):
    tl = summarise(seeds, "Antonov")
    entry = next(e for e in tl.entries if e.date == D(2021, 6, 16))
    (chosen,) = entry.sentences
    assert chosen.date_source == "referenced"
    assert chosen.text in (
        "The Russian-US summit was held in Geneva on June 16.",
        "Presidents Vladimir Putin of Russia and Joe Biden of the United States held talks in Geneva on June 16.",
    )
    assert chosen.article == "002"
    assert chosen.carried_by == [{"article": "001", "source": "repost", "url": None}]


def test_seed_sentences_say_what_happened(seeds):
    by_date = {e.date: e.sentences[0] for e in summarise(seeds, "Antonov").entries}
    assert re.search("missed opportunities|delivered several blows", by_date[D(2018, 12, 28)].text)
    assert "Antonov" in by_date[D(2021, 3, 20)].text or "Moscow" in by_date[D(2021, 3, 20)].text
    assert "recall" in by_date[D(2021, 3, 17)].text.lower() or "Moscow" in by_date[D(2021, 3, 17)].text
    assert "Geneva" in by_date[D(2021, 7, 13)].text or "summit" in by_date[D(2021, 7, 13)].text
    for chosen in by_date.values():
        assert chosen.source in ("TASS", "Sputnik")
        assert not chosen.text.endswith("?")


# ---------------------------------------------------------------------------------------
# Options


def test_max_dates_per_date_start_end(seeds):
    tl = summarise(seeds, max_dates=2, per_date=3)
    assert len(tl.entries) == 2
    assert all(1 <= len(e.sentences) <= 3 for e in tl.entries)
    assert any(len(e.sentences) == 3 for e in tl.entries)
    texts = [c.text for e in tl.entries for c in e.sentences]
    assert len(texts) == len(set(texts))

    window = summarise(seeds, start=D(2021, 3, 1), end=D(2021, 6, 30))
    assert window.entries
    assert all(D(2021, 3, 1) <= e.date <= D(2021, 6, 30) for e in window.entries)
    assert summarise(seeds, max_dates=0).entries == []
    assert summarise([], "x").to_json() == {"query": "x", "entries": []}


def test_default_caps_at_twenty_dates_with_two_sentences_each():
    sents = []
    for i in range(30):
        day = D(2020, 1, 1) + dt.timedelta(days=i)
        n = 3 if i % 2 else 1  # odd days backed by 3 sentences, even days by 1
        for j in range(n):
            sents.append(
                Sentence(
                    text=f"Council {i} voted on budget item {j} after a long debate.",
                    article=f"a{i}",
                    source="Herald",
                    url=None,
                    title=None,
                    published=day,
                    position=j,
                )
            )
    tl = summarise(sents)
    assert len(tl.entries) == 15  # only the 15 odd days have 2+ sentences
    sents += [
        Sentence(
            text=f"Extra report {i} {j} on the council.",
            article=f"b{i}",
            source="Post",
            url=None,
            title=None,
            published=D(2020, 3, 1) + dt.timedelta(days=i),
            position=j,
        )
        for i in range(10)
        for j in range(2)
    ]
    assert len(summarise(sents).entries) == 20


def test_bad_arguments_name_the_mistake():
    with pytest.raises(ValueError, match="per_date"):
        summarise([], per_date=0)
    with pytest.raises(ValueError, match="after end"):
        summarise([], start=D(2021, 2, 1), end=D(2021, 1, 1))


def test_deterministic(seeds):
    a = json.dumps(summarise(seeds, "Antonov", per_date=2).to_json())
    b = json.dumps(summarise(list(reversed(seeds)), "Antonov", per_date=2).to_json())
    c = json.dumps(summarise(iter(seeds), "Antonov", per_date=2).to_json())
    assert a == b == c


def test_precomputed_tokens_give_the_same_timeline(seeds):
    pre = [
        Sentence(
            s.text,
            s.article,
            s.source,
            s.url,
            s.title,
            s.published,
            s.dates,
            s.position,
            s.carried_by,
            tokens=terms(s.text),
        )
        for s in seeds
    ]
    assert summarise(pre, "Antonov").to_json() == summarise(seeds, "Antonov").to_json()


def test_same_sentence_from_two_outlets_is_folded():
    day = D(2021, 5, 4)
    text = "The bridge over the river reopened to traffic on Tuesday after repairs."
    sents = [
        Sentence(
            text,
            "a1",
            "Herald",
            "http://herald/1",
            "Bridge reopens",
            D(2021, 5, 4),
            (day,),
            0,
            carried_by=[{"article": "a3", "source": "Wire", "url": "http://wire/3"}],
        ),
        Sentence(text, "a2", "Post", "http://post/2", "Bridge open", D(2021, 5, 5), (day,), 2),
        Sentence(
            "Traffic was heavy on the first morning of the reopened bridge.",
            "a1",
            "Herald",
            "http://herald/1",
            "Bridge reopens",
            D(2021, 5, 4),
            (),
            1,
        ),
    ]
    tl = summarise(sents, per_date=3)
    entry = next(e for e in tl.entries if e.date == day)
    folded = [c for c in entry.sentences if c.text == text]
    assert len(folded) == 1
    assert folded[0].article == "a1"
    assert folded[0].date_source == "referenced"
    assert {c["article"] for c in folded[0].carried_by} == {"a2", "a3"}


def test_json_shape_is_the_design_contract(seeds):
    out = summarise(seeds, "Antonov").to_json()
    json.dumps(out)  # serialisable as is
    assert set(out) == {"query", "entries"}
    assert out["query"] == "Antonov"
    for entry in out["entries"]:
        assert set(entry) == {"date", "sentences", "quotes"}  # DESIGN.md's shape + the person's quotes
        dt.date.fromisoformat(entry["date"])
        for s in entry["sentences"]:
            assert set(s) == {
                "text",
                "article",
                "source",
                "url",
                "title",
                "date_source",
                "carried_by",
                "story",
                "published",
            }
            assert s["date_source"] in ("published", "referenced", "reported")
            for c in s["carried_by"]:
                assert set(c) == {"article", "source", "url"}
    tl = Timeline(
        "q",
        [
            Entry(
                D(2020, 1, 2),
                [Chosen("t", "a", "S", None, None, "published", [{"article": "b", "source": "T", "url": "u", "x": 1}])],
            )
        ],
    )
    assert tl.to_json() == {
        "query": "q",
        "entries": [
            {
                "date": "2020-01-02",
                "sentences": [
                    {
                        "text": "t",
                        "article": "a",
                        "source": "S",
                        "url": None,
                        "title": None,
                        "date_source": "published",
                        "carried_by": [{"article": "b", "source": "T", "url": "u"}],
                        "story": None,
                        "published": None,
                    }
                ],
                "quotes": [],
            }
        ],
    }


# ---------------------------------------------------------------------------------------
# DATEWISE-style candidate filtering and sentence shape


def test_knee_is_where_a_falling_curve_bends():
    from dateline.timeline import _knee

    assert _knee([1.0, 0.95, 0.9, 0.2, 0.15, 0.1, 0.05]) == 3
    assert _knee([0.5, 0.4]) == 1  # too short to bend: keep everything


def test_off_topic_candidates_are_cut_when_both_kinds_of_evidence_agree():
    day = D(2021, 5, 4)
    quake = "The earthquake struck the capital at dawn, rescuers searched the rubble for survivors."
    sents = [Sentence(f"{quake} Report {i}.", f"r{i}", "S", None, None, D(2021, 5, 9), (day,), 3) for i in range(4)]
    sents += [Sentence(f"{quake} Update {i}.", f"p{i}", "S", None, None, day, (), 0) for i in range(4)]
    sents += [
        Sentence(
            "Football scores from the weekend league games were announced by officials.",
            "x",
            "S",
            None,
            None,
            day,
            (),
            0,
        )
    ]
    with_knee = summarise(sents, max_dates=1, per_date=9)
    without = summarise(sents, max_dates=1, per_date=9, params={"knee": False})
    assert "Football" not in " ".join(c.text for c in with_knee.entries[0].sentences)
    assert "Football" in " ".join(c.text for c in without.entries[0].sentences)


def test_captions_lose_to_finished_sentences():
    day = D(2021, 5, 4)
    sents = [
        Sentence("Ambassador Anatoly Antonov Photo Agency/TASS", "a", "TASS", None, None, day, (), 0),
        Sentence(
            "Ambassador Anatoly Antonov met the Secretary of State in Washington.", "b", "TASS", None, None, day, (), 0
        ),
    ]
    (entry,) = summarise(sents, max_dates=1).entries
    assert entry.sentences[0].text.endswith("Washington.")


def test_a_next_day_report_keeps_its_own_date():
    day = D(2021, 5, 4)
    sents = [
        Sentence("Crowds gathered on the river bank at dawn", "a", "Herald", None, None, day, (), 5),
        Sentence(
            "The bridge over the river reopened to traffic after two years of repairs.",
            "b",
            "Herald",
            None,
            None,
            day + dt.timedelta(days=1),
            (),
            0,
        ),
    ]
    (entry,) = summarise(sents, max_dates=1, end=day, params={"pub_lag": 1}).entries
    assert entry.date == day
    assert entry.sentences[0].date_source == "reported"  # a lead of an article that appeared later
    assert entry.sentences[0].published == day + dt.timedelta(days=1)  # its own date says when


def test_a_lead_on_its_own_day_is_published():
    day = D(2021, 5, 4)
    sents = [
        Sentence(
            "The bridge over the river reopened to traffic after two years of repairs.",
            "b",
            "Herald",
            None,
            None,
            day,
            (),
            0,
        )
    ]
    (entry,) = summarise(sents, max_dates=1, end=day, params={"pub_lag": 1}).entries
    assert (entry.date, entry.sentences[0].date_source) == (day, "published")
