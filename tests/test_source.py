"""source.py: wire tags, domains, recorded sources, credit lines."""

from __future__ import annotations

import pytest

from dateline import source


@pytest.mark.parametrize(
    "text, expected",
    [
        ("WASHINGTON, December 28. /TASS/. The year of 2018 has become the year of missed opportunities.", "TASS"),
        ("Title line\n\nWASHINGTON, July 13. /TASS/. Moscow does not believe that the summit helped.", "TASS"),
        ("LONDON (Reuters) - British lawmakers voted on Tuesday to approve the plan.", "Reuters"),
        ("CAIRO, March 29 (Reuters) – The Suez Canal reopened on Monday.", "Reuters"),
        ("NEW YORK (AP) — Stocks rose on Friday.", "AP"),
        ("Nothing here names an outlet at all, it is just a sentence.", None),
    ],
)
def test_wire_tags(text, expected):
    assert source.wire_tag(text) == expected
    assert source.outlet(text=text) == expected


@pytest.mark.parametrize(
    "host, expected",
    [
        ("bbc.co.uk", "BBC"),
        ("www.bbc.co.uk", "BBC"),
        ("sputniknews.com", "Sputnik"),
        ("cdn1.img.sputniknews.com", "Sputnik"),
        ("www.theguardian.com", "The Guardian"),
        ("edition.cnn.com", "CNN"),
        ("tass.com", "TASS"),
        ("www.reuters.com", "Reuters"),
        ("apnews.com", "AP"),
        ("localhost", None),
        ("10.0.0.1", None),
    ],
)
def test_domains(host, expected):
    assert source.from_domain(host) == expected


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://sputniknews.com/world/202103171082376402-russian-ambassador/", "Sputnik"),
        ("https://www.bbc.co.uk/news/world-europe-56", "BBC"),
        ("http://www.theguardian.com/world/2021/mar/17/x", "The Guardian"),
        ("not a url", None),
        ("http://[broken", None),
        (None, None),
    ],
)
def test_from_url(url, expected):
    assert source.from_url(url) == expected


def test_given_source_wins():
    wire = "MOSCOW, March 17. /TASS/. The ambassador was recalled."
    url = "https://sputniknews.com/world/1"
    assert source.outlet(given="Interfax", text=wire, url=url) == "Interfax"
    assert source.outlet(given="bbc.co.uk", text=wire, url=url) == "BBC"  # a recorded domain becomes a name
    assert source.outlet(given="  ", text=wire, url=url) == "TASS"  # a blank field is no evidence
    assert source.outlet(sitename="The Moscow Times", text=wire, url=url) == "The Moscow Times"
    assert source.outlet(text=wire, url=url) == "TASS"  # the wire tag beats the URL
    assert source.outlet(text="No tag here.", url=url) == "Sputnik"


def test_urls_in_text():
    text = (
        "Russian Ambassador to US to Fly to Moscow\n\nhttps://cdn1.img.sputniknews.com/i/logo.png\n"
        "https://sputniknews.com/world/2021/x\nhttps://twitter.com/share\n"
    )
    assert source.from_text_urls(text) == "Sputnik"
    assert source.outlet(text=text) == "Sputnik"


def test_credit_line_named_in_the_body():
    text = (
        "World\n\nSputnik\n\nThe ambassador said a lot of work needs to be done.\n\n"
        "Ryabkov told Sputnik that the talks would go on."
    )
    assert source.from_credit(text) == "Sputnik"
    # A section label the body never speaks through is not an outlet.
    assert source.from_credit("World\n\nThe ambassador said the talks went well.") is None
