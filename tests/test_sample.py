"""Golden tests on the bundled sample corpus (docs/sample-corpus.md): what "right" means, in any clone.

The seed tests (test_seeds.py and the seed sections of the stage tests) need ../shared. These cover
the same behaviours on material the project owns, so a clone with nothing beside it checks them too:
cleaning, publication dates (year-less datelines, URLs, copies, stories), duplicates, stories,
entities and their aliases, quotes and their speakers, timelines. The sample is ingested once per
session (the `sample` fixture in conftest.py); the stage functions run on its files directly.

Expectations that docs/sample-corpus.md states but the code does not meet yet are `xfail(strict=True)`
with the reason: when one starts to pass, drop its marker.
"""

from __future__ import annotations

import json
import pickle
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dateline
from conftest import SAMPLE
from dateline import dedup, extract, timex
from dateline.clean import clean_text
from dateline.cluster import Clusterer, MemoryState, StoryState, cluster, features, infer_date
from dateline.dates import Dated, publication_date
from dateline.dedup import Match, compare, dedupe, fingerprint
from dateline.models import DATE_SOURCES, Article
from dateline.text import split_sentences
from dateline.timeline import Sentence, summarise, terms

D = date
TODAY = D(2024, 6, 1)  # "today" for the date stage: a fixed one, so the year chosen cannot drift
HOSTILE_TITLE = "Egypt seizes Ever Given over $916m claim <script>alert(1)</script>"


def raw(relative: str) -> str:
    return (SAMPLE / relative).read_text(encoding="utf-8")


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


@pytest.fixture(scope="module")
def corpus(sample):
    with dateline.open(sample.db) as opened:
        yield opened


@pytest.fixture(scope="module")
def quotes(corpus) -> list[dict]:
    return list(corpus.quotes())


@pytest.fixture(scope="module")
def entities(corpus) -> dict[str, dict]:
    return {e["name"]: e for e in corpus.entities()}


def fresh(article: Article, *, undated: bool = False) -> Article:
    """A stored article as the clusterer first meets it: no story; `undated` drops an inferred date."""
    if undated:
        return replace(article, story=None, duplicate_of=None, published=None, published_source=None)
    return replace(article, story=None, duplicate_of=None)


def originals(sample) -> list[Article]:
    """Every article that is not a copy, in ingest order, as the clusterer first meets it."""
    return [
        fresh(a, undated=a.published_source == "inferred") for a in sample.articles.values() if a.duplicate_of is None
    ]


# --- ingest: nothing lost, idempotent, deterministic ---------------------------------------------


def test_every_input_is_stored_and_nothing_rejected(sample):
    report = sample.report
    assert sample.rejects == []
    assert (report.read, report.stored, report.unchanged, report.rejected, report.duplicates) == (34, 34, 0, 0, 4)
    # the WARC's warcinfo record is not an article; its two responses are
    assert sorted(k for k in sample.articles if k.startswith("gulf-maritime-crawl")) == [
        "gulf-maritime-crawl:1",
        "gulf-maritime-crawl:2",
    ]


def test_ingesting_again_changes_nothing_and_a_fresh_ingest_is_identical(sample, tmp_path):
    with dateline.open(sample.copy_to(tmp_path)) as corpus:
        again = corpus.ingest([SAMPLE], workers=1)
        assert (again.read, again.stored, again.unchanged, again.rejected) == (34, 0, 34, 0)
    with dateline.open(tmp_path / "fresh.db") as corpus:
        corpus.ingest([SAMPLE], workers=1)
        articles = {a.external_id: a.to_dict() for a in corpus.articles()}
        timeline = corpus.timeline("Ever Given").to_json()
    assert articles == {key: a.to_dict() for key, a in sample.articles.items()}  # ids, dates, stories
    with dateline.open(sample.db) as corpus:
        assert corpus.timeline("Ever Given").to_json() == timeline


def test_languages(sample):
    assert sample["fx-20210329-de-0007"].language == "de"
    assert {a.language for key, a in sample.articles.items() if key != "fx-20210329-de-0007"} == {"en"}


# --- cleaning ------------------------------------------------------------------------------------


def test_spam_site_furniture_is_removed_and_the_body_kept():
    cleaned = clean_text(raw("spam/example-news-ever-given-afloat.txt"))
    assert cleaned.title == "Ever Given Afloat Again as Horns Sound Along the Suez Canal"
    for junk in (
        "[ad_1]",
        "[ad_2]",
        "Source link",
        "Leave a Reply",
        "Comment *",
        "Post Comment",
        "Log In",
        "Forgot password?",
        "Back to login",
        "Get short URL",
        "logo-schema.png",
        "logo-header.png",
        "https://",
        "Example News",
        "Trending now",
        "Read more",
        "Follow us",
        "Save my name",
    ):
        assert junk not in cleaned.text, junk
    kept = paragraphs(cleaned.text)
    assert "World News" not in kept
    assert cleaned.title not in kept  # the page repeats it above the login form
    assert kept[0].startswith("The Ever Given had been stuck across the canal since Tuesday")  # the summary lede
    assert kept[-1].startswith("The owners of the vessel have not yet said what caused the grounding")
    assert (
        '"The ship has been successfully refloated and is now under control," the authority said in a short '
        "statement released on Monday afternoon."
    ) in kept


def test_section_label_photo_credit_and_discuss_are_removed():
    cleaned = clean_text(raw("flattened/hw-site-0330-tug-crews.txt"))
    assert cleaned.title == "Tug crews tell of six days and nights spent pulling at the Ever Given"
    kept = paragraphs(cleaned.text)
    assert "All news" not in kept and "Discuss" not in kept
    assert not any("©" in p or "Mona Saleh/Harbour Wire" == p for p in kept)
    assert cleaned.title not in kept
    assert any(
        p.startswith("ISMAILIA, March 30. /HW/. Karim Nassar, the director of Canal Towage Company") for p in kept
    )
    assert kept[-1] == "The Suez Canal Authority said the inspection of the hull was expected to take several days."


@pytest.mark.xfail(strict=True, reason="photo captions above the dateline stay in the text (the seeds' too)")
def test_photo_captions_are_removed():
    text = clean_text(raw("flattened/hw-site-0330-tug-crews.txt")).text
    assert "The tug Sinai Star alongside the Ever Given in the Great Bitter Lake" not in text


def test_repost_header_and_trailer_are_removed():
    cleaned = clean_text(raw("reposts/canalbulletin-603917.txt"))
    assert cleaned.title == "Tugs and dredgers fail to free Ever Given as ships pile up at both ends of Suez Canal"
    lines = {line.strip() for line in cleaned.text.splitlines()}
    for junk in ("ID :", "603917", "Wed, 03/24/2021 - 09:12", "Author :", "X"):
        assert junk not in lines, junk
    assert "Author :" not in cleaned.text and "603917" not in cleaned.text
    assert cleaned.text.startswith("ISMAILIA, March 24. /HW/. Tug boats and dredgers worked through the night")
    assert "and nobody can tell the captains when they will move." in cleaned.text


@pytest.mark.xfail(strict=True, reason='a "Read more" glued to the end of the last paragraph stays (seed 002 too)')
def test_read_more_at_the_end_of_a_flattened_paragraph_is_removed():
    text = clean_text(raw("reposts/canalbulletin-603917.txt")).text
    assert not text.rstrip().endswith("Read more")


def test_blog_furniture_is_removed():
    cleaned = clean_text(raw("reposts/shipwatch-blog-ever-given-refloated.txt"))
    assert cleaned.title == "Ever Given refloated, traffic resumes in the Suez Canal"
    for junk in (
        "Home »",
        "Share on Facebook",
        "Share on Twitter",
        "By ShipWatch Staff",
        "3 Comments",
        "Next post",
        "Subscribe to our newsletter",
        "Enter your email address",
        "All rights reserved",
    ):
        assert junk not in cleaned.text, junk
    kept = paragraphs(cleaned.text)
    assert "Menu" not in kept and "Search" not in kept
    assert kept[0].startswith("ISMAILIA, March 29. /HW/. Salvage teams refloated the container ship Ever Given")


@pytest.mark.xfail(
    strict=True,
    reason='the blog\'s "Tags:" and "Previous post:" lines stay in the text, so the '
    "word-for-word copy of hw-0329 is a near copy, not an exact one",
)
def test_blog_tags_and_previous_post_are_removed(sample):
    cleaned = clean_text(raw("reposts/shipwatch-blog-ever-given-refloated.txt"))
    assert "Tags:" not in cleaned.text and "Previous post" not in cleaned.text
    assert cleaned.text == sample["hw-0329-ever-given-refloated"].text


def test_html_page_furniture_is_removed(sample):
    page = sample["canalzone-daily-ship-blocks-suez"]
    assert page.title == "Huge container ship wedged across Suez Canal, halting traffic"
    for junk in ("cookies", "Accept", "Subscribe", "Read also", "Share", "Related", "©"):
        assert junk not in page.text, junk
    assert "The Suez Canal Authority said the Ever Given" in page.text


@pytest.mark.parametrize(
    "name, title",
    [
        (
            "hw-0324-tugs-and-dredgers",
            "Tugs and dredgers fail to free Ever Given as ships pile up at both ends of Suez Canal",
        ),
        (
            "suez-briefing-no-date",
            "Canal chief: investigation will show whether human error played a role in Ever Given grounding",
        ),
        ("canal-digest-ever-given-leaves", "Ever Given leaves the Suez Canal after compensation deal"),  # written twice
        (
            "red-sea-observer-ever-given-sails",
            "Ever Given finally sails on after 106 days in Suez Canal",
        ),  # no site suffix
        ("maritime-ledger-egypt-seizes-ever-given", HOSTILE_TITLE),  # kept as data, escaped on output
        ("fx-20210331-0210", "Convoys run around the clock as Suez queue shrinks"),
        ("gulf-maritime-crawl:2", "Ever Given leaves Great Bitter Lake after deal with canal authority"),
    ],
)
def test_titles(sample, name, title):
    assert sample[name].title == title


def test_no_title_is_repeated_in_its_text(sample):
    for name, article in sample.articles.items():
        assert article.title and article.text, name
        assert article.title not in paragraphs(article.text), name
        assert not article.text.startswith(article.title), name


# --- sources -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, source",
    [
        ("hw-0323-ever-given-aground", "HW"),  # the agency code of the dateline
        ("hw-site-0330-tug-crews", "HW"),
        ("canalbulletin-603917", "HW"),  # the repost names no site, only the /HW/ dateline
        ("portside-0323-canal-blocked", "Portside"),
        ("example-news-ever-given-afloat", "Example News"),
        ("canalzone-daily-ship-blocks-suez", "Canal Zone Daily"),
        ("maritime-ledger-egypt-seizes-ever-given", "Maritime Ledger"),
        ("port-freight-review-backlog-cleared", "Port & Freight Review"),  # JSON-LD publisher, no og:site_name
        ("fx-20210324-0117", "Cargo Signal"),
        ("gulf-maritime-crawl:1", "Gulf Maritime News"),
        ("suez-briefing-no-date", None),
        ("canal-digest-ever-given-leaves", None),
    ],
)
def test_sources(sample, name, source):
    assert sample[name].source == source


@pytest.mark.xfail(strict=True, reason="the source comes from the copied /HW/ dateline, not the blog's own name")
def test_blog_copy_keeps_its_own_source(sample):
    assert sample["shipwatch-blog-ever-given-refloated"].source == "ShipWatch Blog"


@pytest.mark.xfail(
    strict=True, reason="a page without og: tags: its name in the <title> suffix and the logo text is not used"
)
def test_source_from_the_title_suffix(sample):
    assert sample["red-sea-observer-ever-given-sails"].source == "The Red Sea Observer"


# --- publication dates ---------------------------------------------------------------------------

# docs/sample-corpus.md, "Publication dates"; a provenance of None: any of DATE_SOURCES.
PUBLISHED = {
    "hw-0323-ever-given-aground": ("2021-03-23", "dateline"),
    "hw-0324-tugs-and-dredgers": ("2021-03-24", "dateline"),
    "hw-0325-navigation-suspended": ("2021-03-25", "dateline"),
    "hw-0329-ever-given-refloated": ("2021-03-29", "dateline"),
    "hw-0403-backlog-cleared": ("2021-04-03", "dateline"),
    "hw-0413-ever-given-impounded": ("2021-04-13", "dateline"),
    "hw-0707-ever-given-departs": ("2021-07-07", "dateline"),
    "hw-site-0330-tug-crews": ("2021-03-30", "dateline"),
    "portside-0323-canal-blocked": ("2021-03-23", "dateline"),
    "portside-0327-sca-chief-briefing": ("2021-03-27", "url"),  # no date in its dateline: the URL line's
    "portside-0328-offload-plan": ("2021-03-28", "dateline"),
    "portside-0329-ship-freed": ("2021-03-29", "dateline"),
    "portside-0401-compensation-claim": ("2021-04-01", "dateline"),
    "portside-0704-court-lifts-seizure": ("2021-07-04", "dateline"),
    "canalbulletin-603917": ("2021-03-24", None),  # repost header and dateline agree
    "shipwatch-blog-ever-given-refloated": ("2021-03-29", "dateline"),  # the only date: the copied dateline
    "example-news-ever-given-afloat": ("2021-03-29", "url"),
    "suez-briefing-no-date": ("2021-03-27", "inferred"),  # "earlier on Saturday", in portside-0327's story
    "canal-digest-ever-given-leaves": ("2021-07-07", "inferred"),  # a copy of hw-0707
    "canalzone-daily-ship-blocks-suez": ("2021-03-23", None),
    "maritime-ledger-egypt-seizes-ever-given": ("2021-04-13", None),  # not the modified date, 04-14
    "port-freight-review-backlog-cleared": ("2021-04-03", None),
    "red-sea-observer-ever-given-sails": ("2021-07-07", None),
    "fx-20210323-0033": ("2021-03-23", "meta"),
    "fx-20210324-0117": ("2021-03-24", "meta"),
    "fx-20210326-0342": ("2021-03-26", "meta"),
    "fx-20210328-0511": ("2021-03-28", "meta"),  # "March 28, 2021"
    "fx-20210329-de-0007": ("2021-03-29", "meta"),  # "29.03.2021", day first
    "fx-20210331-0210": ("2021-03-31", "meta"),  # RFC 2822
    "fx-20210413-0098": ("2021-04-13", "meta"),
    "deltaherald-ever-given-heads-north": ("2021-07-07", "meta"),
    "levantbusiness-court-releases-ever-given": ("2021-07-04", "meta"),
    "gulf-maritime-crawl:1": ("2021-03-29", None),  # the page's date, not the crawl's (03-30)
    "gulf-maritime-crawl:2": ("2021-07-07", None),
}


def test_every_article_is_listed_here(sample):
    assert sorted(sample.articles) == sorted(PUBLISHED)


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_publication_dates(sample, name):
    day, provenance = PUBLISHED[name]
    article = sample[name]
    assert (article.published.isoformat() if article.published else None) == day
    assert article.published_source in DATE_SOURCES
    if provenance:
        assert article.published_source == provenance


@pytest.mark.xfail(strict=True, reason="article:modified_time / dateModified are not read into `modified`")
def test_modified_date_is_kept_beside_the_published_one(sample):
    assert sample["maritime-ledger-egypt-seizes-ever-given"].modified == D(2021, 4, 14)


@pytest.mark.parametrize(
    "relative, day",
    [
        ("wire/hw-0329-ever-given-refloated.txt", D(2021, 3, 29)),  # "ISMAILIA, March 29. /HW/." + "on Monday"
        ("wire/hw-0413-ever-given-impounded.txt", D(2021, 4, 13)),  # "April 13" + "on Tuesday"
        ("flattened/hw-site-0330-tug-crews.txt", D(2021, 3, 30)),  # below the captions and the credit
    ],
)
def test_yearless_wire_dateline_gets_its_year(relative, day):
    assert publication_date(text=raw(relative), today=TODAY) == Dated(day, "dateline")


def test_the_weekday_chooses_the_year_of_a_yearless_dateline():
    # 29 March was a Monday in 2021 and, before that, in 2010: seen from 2015 the dateline means 2010.
    text = raw("wire/hw-0329-ever-given-refloated.txt")
    assert publication_date(text=text, today=D(2015, 6, 1)) == Dated(D(2010, 3, 29), "dateline")
    assert publication_date(text=text, today=D(2021, 3, 28)).date != D(2021, 3, 29)  # never after today


@pytest.mark.parametrize(
    "relative, day",
    [
        ("spam/example-news-ever-given-afloat.txt", D(2021, 3, 29)),  # /world/202103291077215530-…
        ("wire/portside-0327-sca-chief-briefing.txt", D(2021, 3, 27)),  # /africa/2021/03/27/…
    ],
)
def test_date_from_a_url_left_in_the_flattened_text(relative, day):
    assert publication_date(text=raw(relative), today=TODAY) == Dated(day, "url")


@pytest.mark.parametrize(
    "relative", ["undated/suez-briefing-no-date.txt", "reposts/canal-digest-ever-given-leaves.txt"]
)
def test_undated_articles_have_no_date_of_their_own(relative):
    # weekdays alone and event dates in the body ("since March 29", "on April 12") are not publication dates
    assert publication_date(text=raw(relative), today=TODAY) == Dated(None, None)


def test_an_undated_copy_takes_the_date_of_the_article_it_copies(sample, runner, cli_app):
    copy, original = sample["canal-digest-ever-given-leaves"], sample["hw-0707-ever-given-departs"]
    assert copy.duplicate_of == original.id
    assert (copy.published, copy.published_source) == (D(2021, 7, 7), "inferred")
    assert copy.story == original.story
    # on its own (read, clean and date only) it has no date: the copy gives it
    parsed = runner.invoke(cli_app, ["parse", str(SAMPLE / "reposts" / "canal-digest-ever-given-leaves.txt"), "--json"])
    assert parsed.exit_code == 0, parsed.output
    assert [a["published"] for a in json.loads(parsed.stdout)] == [None]
    # and nothing in it lets the story date it: no weekday
    assert infer_date(copy.text, D(2021, 7, 4)) is None


def test_an_undated_article_takes_its_date_from_its_story(sample):
    undated, dated = sample["suez-briefing-no-date"], sample["portside-0327-sca-chief-briefing"]
    assert undated.duplicate_of is None  # not a copy: the story dates it
    assert undated.story == dated.story
    assert (undated.published, undated.published_source) == (D(2021, 3, 27), "inferred")


def test_infer_date_from_earlier_on_saturday(sample):
    text = sample["suez-briefing-no-date"].text
    assert "earlier on Saturday" in text
    assert infer_date(text, D(2021, 3, 23)) == D(2021, 3, 27)  # the first Saturday from the story's first day
    assert infer_date(text, D(2021, 3, 27)) == D(2021, 3, 27)


def test_the_date_flows_back_when_the_dated_article_comes_later(sample):
    clusterer = Clusterer(MemoryState())
    undated = fresh(sample["suez-briefing-no-date"], undated=True)
    dated = fresh(sample["portside-0327-sca-chief-briefing"])
    clusterer.assign(undated)
    assert undated.published is None
    clusterer.assign(dated)
    assert dated.story == undated.story
    assert clusterer.take_inferred() == {undated.id: D(2021, 3, 27)}
    assert clusterer.take_inferred() == {}


# --- time expressions ----------------------------------------------------------------------------


def test_time_expressions_in_wire_copy(sample):
    impounded = sample["hw-0413-ever-given-impounded"]
    values = {t.text: t.value for t in timex.timexes(impounded.text, impounded.published)}
    assert values["Tuesday"] == "2021-04-13" and values["Monday"] == "2021-04-12"  # the court order
    assert values["March 29"] == "2021-03-29" and values["last month"] == "2021-03"
    departs = sample["hw-0707-ever-given-departs"]
    values = {t.text: t.value for t in timex.timexes(departs.text, departs.published)}
    assert (values["April 12"], values["March 29"], values["May"]) == ("2021-04-12", "2021-03-29", "2021-05")
    tugs = sample["hw-site-0330-tug-crews"]
    assert {t.text: t.value for t in timex.timexes(tugs.text, tugs.published)}["Sunday night"] == "2021-03-28"


def test_referenced_days_point_at_their_sentence(sample):
    article = sample["portside-0704-court-lifts-seizure"]
    spans = split_sentences(article.text)
    refs = timex.referenced_days(article.text, article.published)
    refloated = [i for i, day in refs if day == D(2021, 3, 29)]
    assert refloated
    start, end = spans[refloated[0]]
    assert "refloated on March 29" in article.text[start:end]
    assert D(2021, 7, 4) in {day for _, day in refs}  # "on Sunday", the dateline day


@pytest.mark.xfail(
    strict=True,
    reason='"a ceremony … would be held on Wednesday": the future in the past is read '
    "as the Wednesday before (2021-06-30)",
)
def test_a_weekday_in_the_future_tense_is_the_next_one(sample):
    article = sample["portside-0704-court-lifts-seizure"]
    assert D(2021, 7, 7) in {day for _, day in timex.referenced_days(article.text, article.published)}


# --- duplicates ----------------------------------------------------------------------------------


def groups(sample, corpus) -> dict[tuple[str, str], tuple[str, float]]:
    return {
        (sample.name(g["canonical"]), sample.name(d["id"])): (d["kind"], d["score"])
        for g in corpus.dupes()
        for d in g["duplicates"]
    }


def test_duplicate_groups(sample, corpus):
    found = groups(sample, corpus)
    pairs = {frozenset(pair) for pair in found}
    assert pairs == {
        frozenset({"fx-20210323-0033", "canalzone-daily-ship-blocks-suez"}),
        frozenset({"hw-0324-tugs-and-dredgers", "canalbulletin-603917"}),
        frozenset({"hw-0329-ever-given-refloated", "shipwatch-blog-ever-given-refloated"}),
        frozenset({"hw-0707-ever-given-departs", "canal-digest-ever-given-leaves"}),
    }, "articles on one event are not duplicates of each other"
    # an earlier and a later version of one page: near, the earlier one canonical
    assert found[("fx-20210323-0033", "canalzone-daily-ship-blocks-suez")][0] == "near"
    for canonical, copy in [
        ("hw-0324-tugs-and-dredgers", "canalbulletin-603917"),
        ("hw-0707-ever-given-departs", "canal-digest-ever-given-leaves"),
    ]:
        kind, score = found[(canonical, copy)]
        assert kind == "containment" and score >= 0.9, (copy, kind, score)
        assert sample[copy].duplicate_of == sample.id(canonical)


@pytest.mark.xfail(
    strict=True,
    reason="blog furniture left in the copy's text (see test_blog_tags_and_previous_post_"
    "are_removed) makes it near, and the longer copy the canonical",
)
def test_word_for_word_copy_is_exact_and_the_wire_story_canonical(sample, corpus):
    assert groups(sample, corpus)[("hw-0329-ever-given-refloated", "shipwatch-blog-ever-given-refloated")] == (
        "exact",
        1.0,
    )


@pytest.mark.parametrize(
    "original, copy",
    [
        ("wire/hw-0324-tugs-and-dredgers.txt", "reposts/canalbulletin-603917.txt"),  # trimmed, "U.S." → "US"
        ("wire/hw-0707-ever-given-departs.txt", "reposts/canal-digest-ever-given-leaves.txt"),  # trimmed, undated
    ],
)
def test_a_trimmed_copy_is_found_by_containment_not_resemblance(original, copy):
    a, _ = fingerprint(clean_text(raw(copy)).text)
    b, _ = fingerprint(clean_text(raw(original)).text)
    common = dedup.overlap(a, b)
    assert common / (a.size + b.size - common) < dedup.NEAR  # a resemblance threshold alone misses it
    kind, score = compare(a, b)
    assert kind == "containment" and score >= 0.9


@pytest.mark.parametrize("reverse", [False, True])
def test_the_original_is_canonical_whatever_the_order(sample, reverse):
    for original, copy in [
        ("hw-0324-tugs-and-dredgers", "canalbulletin-603917"),
        ("hw-0707-ever-given-departs", "canal-digest-ever-given-leaves"),
    ]:
        articles = [fresh(sample[original]), fresh(sample[copy], undated=copy.startswith("canal-digest"))]
        matches = dedupe(articles[::-1] if reverse else articles)
        assert matches == {sample.id(copy): Match(sample.id(original), "containment", matches[sample.id(copy)].score)}


def test_articles_about_one_event_are_not_duplicates(sample):
    assert dedupe(originals(sample)) == {}
    a, _ = fingerprint(sample["portside-0327-sca-chief-briefing"].text)
    b, _ = fingerprint(sample["suez-briefing-no-date"].text)  # the same press conference, other words
    assert compare(a, b) is None


# --- stories -------------------------------------------------------------------------------------

# docs/sample-corpus.md, "Stories": pairs that must share a story (★, ☆), and events that must not.
TOGETHER = [
    ("canalzone-daily-ship-blocks-suez", "fx-20210323-0033"),
    ("hw-0324-tugs-and-dredgers", "canalbulletin-603917"),
    ("portside-0327-sca-chief-briefing", "suez-briefing-no-date"),
    ("portside-0328-offload-plan", "fx-20210328-0511"),
    ("hw-0329-ever-given-refloated", "shipwatch-blog-ever-given-refloated"),
    ("hw-0413-ever-given-impounded", "maritime-ledger-egypt-seizes-ever-given"),
    ("hw-0413-ever-given-impounded", "fx-20210413-0098"),
    ("portside-0704-court-lifts-seizure", "levantbusiness-court-releases-ever-given"),
    ("hw-0707-ever-given-departs", "canal-digest-ever-given-leaves"),
    ("hw-0707-ever-given-departs", "red-sea-observer-ever-given-sails"),
    ("hw-0707-ever-given-departs", "deltaherald-ever-given-heads-north"),
    ("hw-0707-ever-given-departs", "gulf-maritime-crawl:2"),
]
# the grounding, the seizure and the departure: weeks apart, never one story
APART = ["hw-0323-ever-given-aground", "hw-0413-ever-given-impounded", "hw-0707-ever-given-departs"]


def test_story_partition(sample):
    for a, b in TOGETHER:
        assert sample[a].story == sample[b].story, (a, b)
    assert len({sample[name].story for name in APART}) == len(APART)
    # the seizure story is the April articles only; the salvage week has no July article
    seizure = {k for k, a in sample.articles.items() if a.story == sample["hw-0413-ever-given-impounded"].story}
    assert {sample[k].published.month for k in seizure} == {4}
    salvage = {k for k, a in sample.articles.items() if a.story == sample["hw-0323-ever-given-aground"].story}
    assert all(sample[k].published < D(2021, 4, 10) for k in salvage)


def test_story_records_match_their_articles(sample, corpus):
    stories = list(corpus.stories())
    members = [i for s in stories for i in s["articles"]]
    assert sorted(members) == sorted(a.id for a in sample.articles.values())  # each article in one story
    by_id = {a.id: a for a in sample.articles.values()}
    for story in stories:
        articles = [by_id[i] for i in story["articles"]]
        assert {a.story for a in articles} == {story["id"]}
        days = [a.published for a in articles if a.published]
        assert (story["first"], story["last"]) == (min(days).isoformat(), max(days).isoformat())
        assert set(story["outlets"]) == {a.source for a in articles if a.source}
        assert story["label"] in {a.title for a in articles}
    assert [s["first"] for s in stories] == sorted(s["first"] for s in stories)  # oldest first


def test_copies_are_in_their_canonicals_story(sample):
    copies = [a for a in sample.articles.values() if a.duplicate_of]
    assert len(copies) == 4
    by_id = {a.id: a for a in sample.articles.values()}
    for copy in copies:
        assert by_id[copy.duplicate_of].duplicate_of is None
        assert copy.story == by_id[copy.duplicate_of].story


@settings(max_examples=8, deadline=None)
@given(st.randoms(use_true_random=False))
def test_events_weeks_apart_never_share_a_story_whatever_the_order(sample, random):
    articles = originals(sample)
    random.shuffle(articles)
    names = {a.id: a.external_id for a in articles}
    where = {names[i]: sid for sid, members in cluster(articles).items() for i in members}
    assert len({where[name] for name in APART}) == len(APART)


def test_clustering_is_deterministic(sample):
    first = cluster(originals(sample))
    assert cluster(originals(sample)) == first
    article = sample["hw-0707-ever-given-departs"]
    assert features(article) == features(replace(article))
    assert pickle.loads(pickle.dumps(features)) is features  # runs in worker processes


def test_a_copy_joins_its_canonicals_story_without_moving_it(sample):
    state = MemoryState()
    clusterer = Clusterer(state)
    original = fresh(sample["hw-0324-tugs-and-dredgers"])
    sid = clusterer.assign(original)
    centroid = dict(state.get(sid).centroid)
    copy = replace(fresh(sample["canalbulletin-603917"]), duplicate_of=original.id)
    assert clusterer.assign_to(sid, copy) == sid == copy.story
    assert state.get(sid).articles == [original.id, copy.id]
    assert state.get(sid).centroid == centroid  # a copy must not pull the story towards itself


def test_the_time_window_keeps_the_same_text_apart_a_year_later(sample):
    early = fresh(sample["hw-0707-ever-given-departs"])
    late = replace(early, id="a-year-later", published=D(2022, 7, 7))
    assert len(cluster([replace(early), late])) == 2
    assert len(cluster([replace(early), replace(late, published=D(2021, 7, 9))])) == 1
    assert len(cluster([replace(early), replace(late, published=None)])) == 1  # undated: no window


def test_story_state_round_trips_through_json(sample):
    state = MemoryState()
    clusterer = Clusterer(state)
    for article in originals(sample):
        clusterer.assign(article)
    assert len(state.stories) >= 4
    for story in state.stories.values():
        assert StoryState.from_json(json.loads(json.dumps(story.to_json()))).to_json() == story.to_json()


# --- entities ------------------------------------------------------------------------------------


def test_person_aliases_full_name_surname_and_role_noun(entities):
    nassar = entities["Karim Nassar"]
    assert nassar["type"] == "person"
    assert {"Karim Nassar", "Nassar", "the director"} <= set(nassar["aliases"])
    assert "director of Canal Towage Company" in nassar["roles"]
    helmy = entities["Tamer Helmy"]
    assert {"Tamer Helmy", "the spokesman"} <= set(helmy["aliases"])
    assert any("spokesman" in role for role in helmy["roles"])
    sisi = entities["Abdel Fattah al-Sisi"]
    assert sisi["type"] == "person" and "the president" in sisi["aliases"]
    assert "Nassar" not in entities and "Rabie" not in entities  # no surname-only orphans


def test_aliases_merge_across_the_corpus(entities):
    rabie = entities["Osama Rabie"]
    assert rabie["type"] == "person" and {"Osama Rabie", "Rabie"} <= set(rabie["aliases"])
    assert rabie["article_count"] >= 5  # portside-0327, the undated briefing, hw-0329 and its copy, portside-0401
    authority = entities["Suez Canal Authority"]
    assert authority["type"] == "organisation" and {"Suez Canal Authority", "SCA"} <= set(authority["aliases"])
    assert authority["article_count"] >= 30


def test_the_german_article_is_stored_but_not_extracted(sample, corpus, quotes):
    german = sample["fx-20210329-de-0007"]
    assert german.published == D(2021, 3, 29)
    assert corpus.details(german.id)["entities"] == []
    assert not [q for q in quotes if q["article"] == german.id]


# --- quotes --------------------------------------------------------------------------------------


def quote(quotes: list[dict], sample, name: str, words: str) -> dict:
    found = [q for q in quotes if q["article"] == sample.id(name) and words in q["text"]]
    assert len(found) == 1, [q["text"] for q in quotes if q["article"] == sample.id(name)]
    return found[0]


@pytest.mark.parametrize(
    "name, words, kind, speaker, written",
    [
        # a person, by surname, then as "he" and by role noun
        ("hw-site-0330-tug-crews", "We pulled and pushed for six days", "direct", "Karim Nassar", "Nassar"),
        ("hw-site-0330-tug-crews", "Nobody wanted to go home before she was free", "direct", "Karim Nassar", "he"),
        ("hw-site-0330-tug-crews", "if we missed that tide", "direct", "Karim Nassar", "the director"),
        (
            "hw-site-0330-tug-crews",
            "Our crews will stay as long as the canal needs them",
            "direct",
            "Tamer Helmy",
            "the spokesman",
        ),
        # an organisation by noun: "the company said in a statement"
        ("hw-site-0330-tug-crews", "Every one of our boats came back", "direct", "Canal Towage Company", "the company"),
        (
            "portside-0323-canal-blocked",
            "making every effort to refloat the ship",
            "direct",
            "Suez Canal Authority",
            "the Suez Canal Authority",
        ),
        # reported speech
        (
            "hw-site-0330-tug-crews",
            "the crews of its tugs had worked in shifts",
            "reported",
            "Karim Nassar",
            "Karim Nassar",
        ),
        (
            "portside-0327-sca-chief-briefing",
            "an investigation would establish what went wrong",
            "reported",
            "Osama Rabie",
            "Osama Rabie",
        ),
        ("portside-0327-sca-chief-briefing", "the ship's rudder had been freed", "reported", "Osama Rabie", "Rabie"),
        (
            "portside-0401-compensation-claim",
            "lost $12 million to $15 million in transit fees",
            "reported",
            "Osama Rabie",
            "He",
        ),
        (
            "hw-0413-ever-given-impounded",
            "had not received a detailed justification",
            "reported",
            "Shoei Kisen Kaisha",
            "Shoei Kisen Kaisha",
        ),
        ("fx-20210326-0342", "stuck fast in the sand", "reported", "Boskalis", "Boskalis"),
    ],
)
def test_quotes_and_their_speakers(quotes, sample, name, words, kind, speaker, written):
    found = quote(quotes, sample, name, words)
    assert (found["kind"], found["speaker"], found["speaker_as_written"]) == (kind, speaker, written)
    article = sample[name]
    assert (found["source"], found["published"]) == (article.source, article.published.isoformat())
    assert words in found["sentence"]


def test_quotes_by_any_alias_of_the_speaker(corpus):
    by_surname = list(corpus.quotes(speaker="Nassar"))
    assert len(by_surname) == 4 and {q["speaker"] for q in by_surname} == {"Karim Nassar"}
    assert {q["speaker_as_written"] for q in by_surname} == {"Karim Nassar", "Nassar", "he", "the director"}
    rabie = list(corpus.quotes(speaker="Rabie"))
    assert len(rabie) >= 8 and {q["speaker"] for q in rabie} == {"Osama Rabie"}


@pytest.mark.xfail(
    strict=True,
    reason='"the authority" is not linked to the Suez Canal Authority ("authority" is '
    "not among the organisation nouns in weights/extract.json)",
)
def test_the_authority_said_in_a_statement(quotes, sample):
    found = quote(quotes, sample, "example-news-ever-given-afloat", "successfully refloated")
    assert found["speaker"] == "Suez Canal Authority"


@pytest.mark.xfail(
    strict=True,
    reason='"The authority\'s chairman, Osama Rabie, said …": the apposition after a '
    "role noun subject does not name the speaker",
)
def test_a_role_noun_subject_with_the_name_in_apposition(quotes, sample):
    found = quote(quotes, sample, "hw-0329-ever-given-refloated", "could be cleared in about three and a half days")
    assert found["speaker"] == "Osama Rabie"


@pytest.mark.xfail(
    strict=True,
    reason='"A shipping agent in Suez told Harbour Wire": the generic speaker is linked to the place it is in',
)
def test_a_generic_speaker_is_not_the_place_it_is_in(quotes, sample):
    found = quote(quotes, sample, "hw-0324-tugs-and-dredgers", "Every hour the ship stays there")
    assert found["speaker_as_written"] == "A shipping agent in Suez" and found["speaker"] != "Suez"


@pytest.fixture(scope="module")
def nlp():
    return extract.load()


def test_extraction_offsets_point_into_the_text(sample, nlp):
    article = sample["hw-site-0330-tug-crews"]
    (extraction,) = extract.extract_batch([article], nlp)
    sentences = split_sentences(article.text)
    nassar = next(i for i, e in enumerate(extraction.entities) if e.name == "Karim Nassar")
    mentions = [m for m in extraction.mentions if m.entity == nassar]
    assert len(mentions) >= 3
    for m in extraction.mentions:
        assert article.text[m.start : m.end] == m.text
        start, end = sentences[m.sentence]
        assert start <= m.start < m.end <= end
    assert extraction.quotes
    for q in extraction.quotes:
        assert q.article == article.id
        assert q.sentence_start <= q.spans[0][0] < q.spans[-1][1] <= q.sentence_end + 1
        if q.kind == "direct" and len(q.spans) == 1:
            assert article.text[q.spans[0][0] : q.spans[0][1]] == q.text


def test_extraction_is_deterministic_and_picklable(sample, nlp):
    articles = [sample["hw-site-0330-tug-crews"], sample["portside-0327-sca-chief-briefing"]]
    first = [x.to_dict() for x in extract.extract_batch(articles, nlp)]
    assert [x.to_dict() for x in extract.extract_batch(articles, nlp)] == first
    assert [x.to_dict() for x in pickle.loads(pickle.dumps(extract.extract_batch(articles, nlp)))] == first


# --- timeline ------------------------------------------------------------------------------------

# docs/sample-corpus.md, "Timeline": each has two or more outlets behind it
TIMELINE_DATES = [
    "2021-03-23",
    "2021-03-24",
    "2021-03-27",
    "2021-03-28",
    "2021-03-29",
    "2021-04-03",
    "2021-07-04",
    "2021-07-07",
]


@pytest.fixture(scope="module")
def ever_given(corpus) -> dict:
    return corpus.timeline("Ever Given", per_date=5).to_json()


def entry(timeline: dict, day: str) -> dict:
    found = [e for e in timeline["entries"] if e["date"] == day]
    assert found, f"{day} missing from {[e['date'] for e in timeline['entries']]}"
    return found[0]


def test_timeline_has_the_documented_dates(corpus, sample):
    timeline = corpus.timeline("Ever Given").to_json()
    days = [e["date"] for e in timeline["entries"]]
    for day in TIMELINE_DATES:
        assert day in days
    assert "2021-04-13" in days or "2021-04-12" in days  # the seizure, or the court order the day before
    assert days == sorted(days)
    ids = {a.id for a in sample.articles.values()}
    for e in timeline["entries"]:
        assert e["sentences"]
        for s in e["sentences"]:
            assert s["article"] in ids and s["date_source"] in ("published", "referenced", "reported")


def test_a_sentence_naming_an_earlier_day_is_a_referenced_entry(ever_given):
    refloated = entry(ever_given, "2021-03-29")["sentences"]
    later = [s for s in refloated if s["date_source"] == "referenced" and s["published"] > "2021-03-29"]
    assert any("March 29" in s["text"] or "29 March" in s["text"] for s in later), refloated
    sunday = entry(ever_given, "2021-03-28")["sentences"]
    assert any(s["date_source"] == "referenced" for s in sunday)


def test_copies_are_carried_by_their_original_sentence(ever_given, sample):
    for day, pair in [
        ("2021-03-24", {"hw-0324-tugs-and-dredgers", "canalbulletin-603917"}),
        ("2021-07-07", {"hw-0707-ever-given-departs", "canal-digest-ever-given-leaves"}),
        ("2021-03-29", {"hw-0329-ever-given-refloated", "shipwatch-blog-ever-given-refloated"}),
    ]:
        carried = [
            {sample.name(s["article"]), *(sample.name(c["article"]) for c in s["carried_by"])}
            for s in entry(ever_given, day)["sentences"]
        ]
        assert pair in carried, (day, carried)


def test_the_persons_quotes_sit_on_their_dates(corpus):
    nassar = corpus.timeline("Nassar").to_json()
    said = entry(nassar, "2021-03-30")["quotes"]
    assert {q["speaker"] for q in said} == {"Karim Nassar"}
    assert any("Nobody wanted to go home" in q["text"] for q in said)
    assert len({q["text"] for q in said}) == len(said)
    rabie = corpus.timeline("Rabie").to_json()
    days = {e["date"] for e in rabie["entries"] if e["quotes"]}
    assert {"2021-03-27", "2021-04-01"} <= days
    assert {q["speaker"] for e in rabie["entries"] for q in e["quotes"]} == {"Osama Rabie"}
    assert all(e["quotes"] == [] for e in corpus.timeline().to_json()["entries"])  # no person asked for


def test_timeline_bounds_and_counts(corpus):
    timeline = corpus.timeline(start=D(2021, 3, 25), end=D(2021, 4, 5), max_dates=3, per_date=3).to_json()
    assert len(timeline["entries"]) == 3
    assert all("2021-03-25" <= e["date"] <= "2021-04-05" for e in timeline["entries"])
    assert all(1 <= len(e["sentences"]) <= 3 for e in timeline["entries"])
    assert any(len(e["sentences"]) == 3 for e in timeline["entries"])
    texts = [s["text"] for e in timeline["entries"] for s in e["sentences"]]
    assert len(texts) == len(set(texts))


def sample_sentences(sample) -> list[Sentence]:
    """The timeline's input built by hand from the stored articles (as test_timeline builds it from the seeds)."""
    out = []
    for article in sample.articles.values():
        if article.duplicate_of or article.language != "en":
            continue
        spans = split_sentences(article.text)
        days: list[list[date]] = [[] for _ in spans]
        for i, day in timex.referenced_days(article.text, article.published, sentences=spans):
            if day not in days[i]:
                days[i].append(day)
        for i, (start, end) in enumerate(spans):
            out.append(
                Sentence(
                    text=article.text[start:end],
                    article=article.id,
                    source=article.source,
                    url=article.url,
                    title=article.title,
                    published=article.published,
                    dates=tuple(days[i]),
                    position=i,
                )
            )
    return out


def test_summarise_is_deterministic_whatever_the_order(sample):
    sentences = sample_sentences(sample)
    first = json.dumps(summarise(sentences, "Ever Given", per_date=2).to_json())
    assert json.dumps(summarise(list(reversed(sentences)), "Ever Given", per_date=2).to_json()) == first
    assert json.dumps(summarise(iter(sentences), "Ever Given", per_date=2).to_json()) == first
    tokens = [replace(s, tokens=terms(s.text)) for s in sentences]
    assert json.dumps(summarise(tokens, "Ever Given", per_date=2).to_json()) == first
    days = [e["date"] for e in json.loads(first)["entries"]]
    assert {"2021-03-23", "2021-03-29", "2021-07-07"} <= set(days)


# --- the command line ----------------------------------------------------------------------------


def cli_json(runner, cli_app, *args: str):
    result = runner.invoke(cli_app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_cli_lists_what_the_corpus_holds(runner, cli_app, sample):
    db = str(sample.db)
    hits = cli_json(runner, cli_app, "search", '"Ever Given"', "--db", db, "--limit", "100")
    assert len(hits) == 34  # every article names the ship
    assert all("[Ever" in h["snippet"] for h in hits)
    portside = cli_json(runner, cli_app, "articles", "--db", db, "--source", "Portside")
    assert sorted(r["id"] for r in portside) == sorted(a.id for a in sample.articles.values() if a.source == "Portside")
    departure = sample["hw-0707-ever-given-departs"].story
    listed = cli_json(runner, cli_app, "articles", "--db", db, "--story", departure)
    assert {r["id"] for r in listed} == {a.id for a in sample.articles.values() if a.story == departure}
    march = cli_json(runner, cli_app, "articles", "--db", db, "--from", "2021-03-23", "--to", "2021-03-24")
    assert {r["published"] for r in march} == {"2021-03-23", "2021-03-24"} and len(march) == 7
    assert cli_json(runner, cli_app, "rejects", "--db", db) == []


@pytest.mark.parametrize("fmt", ["md", "csv", "html", "timelinejs", "json"])
def test_timeline_formats_write_files(runner, cli_app, sample, tmp_path, fmt):
    target = tmp_path / f"out.{fmt}"
    result = runner.invoke(
        cli_app, ["timeline", "--db", str(sample.db), "--format", fmt, "-o", str(target), "--sentences-per-date", "3"]
    )
    assert result.exit_code == 0, result.output
    written = target.read_text(encoding="utf-8")
    assert "2021-03-23" in written and "2021-07-07" in written
    if fmt == "html":
        assert "<script" not in written  # the hostile title and any text are escaped


@pytest.mark.parametrize(
    "args, message",
    [
        (["--from", "2021-13-01"], "--from 2021-13-01: not a date (YYYY-MM-DD)"),
        (["--format", "pdf"], "--format pdf: choose one of"),
        (["--max-dates", "0"], "--max-dates 0: must be 1 or more"),
        (["--from", "2021-05-01", "--to", "2021-01-01"], "is after --to"),
    ],
)
def test_timeline_bad_arguments_name_the_mistake(runner, cli_app, sample, args, message):
    result = runner.invoke(cli_app, ["timeline", "Ever Given", "--db", str(sample.db), *args])
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output
