"""Entities, aliases, quotes and speakers (`dateline.extract`). The spaCy model is loaded once per session."""

from __future__ import annotations

import glob
import os

import pytest

from conftest import require_shared
from dateline import clean, extract
from dateline.models import Article


def article(text: str, id: str = "a", language: str | None = "en") -> Article:
    return Article.of_text(id, text, language=language)


@pytest.fixture(scope="session")
def nlp():
    return extract.load()


@pytest.fixture(scope="session")
def seeds(nlp):
    paths = sorted(glob.glob(os.path.join(require_shared(), "00*.txt")))
    articles = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            articles.append(article(clean.clean_text(handle.read()).text, os.path.basename(path)[:3]))
    extractions = extract.extract_batch(articles, nlp)
    registry = extract.link_all(extractions)
    return {e.article: e for e in extractions}, registry


def person(extraction: extract.Extraction, surname: str) -> extract.Entity:
    found = [e for e in extraction.entities if e.type == "person" and e.surname == surname and e.full]
    assert len(found) == 1, [e.key for e in extraction.entities]
    return found[0]


def quote_with(extraction: extract.Extraction, words: str) -> extract.Quote:
    found = [q for q in extraction.quotes if words in q.text]
    assert found, [q.text for q in extraction.quotes]
    return found[0]


def one(nlp, text: str) -> extract.Extraction:
    return extract.extract(article(text), nlp)


# --- seeds ---------------------------------------------------------------------------------------


def test_seed_antonov_aliases_merge_within_articles(seeds):
    by_article, _ = seeds
    antonov = person(by_article["000"], "antonov")
    assert antonov.key == "person:anatoly antonov"
    assert {"Anatoly Antonov", "Antonov", "the ambassador", "the diplomat"} <= set(antonov.aliases)
    assert any("Ambassador to the US" in role for role in antonov.roles)
    assert "A.I. Antonov" in person(by_article["003"], "antonov").aliases


def test_seed_mentions_link_back_to_sentences(seeds):
    by_article, _ = seeds
    extraction = by_article["000"]
    antonov = [i for i, e in enumerate(extraction.entities) if e.key == "person:anatoly antonov"][0]
    article_text = next(q for q in extraction.quotes).sentence_text  # any quote: sentence text is stored
    assert article_text
    mentions = [m for m in extraction.mentions if m.entity == antonov]
    assert len(mentions) >= 8
    for m in mentions:
        assert m.sentence >= 0 and m.end > m.start


def test_seed_cross_corpus_merge(seeds):
    _, registry = seeds
    record = registry.get("person:anatoly antonov")
    assert record is not None and record.article_count == 5
    assert registry.get("person:dmitry peskov").article_count == 2
    assert registry.get("person:antonov") is None  # no surname-only orphan


def test_seed_quotes_and_speakers(seeds):
    by_article, _ = seeds
    q = quote_with(by_article["000"], "2018 became the year of missed opportunities")
    assert (q.kind, q.speaker, q.speaker_key) == ("direct", "Anatoly Antonov", "person:anatoly antonov")
    assert quote_with(by_article["004"], "very bad statements").speaker == "Dmitry Peskov"
    assert quote_with(by_article["004"], "pay a price").speaker == "Joe Biden"
    embassy = quote_with(by_article["003"], "A.I. Antonov will fly to Moscow on March 20")
    assert embassy.speaker == "Russian Embassy" and embassy.speaker_as_written == "the embassy"
    for written in ("the ambassador", "the diplomat", "he"):
        quotes = [q for q in by_article["000"].quotes if q.speaker_as_written == written]
        assert quotes and all(q.speaker == "Anatoly Antonov" for q in quotes), written


def test_seed_reported_speech(seeds):
    by_article, _ = seeds
    reported = [q for q in by_article["003"].quotes if q.kind == "reported"]
    speakers = {q.speaker for q in reported}
    assert {"Dmitry Peskov", "Sergey Ryabkov", "Russian Embassy"} <= speakers
    ryabkov = next(q for q in reported if q.speaker == "Sergey Ryabkov")
    assert ryabkov.text.startswith("buildup of sanctions pressure")


def test_seed_quote_offsets_point_into_text(seeds):
    by_article, _ = seeds
    for extraction in by_article.values():
        for q in extraction.quotes:
            assert q.sentence_start <= q.start < q.end <= q.sentence_end + 1
            assert q.article == extraction.article


# --- quote shapes --------------------------------------------------------------------------------


def test_split_quote_around_speech_verb_is_one_quote(nlp):
    x = one(nlp, '"We are ready to talk," Smith said. "But not at any price."\n\nOther news.')
    assert len(x.quotes) == 1
    q = x.quotes[0]
    assert q.text == "We are ready to talk … But not at any price."
    assert q.speaker == "Smith" and len(q.spans) == 2


def test_curly_quotes_and_inverted_verb(nlp):
    x = one(nlp, "Markets fell. “The impact is still small,” said Cameron Easley, an analyst.")
    q = x.quotes[0]
    assert q.text == "The impact is still small" and q.speaker == "Cameron Easley"


def test_multi_paragraph_quote(nlp):
    text = (
        'Senator Jane Doe said in a statement:\n\n"The first paragraph of the statement goes on.\n\n'
        '"The second paragraph ends it."\n\nThe vote is on Monday.'
    )
    x = one(nlp, text)
    assert len(x.quotes) == 1
    q = x.quotes[0]
    assert "first paragraph" in q.text and "second paragraph" in q.text
    assert q.speaker == "Jane Doe"


def test_partial_quote_inside_sentence(nlp):
    x = one(nlp, 'Kremlin spokesman Dmitry Peskov said that the remarks were "very bad statements", noting more.')
    q = quote_with(x, "very bad statements")
    assert q.kind == "direct" and q.speaker == "Dmitry Peskov"
    assert "Kremlin spokesman" in person(x, "peskov").roles


def test_participle_cue_borrows_the_speaker(nlp):
    x = one(nlp, '"We hope for the best," Maria Zakharova said, adding that "the door remains open."')
    assert [q.speaker for q in x.quotes] == ["Maria Zakharova"] or all(q.speaker == "Maria Zakharova" for q in x.quotes)
    assert any("the door remains open" in q.text for q in x.quotes)


@pytest.mark.parametrize(
    "sentence, speaker, content",
    [
        (
            "Anatoly Antonov said that the talks in Geneva were useful for both sides.",
            "Anatoly Antonov",
            "the talks in Geneva were useful for both sides",
        ),
        (
            "According to Jen Psaki, the president has no plans to meet him this month.",
            "Jen Psaki",
            "the president has no plans to meet him this month",
        ),
        (
            "Sergey Ryabkov told reporters that the sanctions would not change anything at all.",
            "Sergey Ryabkov",
            "the sanctions would not change anything at all",
        ),
        (
            "The sanctions will not change the policy of the country, Sergey Ryabkov stressed.",
            "Sergey Ryabkov",
            "The sanctions will not change the policy of the country",
        ),
    ],
)
def test_reported_speech_patterns(nlp, sentence, speaker, content):
    x = one(nlp, sentence)
    reported = [q for q in x.quotes if q.kind == "reported"]
    assert len(reported) == 1, x.quotes
    assert reported[0].speaker == speaker and reported[0].text == content


# --- speakers: pronouns, roles, organisations ----------------------------------------------------


def test_pronoun_resolves_to_recent_speaker(nlp):
    text = (
        'Russian Ambassador to the US Anatoly Antonov met Joe Biden. "The talks were useful," Antonov said. '
        '"We will meet again," he noted.'
    )
    x = one(nlp, text)
    q = quote_with(x, "We will meet again")
    assert (q.speaker, q.speaker_as_written) == ("Anatoly Antonov", "he")


def test_role_noun_resolves_to_role_holder_with_matching_nation(nlp):
    text = (
        "Russian President Vladimir Putin spoke to US President Joe Biden on Friday. "
        '"We need to talk," the Russian president said. "Yes," the US president said.'
    )
    x = one(nlp, text)
    assert quote_with(x, "We need to talk").speaker == "Vladimir Putin"
    assert quote_with(x, "Yes").speaker == "Joe Biden"


def test_role_noun_without_holder_stays_unresolved(nlp):
    x = one(nlp, '"It was a hard year," the ambassador said.')
    assert x.quotes[0].speaker is None and x.quotes[0].speaker_as_written == "the ambassador"


def test_organisation_speaker_by_noun(nlp):
    text = 'The Russian Embassy in the US published a statement. "The ambassador will fly home," the embassy said.'
    x = one(nlp, text)
    assert x.quotes[0].speaker == "Russian Embassy"


# --- conservative merges -------------------------------------------------------------------------


def test_us_aliases_merge_but_washington_city_does_not(nlp):
    x = one(
        nlp,
        "The US and the United States are the same. Washington's sanctions hurt. "
        "He lives in Washington, D.C., near the river.",
    )
    us = [e for e in x.entities if e.key == "place:united states"]
    assert len(us) == 1 and {"US", "United States", "Washington"} <= set(us[0].aliases)
    washington_mentions = [m for m in x.mentions if m.text == "Washington"]
    assert len({m.entity for m in washington_mentions}) == 2  # the government and the city stay apart


def test_ambiguous_surname_is_not_merged(nlp):
    x = one(nlp, "Hillary Clinton and Chelsea Clinton arrived. Clinton spoke first.")
    keys = {e.key for e in x.entities if e.type == "person"}
    assert {"person:hillary clinton", "person:chelsea clinton", "person:clinton"} <= keys


def test_cross_corpus_surname_links_only_when_unique():
    registry = extract.MemoryRegistry()
    linker = extract.Linker(registry)
    full = extract.Entity(
        "person:anatoly antonov",
        "Anatoly Antonov",
        "person",
        ["Anatoly Antonov"],
        surname="antonov",
        initials="a",
        full=True,
    )
    linker.link(extract.Extraction("1", entities=[full]))
    short = extract.Entity("person:antonov", "Antonov", "person", ["Antonov"], surname="antonov")
    assert linker.link(extract.Extraction("2", entities=[short])) == {0: "person:anatoly antonov"}
    other = extract.Entity("person:b antonov", "B. Antonov", "person", ["B. Antonov"], surname="antonov", initials="b")
    assert linker.link(extract.Extraction("3", entities=[other])) == {0: "person:b antonov"}
    linker.link(
        extract.Extraction(
            "4",
            entities=[
                extract.Entity(
                    "person:boris antonov",
                    "Boris Antonov",
                    "person",
                    ["Boris Antonov"],
                    surname="antonov",
                    initials="b",
                    full=True,
                )
            ],
        )
    )
    assert linker.link(extract.Extraction("5", entities=[short])) == {0: "person:antonov"}  # now ambiguous
    assert registry.get("person:anatoly antonov").aliases == ["Anatoly Antonov", "Antonov"]


# --- skipping and determinism --------------------------------------------------------------------


def test_non_english_is_skipped_with_reason(nlp):
    x = extract.extract(article("Der Botschafter sagte: „Wir reden.“", language="de"), nlp)
    assert x.entities == [] and x.quotes == [] and "not English" in x.skipped


def test_deterministic_and_picklable(nlp, seeds):
    import pickle

    texts = [article(e.quotes[0].sentence_text if e.quotes else "x", e.article) for e in seeds[0].values()]
    first = [x.to_dict() for x in extract.extract_batch(texts, nlp)]
    second = [x.to_dict() for x in extract.extract_batch(texts, nlp)]
    assert first == second
    assert pickle.loads(pickle.dumps(extract.extract_batch(texts, nlp))) is not None


# --- subject finding: the shapes of attribution English news uses ------------------------------


@pytest.mark.parametrize(
    "text, speaker",
    [
        ('"It is a dog whistle," Rep. Gwen Moore (D-Wis.) said Friday.', "Gwen Moore"),
        (
            '"The veto will be overridden," Senate Majority Leader Mitch McConnell, R-Ky., said Tuesday.',
            "Mitch McConnell",
        ),
        ('"We are not going to stop," Quina Jones, 25, said as she marched.', "Quina Jones"),
        (
            '"They are sick of it," Bernie Sanders, who lost the primaries to Hillary Clinton, said on Sunday.',
            "Bernie Sanders",
        ),
    ],
)
def test_parenthesis_and_comma_apposition_between_subject_and_verb(nlp, text, speaker):
    assert one(nlp, text).quotes[0].speaker == speaker


def test_inverted_verb_past_a_title_abbreviation_and_a_modifier(nlp):
    x = one(
        nlp,
        '"This is a waste of time," said Del. Stacey Plaskett of the Virgin Islands. '
        '"They are wrong," said 9/11 widow Terry Strada.',
    )
    assert quote_with(x, "waste of time").speaker == "Stacey Plaskett"
    assert quote_with(x, "They are wrong").speaker == "Terry Strada"


def test_a_day_after_an_inverted_verb_is_not_a_speaker(nlp):
    x = one(nlp, 'The talks ended. "We will be back," said Tuesday.')
    assert x.quotes[0].speaker_as_written != "Tuesday"


@pytest.mark.parametrize(
    "text, written",
    [
        (
            '"If he thinks that makes him smart," the ad’s narrator says, "what does he think of you?"',
            "the ad’s narrator",
        ),
        (
            'At his cookout, the band leader called the officials to the stage, singing "It is Our Time."',
            "the band leader",
        ),
    ],
)
def test_lowercase_modifiers_back_to_a_determiner_belong_to_the_speaker(nlp, text, written):
    assert one(nlp, text).quotes[0].speaker_as_written == written


def test_role_without_holder_is_not_the_group_that_modifies_it(nlp):
    x = one(nlp, 'The Republican presidential nominee has repeatedly wondered whether they will be "fair" to him.')
    assert x.quotes[0].speaker != "Republican"
    assert x.quotes[0].speaker_as_written == "The Republican presidential nominee"


def test_new_speech_verbs(nlp):
    x = one(
        nlp,
        '"It just amazed me how quickly they rushed," Tom Clarke recalled of the hearings. '
        '"Why is this not proof?" David Vitter demanded.',
    )
    assert quote_with(x, "amazed me").speaker == "Tom Clarke"
    assert quote_with(x, "not proof").speaker == "David Vitter"


def test_noun_readings_of_speech_verbs_are_not_cues(nlp):
    x = one(
        nlp,
        'Hillary Clinton says the late-night tweets of her rival were "unhinged, even for him." '
        'Donald Trump unleashed a series of tweets early Friday saying that "she is a disgrace."',
    )
    assert quote_with(x, "unhinged").speaker == "Hillary Clinton"
    assert quote_with(x, "disgrace").speaker == "Donald Trump"


def test_pronoun_binds_to_the_subject_of_its_own_sentence(nlp):
    text = (
        'Barack Obama spoke first. "We will act," Obama said.\n\n'
        'Secretary General Ban Ki-moon condemned what he called a "brazen breach" of the rules.\n\n'
        '"I count on the council," he told reporters.'
    )
    x = one(nlp, text)
    assert quote_with(x, "brazen breach").speaker == "Ban Ki-moon"
    assert quote_with(x, "I count on the council").speaker == "Ban Ki-moon"


def test_pronoun_in_a_leading_clause_points_forward(nlp):
    x = one(
        nlp,
        'Jeff Merkley spoke first. Though she called the bank "outrageous," Hillary Clinton kept her comments short.',
    )
    assert quote_with(x, "outrageous").speaker == "Hillary Clinton"


def test_nearest_actor_is_a_subject_not_an_object(nlp):
    x = one(
        nlp,
        "Worried about a lack of passion for Hillary Clinton, President Barack Obama is rolling out "
        'a new campaign message: "It is about me."',
    )
    assert x.quotes[0].speaker == "Barack Obama"


def test_quote_opening_its_sentence_speaks_for_the_previous_sentence(nlp):
    x = one(
        nlp,
        'The administration may be reluctant to act, Adam Schiff said. "The other factor is the '
        'appearance of tipping the scales."',
    )
    assert x.quotes[0].speaker == "Adam Schiff"


def test_bare_surname_missed_by_the_model_is_found(nlp):
    x = one(
        nlp,
        "Retired General Carter Ham served for decades. While he acknowledged the pay was low, Ham also "
        'noted several "intangibles" that left him disillusioned.',
    )
    ham = person(x, "ham")
    assert sum(m.entity == x.entities.index(ham) for m in x.mentions) >= 2
    assert x.quotes[0].speaker == "Carter Ham"


def test_adverb_between_subject_and_verb(nlp):
    x = one(
        nlp,
        "At a panel, Marc H. Morial, the chief executive of the National Urban League, forcefully told a "
        'young woman that "this is not the first generation to be frustrated."',
    )
    assert x.quotes[0].speaker == "Marc H. Morial"


def test_participle_without_a_cue_speaks_for_its_clause(nlp):
    x = one(
        nlp,
        'After a meeting, the Security Council issued a statement calling the test "a clear violation." '
        'The spot ends with footage of Donald Trump saying, "That makes me smart."',
    )
    assert quote_with(x, "a clear violation").speaker == "Security Council"
    assert quote_with(x, "That makes me smart").speaker == "Donald Trump"


def test_a_full_stop_inside_the_quote_ends_its_attribution(nlp):
    x = one(
        nlp,
        'Japan branded North Korea an "outlaw nation in the neighborhood." Russia insisted that '
        'Pyongyang "stop its dangerous escapades."',
    )
    assert quote_with(x, "outlaw nation").speaker == "Japan"
    assert quote_with(x, "dangerous escapades").speaker == "Russia"


def test_a_quote_does_not_continue_past_a_newly_named_person(nlp):
    text = (
        '"We will win," Mike Pence said on Sunday.\n\n'
        'On another show, Senator Bernie Sanders named young voters as the reason. "The younger people are '
        'sick and tired of discrimination."'
    )
    x = one(nlp, text)
    assert quote_with(x, "younger people").speaker != "Mike Pence"


def test_a_quote_after_a_paraphrase_speaks_for_its_subject(nlp):
    text = (
        '"We will win," Mike Pence said on Sunday.\n\n'
        'On another show, Senator Bernie Sanders named young voters as the reason. "The younger people are '
        'sick and tired of discrimination."'
    )
    assert quote_with(one(nlp, text), "younger people").speaker == "Bernie Sanders"


def test_markup_attributes_and_numbers_are_not_quotes(nlp):
    text = (
        '"Wall Street will change," Elizabeth Warren said.\n\n'
        '<tweet author="carlquintanilla" tweet_id="778257943577919488">The blue arrow is Warren.</tweet>\n\n'
        'The code was "1474387200" in the file.'
    )
    x = one(nlp, text)
    assert [q.text for q in x.quotes if q.kind == "direct"] == ["Wall Street will change"]


def test_fragments_joined_by_and_are_one_quotation(nlp):
    x = one(nlp, 'Donald Trump called her “Miss Piggy” and “Miss Housekeeping” in 1996. "We are done," he said.')
    q = quote_with(x, "Miss Piggy")
    assert len(q.spans) == 2 and "Miss Housekeeping" in q.text and q.speaker == "Donald Trump"


def test_untagged_name_is_the_speaker_as_written(nlp):
    x = one(nlp, '"Europe must be able to defend itself," French President FranÃÂ§ois Hollande said Friday.')
    assert x.quotes[0].speaker is not None and "Hollande" in x.quotes[0].speaker


def test_plural_present_speech_verb_and_plural_noun_after_of(nlp):
    x = one(
        nlp,
        'Police say they have "adequate resources" to secure the city. '
        'PolitiFact rated 32% of Republican claims as "false" in its review.',
    )
    assert quote_with(x, "adequate resources").speaker_as_written == "Police"
    assert quote_with(x, "false").speaker == "PolitiFact"


def test_inverted_verb_with_a_determiner_phrase(nlp):
    x = one(nlp, '"A state cannot avoid the conclusion," said the ruling. "Done," said the president.')
    assert quote_with(x, "avoid the conclusion").speaker_as_written == "the ruling"
    assert quote_with(x, "Done").speaker_as_written == "the president"


def test_according_to_a_described_organisation(nlp):
    x = one(
        nlp,
        'More than 100,000 people took part in a "walk-in" at schools in 238 cities, according to the '
        "event organizer Alliance to Reclaim Our Schools.",
    )
    assert "Alliance to Reclaim Our Schools" in (x.quotes[0].speaker_as_written or "")


def test_a_quote_closed_by_a_comma_goes_to_the_cue_after_it(nlp):
    # the cue before it in the sentence ("it said") belongs to an embedded clause, not to the quote
    x = one(
        nlp,
        "The union's statement referenced the impact it said Hillary Clinton would have on women: "
        '"Her fight has opened the door for women," the union wrote.',
    )
    assert quote_with(x, "opened the door").speaker_as_written == "the union"


def test_a_group_speaks_as_a_plural_subject_never_as_an_adjective(nlp):
    x = one(nlp, 'Democrats also blasted the committee for its "partisan fireworks" on Friday.')
    assert quote_with(x, "partisan fireworks").speaker == "Democrats"
    y = one(nlp, 'The Republican nominee also vowed to punish "those who violate classification rules."')
    assert quote_with(y, "violate classification").speaker != "Republican"


def test_as_someone_put_it_names_the_speaker(nlp):
    x = one(nlp, 'He has been seen, as The New Yorker put it in a long profile, as "the operator."')
    assert quote_with(x, "the operator").speaker_as_written == "The New Yorker"
    y = one(nlp, 'The main requirement is a "lawful source of investment income," as a Homeland Security memo put it.')
    assert quote_with(y, "lawful source").speaker_as_written == "a Homeland Security memo"


def test_a_name_alone_before_a_colon_labels_the_quote(nlp):
    x = one(nlp, 'Kremlin spokesman Dmitry Peskov:\n"These are very bad statements."')
    assert quote_with(x, "very bad statements").speaker == "Dmitry Peskov"
    y = one(nlp, 'Reporters asked about Dmitry Peskov:\n"Is he right?"')
    assert quote_with(y, "Is he right").speaker != "Dmitry Peskov"
