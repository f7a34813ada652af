"""The story view: findings grouped into disputed facts (pure, no models)."""

from __future__ import annotations

import json

import pytest

from factcheck.disputes import CONTRADICTION, ENTAILS, MUTUAL, OTHER, Link, build_disputes, differing_spans
from factcheck.report import Report, render
from factcheck.report.schema import Claim, Dispute, DisputeSide, Stats


def claim(article: str, text: str, start: int = 0) -> Claim:
    return Claim(article, text, start, start + len(text))


NEG = claim("A", "Allied deployments in Eastern Europe are non-negotiable.")
NEG2 = claim("B", "Allied deployments in Eastern Europe are not negotiable.")
POS = claim("D", "Allied deployments in Eastern Europe can be negotiated.")
SILENT = claim("C", "Deployments in Eastern Europe were discussed.")


def link(x: Claim, y: Claim, kind: str, score: float, finding: int | None = None) -> Link:
    return Link((x.article, x.start), (y.article, y.start), x, y, kind, score, finding)


def test_two_findings_against_one_article_are_one_dispute_with_that_article_the_minority():
    links = [link(NEG, POS, CONTRADICTION, 0.99, 0), link(NEG2, POS, CONTRADICTION, 0.98, 1),
             link(SILENT, POS, OTHER, 0.9), link(SILENT, NEG, OTHER, 0.9)]
    (d,) = build_disputes(links, ["A", "B", "C", "D"])
    assert d.id == "D1" and d.findings == (0, 1) and d.score == 0.99
    assert d.sides[0].articles == ("A", "B") and d.sides[1].articles == ("D",)
    assert d.minority == 1 and d.silent == ("C",)
    # Labelled from the most alike opposed pair (B's and D's claims): the words they differ in.
    assert d.label == "“are not negotiable” vs “can be negotiated”"


def test_paraphrase_and_entailment_join_a_side_and_conflicting_links_are_left_out():
    para = claim("E", "Allied deployments in Eastern Europe are nonnegotiable, the alliance said.")
    links = [link(NEG, POS, CONTRADICTION, 0.99, 0), link(para, NEG, ENTAILS, 0.8),
             link(NEG2, NEG, MUTUAL, 0.9),
             # Weaker than the paraphrase: this contradiction would put NEG2 on both sides.
             link(NEG2, NEG, CONTRADICTION, 0.5, 1)]
    (d,) = build_disputes(links, ["A", "B", "D", "E"])
    assert set(d.sides[0].articles) == {"A", "B", "E"} and d.sides[1].articles == ("D",)
    assert d.findings == (0,)


def test_a_claim_that_agrees_with_both_sides_leaves_its_article_silent():
    both = claim("E", "Deployments are on the table, or not.")
    links = [link(NEG, POS, CONTRADICTION, 0.99, 0), link(both, NEG, ENTAILS, 0.7), link(both, POS, ENTAILS, 0.7)]
    (d,) = build_disputes(links, ["A", "D", "E"])
    assert d.silent == ("E",) and d.minority is None


def test_separate_facts_are_separate_disputes_ranked_by_score_and_articles():
    x1, x2, x3 = claim("A", "Ten people died.", 100), claim("B", "Two people died.", 100), claim("C", "Two people died.", 200)
    links = [link(NEG, POS, CONTRADICTION, 0.95, 0), link(x1, x2, CONTRADICTION, 0.9, 1),
             link(x1, x3, CONTRADICTION, 0.9, 2), link(x2, x3, MUTUAL, 1.0)]
    first, second = build_disputes(links, ["A", "B", "C", "D"])
    assert first.findings == (1, 2) and second.findings == (0,)  # three outlets outrank a higher score between two
    assert first.sides[0].articles == ("A",) and first.minority == 0


def test_no_contradiction_no_dispute():
    assert build_disputes([link(NEG, NEG2, MUTUAL, 0.9)], ["A", "B"]) == ()


@pytest.mark.parametrize("a, b, want", [
    ("The toll rose to 10 people on Monday.", "The toll rose to 12 people on Monday.", ("10", "12")),
    ("He denied offering the deal.", "He offered the deal, a radio report said.", ("denied offering", "offered")),
])
def test_differing_spans_name_what_the_sides_disagree_on(a, b, want):
    assert differing_spans(a, b) == want


def test_disputes_round_trip_and_render_in_every_format():
    d = Dispute("D1", "“non-negotiable” vs “can be negotiated”", 0.99,
                (DisputeSide(("A", "B"), (NEG, NEG2)), DisputeSide(("D",), (POS,))), ("C",), (), 1)
    report = Report("0", {}, {}, (), Stats(), (), disputes=(d,))
    again = Report.from_dict(json.loads(json.dumps(report.to_dict())))
    assert again.disputes == (d,)
    assert Report.from_dict({**report.to_dict(), "disputes": []}).disputes == ()
    terminal = render(report, "terminal")
    assert "D1" in terminal and "side 2 (D, alone: the minority)" in terminal and "silent" in terminal
    assert "side 2 (D, alone: the minority)" in render(report, "markdown")
    html = render(report, "html", {"A": NEG.text, "B": NEG2.text, "C": SILENT.text, "D": POS.text})
    assert 'class="disputes"' in html and html.index('class="disputes"') < html.index('class="verdict')
    assert "side 2 · minority" in html


def test_a_malformed_dispute_is_named():
    from factcheck.errors import InputError

    report = Report("0", {}, {}, (), Stats(), ()).to_dict()
    with pytest.raises(InputError, match=r"disputes\[0\]\.sides"):
        Report.from_dict({**report, "disputes": [{"id": "D1", "label": "x", "score": 1, "sides": [{}]}]})
