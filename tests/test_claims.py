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
            assert doc.text[c.start : c.end] == c.text
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
