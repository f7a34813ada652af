"""Dates and figures compared exactly (#24): quantities, the value check, its pipeline wiring, cascade and eval."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest

from factcheck.documents import document_from_text
from factcheck.labels import CON, ENT, NEU
from factcheck.models import ModelInfo
from factcheck.nli import NLIModel
from factcheck.quantities import compare_quantities, quantities, to_digits
from factcheck.valuecheck import judge_values, mask_values, plan_value_check
from factcheck.verdict import Thresholds, Verdict


def q(text: str):
    return quantities(to_digits(text))


def numbers(a: str, b: str, later: int = 0) -> str:
    return compare_quantities(q(a), q(b), later, to_digits(a), to_digits(b)).status


@pytest.mark.parametrize("a, b, want", [
    ("12 people were killed in the attack", "At least 8 people were killed in the attack", "same"),
    ("12 people were killed in the attack", "8 people were killed in the attack", "differ"),
    ("about 300 protesters marched", "more than 250 protesters marched", "same"),
    ("dozens of people were hurt", "40 people were hurt", "same"),
    ("between 10 and 15 people were hurt", "12 people were hurt", "same"),
    ("between 10 and 15 people were hurt", "between 14 and 20 people were hurt", "same"),
    ("between 10 and 15 people were hurt", "between 16 and 20 people were hurt", "differ"),
    ("nearly 100 people were rescued", "97 people were rescued", "same"),
    ("about 300 people fled", "100 people fled", "differ"),
    ("1.5 million people voted", "1,500,000 people voted", "same"),
    # different units or counted nouns are not compared
    ("The company paid $12 million in fines", "The company cut 8 percent of jobs", "unknown"),
    ("12 ships sank in the storm", "8 tanks were lost in the storm", "unknown"),
])
def test_quantities_compare_by_the_values_they_allow(a, b, want):
    assert numbers(a, b) == want


def test_a_larger_running_total_is_a_possible_update_not_a_difference():
    assert numbers("8 people were killed in the attack", "The death toll from the attack rose to 12") == "update"
    # the larger count in the later article (a = 1 later) reads as an update; in the earlier one, a difference
    assert numbers("12 people were killed in the attack", "8 people were killed in the attack", later=1) == "update"
    assert numbers("12 people were killed in the attack", "8 people were killed in the attack", later=-1) == "differ"
    assert numbers("The company cut 12 jobs", "The company cut 8 jobs", later=1) == "differ"  # not a count of people


def test_what_is_not_a_quantity():
    assert q("COVID-19 cases were found in the G7 states") == ()
    assert q("At 10:30 the fire started on 21/08/1968") == () or all(x.unit != "fire" for x in q("At 10:30 the fire"))
    assert q("He was the first person to land") == ()
    assert q("The bridge opened in 1968.") == ()  # a year alone is a date, not a count


def test_number_words_are_read_with_text2num():
    pytest.importorskip("text_to_num")
    assert [(x.text, x.low) for x in q("forty people died in the fire")] == [("40", 40.0)]
    assert numbers("forty people died in the fire", "41 people died in the fire") == "differ"
    assert numbers("twenty-one people died in the fire", "40 people died in the fire") == "differ"
    assert q("one of them said so") == ()


def test_masking_removes_values_and_their_prepositions():
    text = "Julian Lewis Jones was born on 27 August 1968 in Wales."
    assert mask_values(text, [(31, 45)]) == "Julian Lewis Jones was born in Wales."
    assert mask_values("Jones (born 21 August 1968) is a Welsh actor.", [(12, 26)]) == "Jones (born) is a Welsh actor."


@pytest.mark.parametrize("b", ["Henrik Aalto was born on August 21, 1968 in Norway.",
                               "Henrik Aalto was born on 21/08/1968 in Norway.",
                               "Henrik Aalto was born on 1968-08-21 in Norway."])
def test_the_same_date_worded_differently_is_the_same(b):
    check = plan_value_check(0, "Henrik Aalto (born 21 August 1968) is a Norwegian painter.", b)
    assert check is not None and check.dates.status == "same" and not check.differ


def test_different_dates_differ_with_a_short_reason():
    check = plan_value_check(0, "Julian Lewis Jones (born 21 August 1968) is a Welsh actor.",
                             "Julian Lewis Jones was born on 27 August 1968 in Wales.")
    assert check.differ and check.date_reason == "dates differ: 21 August 1968 vs 27 August 1968"
    assert check.masked == ("Julian Lewis Jones (born) is a Welsh actor.", "Julian Lewis Jones was born in Wales.")


def test_no_check_without_a_value_on_both_sides():
    assert plan_value_check(0, "The minister resigned on 21 August 1968.", "The minister resigned in protest.") is None
    assert plan_value_check(0, "12 people were killed.", "People were killed in the attack.") is None


def _rows(fwd, bwd):
    return np.array(fwd, dtype=float), np.array(bwd, dtype=float)


def test_judge_values_needs_the_same_fact_both_ways():
    t = Thresholds(contradiction=0.89, agreement=0.35)
    check = plan_value_check(0, "Julian Lewis Jones (born 21 August 1968) is a Welsh actor.",
                             "Julian Lewis Jones was born on 27 August 1968 in Wales.")
    same = judge_values(check, _rows([0.9, 0.05, 0.05], [0.8, 0.15, 0.05]), 0.02, 0.98, t)
    assert same.label is Verdict.contradiction and same.notes[0] == "dates differ: 21 August 1968 vs 27 August 1968"
    # One way only (the real model: "born in Wales" does not entail "is a Welsh actor"), but both dates qualify "born"
    one_way = judge_values(check, _rows([0.99, 0.005, 0.005], [0.05, 0.95, 0.0]), 0.87, 0.2, t)
    assert check.anchored and one_way.label is Verdict.contradiction
    assert one_way.notes[-1].endswith("the values qualify the same word)")
    # One way, dates of two different events: not the same fact, the model's verdict stands
    other = plan_value_check(0, "The minister resigned on 5 May 2014 after the scandal.",
                             "The scandal broke on 1 May 2014.")
    assert other.differ and not other.anchored
    assert judge_values(other, _rows([0.9, 0.05, 0.05], [0.1, 0.85, 0.05]), 0.02, 0.9, t).label is None
    assert judge_values(check, _rows([0.9, 0.05, 0.05], [0.05, 0.25, 0.7]), 0.02, 0.98, t).label is None


class MaskNLI(NLIModel):
    """Entailment 0.9 for a pair with no digits (masked claims); for the raw pairs, ``raw`` decides.

    ``raw``: "agree" (entailment 0.9 one way, 0.7 the other, as the issue's model did) or "contradict".
    ``calls`` records the batches.
    """

    def __init__(self, raw: str = "agree") -> None:
        self.info = ModelInfo(name="mask-fake", source="tests", backend="fake", revision="0")
        self.max_length = 512
        self.raw = raw
        self.calls: list[list[tuple[str, str]]] = []

    def _row(self, p: str, h: str) -> np.ndarray:
        row = np.full(3, 0.05)
        if not re.search(r"\d", p + h):
            row[ENT] = 0.9
        elif self.raw == "contradict":
            row[CON] = 0.9
        else:
            row[ENT], row[NEU] = (0.9, 0.05) if p < h else (0.7, 0.25)
        return row / row.sum()

    def _predict_batch(self, pairs):
        return np.stack([self._row(p, h) for p, h in pairs])

    def predict_with_flags(self, pairs, batch_size=32, progress=None):
        self.calls.append(list(pairs))
        return self._predict_batch(list(pairs)), np.zeros(len(pairs), dtype=bool)


def _check(fake_embedder, nli, *texts, dates=(None, None), **kw):
    from factcheck.pipeline import CheckSettings, run_check

    docs = [document_from_text(t, n, n, date=d) for t, n, d in zip(texts, "ab", dates)]
    return run_check(docs, fake_embedder, nli, CheckSettings(min_similarity=0.1, thresholds=Thresholds(0.89, 0.35), **kw))


def test_the_issue_date_example_becomes_a_contradiction_with_its_reason(fake_embedder):
    nli = MaskNLI("agree")
    report = _check(fake_embedder, nli, "Julian Lewis Jones (born 21 August 1968) is a Welsh actor.",
                    "Julian Lewis Jones was born on 27 August 1968 in Wales.")
    (f,) = report.findings
    assert f.label == "contradiction" and "dates differ: 21 August 1968 vs 27 August 1968" in f.reasons
    assert report.stats.extra["time_dates_differ"] == 1
    assert len(nli.calls) == 2  # the aligned pairs, then every masked pair in one extra call


def test_the_same_date_worded_differently_is_not_reported(fake_embedder):
    report = _check(fake_embedder, MaskNLI("agree"), "Julian Lewis Jones (born 21 August 1968) is a Welsh actor.",
                    "Julian Lewis Jones was born on August 21, 1968 in Wales.")
    assert report.findings == ()


def test_the_issue_number_example_is_cleared_and_says_why(fake_embedder):
    report = _check(fake_embedder, MaskNLI("contradict"), "12 people were killed in the attack.",
                    "At least 8 people were killed in the attack.", include_all=True)
    (f,) = report.findings
    assert f.label == "neutral" and not any(r.startswith("numbers differ") for r in f.reasons)
    assert any(r.startswith("not a contradiction: the values agree; numbers agree: 12 vs At least 8") for r in f.reasons)


def test_different_amounts_are_a_contradiction_even_when_the_model_agrees(fake_embedder):
    report = _check(fake_embedder, MaskNLI("agree"), "12 people were killed in the attack.",
                    "8 people were killed in the attack.")
    (f,) = report.findings
    assert f.label == "contradiction" and "numbers differ: 12 vs 8" in f.reasons
    assert sum(r.startswith("numbers differ") for r in f.reasons) == 1  # the cue is not repeated


def test_vague_amounts_and_overlapping_ranges_are_not_reported(fake_embedder):
    for a, b in [("About 300 people were killed in the attack.", "More than 250 people were killed in the attack."),
                 ("Dozens of people were killed in the attack.", "40 people were killed in the attack."),
                 ("Between 10 and 15 people were killed in the attack.", "12 people were killed in the attack.")]:
        assert _check(fake_embedder, MaskNLI("contradict"), a, b).findings == (), (a, b)


def test_a_running_total_in_the_later_article_is_reported_as_a_possible_update(fake_embedder):
    report = _check(fake_embedder, MaskNLI("agree"), "The death toll from the attack rose to 12 on Tuesday.",
                    "8 people were killed in the attack on Tuesday.", dates=("2024-03-06", "2024-03-05"))
    (f,) = report.findings
    assert f.label == "contradiction" and f.reasons[1].startswith("possible update: 12 vs 8")
    assert report.stats.extra["possible_updates"] == 1
    from factcheck.report.text import render_terminal

    assert "CONTRADICTION (possible update)" in render_terminal(report)


def test_figures_of_different_units_are_left_to_the_model(fake_embedder):
    nli = MaskNLI("agree")
    report = _check(fake_embedder, nli, "The company paid $12 million in fines last year.",
                    "The company paid 8 percent of its profit in fines last year.")
    assert report.findings == () and len(nli.calls) == 1  # nothing to re-score


def test_the_cascade_keeps_the_value_verdict_and_its_reason(fake_embedder):
    from factcheck.nli.cascade import CascadeNLI

    cascade = CascadeNLI(MaskNLI("agree"), MaskNLI("agree"), screen_threshold=0.2, thresholds=Thresholds(0.89, 0.35))
    report = _check(fake_embedder, cascade, "Julian Lewis Jones (born 21 August 1968) is a Welsh actor.",
                    "Julian Lewis Jones was born on 27 August 1968 in Wales.")
    (f,) = report.findings
    assert f.label == "contradiction" and "dates differ: 21 August 1968 vs 27 August 1968" in f.reasons
    assert f.verifier is not None  # the verifier saw the pair; the value check's verdict stands


def test_the_news_eval_applies_the_same_value_check():
    from factcheck.evaluation.news_eval import predicted, score_news_pairs, value_check
    from factcheck.evaluation.news_pairs import NewsPair

    class Ref:
        def __init__(self, k):
            self.id, self.story, self.label, self.type = f"p{k}", "s", "contradiction", "number"

    pairs = [NewsPair(Ref(0), "12 people were killed in the attack.", "At least 8 people were killed in the attack."),
             NewsPair(Ref(1), "Julian Lewis Jones (born 21 August 1968) is a Welsh actor.",
                      "Julian Lewis Jones was born on 27 August 1968 in Wales.")]
    t = Thresholds(0.89, 0.35)
    raw = score_news_pairs(pairs, MaskNLI("contradict"))
    assert predicted(raw, t).tolist() == [True, True]
    assert predicted(value_check(pairs, raw, MaskNLI("contradict"), t), t).tolist() == [False, True]
    agree = score_news_pairs(pairs, MaskNLI("agree"))
    assert predicted(value_check(pairs, agree, MaskNLI("agree"), t), t).tolist() == [False, True]


def test_relative_dates_resolve_against_the_article_date():
    check = plan_value_check(0, "The minister resigned on Thursday after the vote.",
                             "The minister resigned on 27 January 2022 after the vote.",
                             dt.date(2022, 1, 28), dt.date(2022, 1, 28))
    assert check is not None and check.dates.status == "same"


def test_weekdays_without_an_article_date_are_not_explicit_dates():
    # "Thursday" vs "Wednesday" with no article date: different weekdays, but not explicit dates to decide by
    assert plan_value_check(0, "The Kremlin said on Thursday that talks could go on.",
                            "On Wednesday the Kremlin told reporters that talks could continue.") is None
    # worded the same apart from them, they differ (as the time check did before)
    assert plan_value_check(0, "The Kremlin said on Thursday that talks could go on.",
                            "The Kremlin said on Wednesday that talks could go on.").differ
