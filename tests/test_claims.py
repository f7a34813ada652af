"""extract_claims: offsets on the seeds, clause claims, short fragments, clause splitting rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from factcheck.claims import Claim, clause_spans, count_words, extract_claim_set, extract_claims
from factcheck.documents import document_from_text, read_documents

SEEDS = Path(__file__).parents[1] / "seeds"
COMPOUND = (
    "However, as expected, the US and the Western alliance on Wednesday firmly rejected any concessions "
    "on Moscow's main points, refusing to permanently ban Ukraine from joining NATO, and saying that allied "
    "deployments of troops and military equipment in Eastern Europe are non-negotiable."
)


def doc_of(text: str, id: str = "a"):
    return document_from_text(text, id=id, source=id)


@pytest.fixture(scope="module")
def seed_docs():
    return read_documents([SEEDS])


def test_offsets_hold_on_every_seed(seed_docs) -> None:
    for doc in seed_docs:
        cs = extract_claim_set(doc)
        assert len(cs.claims) >= 20
        assert [c.index for c in cs.claims] == list(range(len(cs.claims)))
        for c in cs.claims:
            assert doc.text[c.start : c.end] == c.words
            assert c.text == c.lead + c.words and bool(c.lead) <= c.item
            assert c.article == doc.id
            parent = cs.sentences[c.sentence]
            assert parent.start <= c.start < c.end <= parent.end
            assert c.clause == ((c.start, c.end) != (parent.start, parent.end))
            assert any(s <= c.start and c.end <= e for s, e in doc.spans)
        # No claim comes from dropped furniture or the title.
        for s, e, _ in doc.dropped:
            assert not any(c.start < e and s < c.end for c in cs.claims)


def test_seed_compound_sentence_yields_its_clauses(seed_docs) -> None:
    doc = next(d for d in seed_docs if d.id.startswith("000"))
    claims = extract_claims(doc)
    whole = next(c for c in claims if c.text.startswith("However, as expected") and not c.clause)
    clauses = [c for c in claims if c.clause and c.sentence == whole.sentence]
    texts = [c.text for c in clauses]
    assert any(
        t.startswith("saying that allied deployments") and t.rstrip(".").endswith("are non-negotiable") for t in texts
    ), texts
    assert "refusing to permanently ban Ukraine from joining NATO" in texts
    assert all(c.index > whole.index for c in clauses)


def test_compound_sentence_clauses_and_switch_off() -> None:
    doc = doc_of(COMPOUND)
    claims = extract_claims(doc)
    assert [c.clause for c in claims] == [False, True, True, True]
    assert claims[0].text == COMPOUND
    assert claims[1].text.endswith("on Moscow's main points")
    assert claims[2].text == "refusing to permanently ban Ukraine from joining NATO"
    assert claims[3].text.startswith("saying that allied deployments")
    assert {c.sentence for c in claims} == {0}
    assert [c.text for c in extract_claims(doc, split_clauses=False)] == [COMPOUND]


def test_short_fragments_are_left_out_and_counted() -> None:
    doc = doc_of("Yes. He denied the reports on Monday evening. No way, he said.\nMore to come.\n")
    cs = extract_claim_set(doc)
    assert [c.text for c in cs.claims] == ["He denied the reports on Monday evening."]
    assert cs.short_fragments == 3
    assert [s.text for s in cs.sentences][:2] == ["Yes.", "He denied the reports on Monday evening."]
    assert cs.claims[0].sentence == 1
    assert "No way, he said." in [c.text for c in extract_claims(doc, min_words=2)]


def test_sentence_index_reaches_the_previous_sentence() -> None:
    text = "Peskov spoke to reporters in Moscow on Thursday. He said the reply left little ground for optimism."
    cs = extract_claim_set(doc_of(text))
    second = cs.claims[1]
    assert cs.sentences[second.sentence - 1].text == "Peskov spoke to reporters in Moscow on Thursday."


@pytest.mark.parametrize(
    "sentence, expected",
    [
        # Semicolon between two long parts.
        (
            "The ministry said the talks had been useful and constructive; the envoy said no date had been set for the next round.",
            ["The ministry said the talks had been useful and constructive", "the envoy said no date had been set for the next round."],
        ),
        # One spaced dash splits.
        (
            "Russia denies having any plans to invade its neighbour — and has laid out a list of demands for the West.",
            ["Russia denies having any plans to invade its neighbour", "has laid out a list of demands for the West."],
        ),
        # Two dashes are a parenthesis: no split.
        ("The response from the US — and a similar one from NATO — left little ground for optimism in Moscow.", []),
        # A split point inside quotes is ignored.
        ("“We will fight back; this is our country and we will defend it,” the foreign minister told reporters on Thursday.", []),
        # A short part stays joined: no clauses at all.
        ("Ukraine rejected the claim; nobody believed it at all, officials in Kyiv told reporters late on Monday.", []),
        # ", but" between two long parts.
        (
            "Russia said the US was not willing to address its main concerns, but kept the door open for further dialogue.",
            ["Russia said the US was not willing to address its main concerns", "kept the door open for further dialogue."],
        ),
    ],
)
def test_clause_spans(sentence: str, expected: list[str]) -> None:
    spans = clause_spans(sentence, 0, len(sentence))
    assert [sentence[s:e] for s, e in spans] == expected


def test_clause_spans_use_offsets_of_the_whole_text() -> None:
    prefix = "Intro sentence here. "
    text = prefix + COMPOUND
    spans = clause_spans(text, len(prefix), len(text))
    assert len(spans) == 3 and all(s >= len(prefix) for s, _ in spans)
    assert text[spans[1][0] : spans[1][1]] == "refusing to permanently ban Ukraine from joining NATO"


def test_count_words() -> None:
    assert count_words("U.S. officials didn't say — 8,500 troops, well-known.") == 7


def test_claim_is_a_frozen_value() -> None:
    c = Claim("a", 0, "text", 0, 4, 0)
    assert c == Claim("a", 0, "text", 0, 4, 0) and not c.clause
    with pytest.raises(AttributeError):
        c.text = "other"  # type: ignore[misc]


# --- list items -------------------------------------------------------------------------------

DRILLS = ("Russia has launched a series of military drills: infantry units in southwestern Russia practiced firing, "
          "warplanes in Kaliningrad performed bombing runs, dozens of warships sailed into the Baltic Sea, "
          "and Russian fighter jets arrived in Belarus for joint war games.")


def _items(sentence: str) -> tuple[str | None, list[str]] | None:
    from factcheck.claims import list_items

    found = list_items(sentence, 0, len(sentence))
    if found is None:
        return None
    lead, items = found
    return (sentence[slice(*lead)] if lead else None), [sentence[s:e] for s, e in items]


@pytest.mark.parametrize(
    "sentence, lead, items",
    [
        # Clauses after a colon: each item is a sentence of its own, no lead carried.
        (DRILLS, None, ["infantry units in southwestern Russia practiced firing",
                        "warplanes in Kaliningrad performed bombing runs",
                        "dozens of warships sailed into the Baltic Sea",
                        "Russian fighter jets arrived in Belarus for joint war games."]),
        # Noun phrases after "involving": the lead with its verb is carried.
        ("Russia has launched military drills involving infantry units in southwestern Russia, warplanes in "
         "Kaliningrad on the Baltic Sea, and Russian fighter jets in Belarus.",
         "Russia has launched military drills involving ",
         ["infantry units in southwestern Russia", "warplanes in Kaliningrad on the Baltic Sea",
          "Russian fighter jets in Belarus."]),
        # Verb phrases sharing a subject: the subject is carried, not the opening "On Monday,".
        ("On Monday, the border police arrested two men, seized a stolen car, and closed the road to traffic.",
         "the border police ", ["arrested two men", "seized a stolen car", "closed the road to traffic."]),
        # Clauses after an opening phrase without a verb: the phrase is left out of the items.
        ("As part of the exercise, infantry units practiced shelling, warplanes bombed Kaliningrad in the Baltic, "
         "and dozens of warships sailed for training exercises.",
         None, ["infantry units practiced shelling", "warplanes bombed Kaliningrad in the Baltic",
                "dozens of warships sailed for training exercises."]),
        # Noun phrases split by semicolons after a colon.
        ("The package includes: tax cuts for families; new spending on roads.",
         "The package includes: ", ["tax cuts for families", "new spending on roads."]),
        # What follows the last item stays with it.
        ("Troops shelled the town, rebels seized the airport, and aid workers fled the region, the ministry said.",
         None, ["Troops shelled the town", "rebels seized the airport",
                "aid workers fled the region, the ministry said."]),
    ],
)
def test_list_items(sentence: str, lead: str | None, items: list[str]) -> None:
    assert _items(sentence) == (lead, items)


@pytest.mark.parametrize(
    "sentence",
    [
        "France, Germany, and Italy signed the treaty in Rome on Monday after long talks.",  # names: one fact
        "France, Germany and Italy signed the treaty in Rome on Monday after long talks.",
        "He was born in Paris, France, and moved to London with his family in 1990.",  # place, apposition
        "John Smith, the mayor of Paris, and his deputy, Jane Doe, said the city would pay 1,000 euros.",
        "The city will pay 1,000, 2,000 and 3,000 euros to the families of the victims this year.",  # numbers
        "“We attacked the base, we seized the town, and we will hold it,” the commander told reporters.",  # quote
        "He said the army had attacked the base (it seized the town, took the airport, and held the bridge).",
        "The plan, which was approved on Monday, sets aside money for schools, roads and hospitals.",
        "Troops shelled the town, rebels seized the airport and aid workers fled the region.",  # no Oxford comma
        # Semicolon clauses without a colon are clause claims already.
        "The ministry said the talks had been useful; the envoy said no date had been set; and the round was put off.",
        "The storm hit the coast on Monday, and thousands of homes lost power overnight.",  # two parts only
        "In a statement on Monday, the company, based in Ohio, said it would cut jobs.",
    ],
)
def test_no_list_in_ordinary_commas(sentence: str) -> None:
    assert _items(sentence) is None


def test_item_claims_keep_the_offsets_of_their_own_words() -> None:
    intro = "Moscow said on Friday that the drills were routine and had been planned for months. "
    text = intro + DRILLS + " Ukraine called them a threat and asked its allies for help."
    doc = doc_of(text)
    cs = extract_claim_set(doc)
    items = [c for c in cs.claims if c.item]
    assert [c.words for c in items] == _items(DRILLS)[1]
    for c in items:
        assert doc.text[c.start:c.end] == c.words and c.text == c.lead + c.words and c.lead == ""
        assert c.clause and c.sentence == 1 and cs.sentences[1].start <= c.start < c.end <= cs.sentences[1].end
    assert [c.index for c in cs.claims] == list(range(len(cs.claims)))
    whole = next(c for c in cs.claims if c.sentence == 1 and not c.clause)
    assert whole.text == DRILLS and all(c.index > whole.index for c in items)
    # Switched off with the clauses, or on their own.
    assert not any(c.item for c in extract_claim_set(doc, split_clauses=False).claims)
    assert not any(c.item for c in extract_claim_set(doc, split_lists=False).claims)


def test_item_claims_carry_their_lead() -> None:
    sentence = ("Russia has launched military drills involving infantry units in southwestern Russia, warplanes in "
                "Kaliningrad on the Baltic Sea, and Russian fighter jets in Belarus.")
    doc = doc_of("Officials in Kyiv said the drills began on Monday. " + sentence)
    items = [c for c in extract_claim_set(doc).claims if c.item]
    assert [c.text for c in items] == [
        "Russia has launched military drills involving infantry units in southwestern Russia",
        "Russia has launched military drills involving warplanes in Kaliningrad on the Baltic Sea",
        "Russia has launched military drills involving Russian fighter jets in Belarus."]
    for c in items:
        assert doc.text[c.start:c.end] == c.words and c.lead == "Russia has launched military drills involving "


def test_item_claim_replaces_a_clause_with_the_same_words() -> None:
    sentence = ("The ministry listed its demands: the troops must leave the northern city at once; the border must be "
                "reopened to aid convoys; and the prisoners must be freed before the talks.")
    claims = extract_claims(doc_of(sentence))
    spans = [(c.start, c.end) for c in claims]
    assert len(spans) == len(set(spans))
    assert [c.words for c in claims if c.item] == [
        "the troops must leave the northern city at once", "the border must be reopened to aid convoys",
        "the prisoners must be freed before the talks."]
