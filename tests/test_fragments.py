"""Facts without a full stop: infobox rows, captions and short fact lines are claims; page furniture is not."""

from __future__ import annotations

import pytest

from factcheck.claims import extract_claim_set
from factcheck.documents import MIN_FACT_WORDS, document_from_text, fact_kind

# A Wikipedia-style page as trafilatura gives it: the lead, then the infobox rows, each on its line.
INFOBOX_PAGE = """\
Michael Schumacher
Michael Schumacher is a German former racing driver who competed in Formula One.
Born 3 January 1969
Hürth, West Germany
Height 1.74 m
Spouse: Corinna Betsch (m. 1995)
Years active 1991–2006, 2010–2012
Formula One World Championship career
Teams: Benetton, Ferrari, Mercedes
Championships: 7 (1994, 1995, 2000–2004)
Race wins: 91
"""

CAR_PAGE = """\
Production: May 1993 – August 2002
Assembly: Dearborn, Michigan, United States
Body style: 2-door coupe
The car was built at the company's plant in Dearborn for nine years.
"""

# A news page with chrome around the story: menu, share bar, byline, caption, photo credit,
# cookie notice, "Read more", tags and a timestamp.
NEWS_PAGE = """\
Home | World | Europe | Ukraine
Share on Facebook
Share on Twitter
Email
By Jane Doe
Published 28 January 2022
Updated: 28 Jan 2022, 10:32 GMT
Russian troops massed near the border with Ukraine on Thursday, officials said.
Soldiers patrol the border near Kharkiv on Monday
Photo: Reuters
Getty Images
The Kremlin said there was little ground for optimism after the US reply.
A queue of 5 km at the border crossing
Police arrested two men near the embassy
Read more
Tags: Russia, Ukraine, NATO
We use cookies to improve your experience on our site
Accept all cookies
Reporting by Jane Doe; Editing by John Roe
— Jane Doe (@janedoe) January 27, 2022
"""


def layout(text: str) -> tuple[list[str], dict[str, str]]:
    doc = document_from_text(text, id="x", source="x")
    return [doc.text[s:e] for s, e in doc.spans], {doc.text[s:e]: r for s, e, r in doc.dropped}


def claims(text: str) -> list[str]:
    return [c.text for c in extract_claim_set(document_from_text(text, id="x", source="x")).claims if not c.clause]


def test_infobox_rows_are_claims() -> None:
    got = claims(INFOBOX_PAGE)
    for fact in ("Born 3 January 1969", "Height 1.74 m", "Spouse: Corinna Betsch (m. 1995)",
                 "Years active 1991–2006, 2010–2012", "Teams: Benetton, Ferrari, Mercedes",
                 "Championships: 7 (1994, 1995, 2000–2004)", "Race wins: 91"):
        assert fact in got, fact
    kept, dropped = layout(INFOBOX_PAGE)
    # A place alone or a section heading carries no fact; it stays out, with its reason.
    assert dropped["Hürth, West Germany"] == "no-sentence"
    assert dropped["Formula One World Championship career"] == "no-sentence"
    assert "Born 3 January 1969" in kept


def test_a_fact_line_at_the_top_is_not_taken_for_the_headline() -> None:
    kept, dropped = layout(CAR_PAGE)
    assert kept[0] == "Production: May 1993 – August 2002" and "title" not in dropped.values()
    cs = extract_claim_set(document_from_text(CAR_PAGE, id="x", source="x"))
    assert [c.text for c in cs.claims][:3] == ["Production: May 1993 – August 2002",
                                               "Assembly: Dearborn, Michigan, United States",
                                               "Body style: 2-door coupe"]
    assert cs.fact_lines == 3 and cs.short_fragments == 0 and cs.number_fragments == 0


def test_news_furniture_stays_out_and_short_facts_stay_in() -> None:
    kept, dropped = layout(NEWS_PAGE)
    assert kept == [
        "Russian troops massed near the border with Ukraine on Thursday, officials said.",
        "Soldiers patrol the border near Kharkiv on Monday",
        "The Kremlin said there was little ground for optimism after the US reply.",
        "A queue of 5 km at the border crossing",
        "Police arrested two men near the embassy",
    ]
    assert dropped == {
        "Home | World | Europe | Ukraine": "navigation",
        "Share on Facebook": "promo",
        "Share on Twitter": "promo",
        "Email": "no-sentence",
        "By Jane Doe": "credit",
        "Published 28 January 2022": "metadata",
        "Updated: 28 Jan 2022, 10:32 GMT": "metadata",
        "Photo: Reuters": "credit",
        "Getty Images": "no-sentence",
        "Read more": "navigation",
        "Tags: Russia, Ukraine, NATO": "no-sentence",
        "We use cookies to improve your experience on our site": "promo",
        "Accept all cookies": "promo",
        "Reporting by Jane Doe; Editing by John Roe": "credit",
        "— Jane Doe (@janedoe) January 27, 2022": "no-sentence",
    }
    assert claims(NEWS_PAGE) == kept


@pytest.mark.parametrize(
    "line, kind",
    [
        ("Born 27 August 1968", "dated"),
        ("Died 3 March 2001 in Paris", "dated"),
        ("Founded in 1998", "dated"),
        ("Height 1.85 m", "dated"),
        ("Production: May 1993 – August 2002", "label"),
        ("Population: 1,234,567", "label"),
        ("Occupation: actor, director", "label"),
        ("Overcome: Lesley McSpadden appears overwhelmed with grief during the service", "label"),
        ("Police arrested two men", "verb"),
        ("Key witness speaks out", "verb"),
        ("The Kremlin said on Thursday there was little ground for optimism", "dated"),
        ("The Kremlin said there was little ground for optimism", "verb"),
        ("Damaged airplanes on the tarmac at Tripoli international airport", "verb"),
        # furniture, or too little to be a statement
        ("Capital: Ottawa", None),  # under MIN_FACT_WORDS words
        ("16 October 2014", None),  # a date alone
        ("Friday 28 January 2022 10:32 GMT", None),
        ("Jane Doe, 28 January 2022", None),  # a byline with its date
        ("$4.2 billion", None),
        ("— Someone (@handle) January 5, 2022", None),
        ("David 16 minutes ago", None),
        ("Here is the full statement:", None),
        ("Amazing Animals From Around the World", None),
        ("CATHOLIC PRIEST WHO DIED FOR 48 MINUTES CLAIMS THAT GOD IS A WOMAN", None),
        ("See Video: Christian Bale Is the Chosen One in the New Exodus Trailer", None),
        ("Keep up with the latest news, rumours and spoilers", None),
        ("Tags: Russia, Ukraine, NATO", None),
        ("Sergei Lavrov in Geneva", None),
        ("His time as a teacher", None),
    ],
)
def test_fact_kind(line: str, kind: str | None) -> None:
    assert fact_kind(line) == kind


@pytest.mark.parametrize(
    "line, reason",
    [
        ("Photo: John Smith/Reuters", "credit"),
        ("(AP Photo/Evan Vucci)", "credit"),
        ("By Jane Doe and John Roe", "credit"),
        ("Reporting by Jane Doe in Kyiv", "credit"),
        ("Read more: Russia moves troops to Belarus for joint drills", "navigation"),
        ("MORE: Man lucky to be alive after falling off cliff while chasing goat", "navigation"),
        ("Watch Video: Marine survives sniper headshot by inches in Afghanistan", "navigation"),
        ("Last updated Sat 24 Jan 2015", "metadata"),
        ("Share this article", "promo"),
        ("Manage your cookie preferences", "promo"),
    ],
)
def test_furniture_with_a_date_or_a_verb_is_still_furniture(line: str, reason: str) -> None:
    body = "Russian troops massed near the border with Ukraine on Thursday, officials said.\n"
    kept, dropped = layout(body + line + "\n")
    assert dropped == {line: reason} and kept == [body.strip()]


def test_fact_lines_have_their_own_minimum_and_sentences_keep_min_words() -> None:
    text = ("Born 27 August 1968\nTalks resumed in Geneva on Monday after a break, the envoy said. "
            "No way, he said. Scores were 12 14 16 18 20.\n")
    cs = extract_claim_set(document_from_text(text, id="x", source="x"))
    assert [c.text for c in cs.claims][0] == "Born 27 August 1968"
    assert cs.fact_lines == 1 and cs.short_fragments == 1 and cs.number_fragments == 1
    assert MIN_FACT_WORDS == 3
    # A stricter min_words still lets a fact line through at MIN_FACT_WORDS; a looser one applies to both.
    assert "Born 27 August 1968" in [c.text for c in extract_claim_set(
        document_from_text(text, id="x", source="x"), min_words=8).claims]
