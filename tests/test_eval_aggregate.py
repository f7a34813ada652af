"""Pure aggregation math of the evaluation tasks: windows, max/min aggregation, decisions."""

from __future__ import annotations

import numpy as np
import pytest

from factcheck.evaluation.aggregate import (
    CON,
    ENT,
    NEU,
    Window,
    aggregate,
    binary_scores,
    decide_binary,
    decide_multiclass,
    plan_windows,
    temperature_scale,
)
from factcheck.labels import LABELS


def test_column_constants_follow_labels() -> None:
    assert (LABELS[ENT], LABELS[NEU], LABELS[CON]) == ("entailment", "neutral", "contradiction")


def test_everything_fits_in_one_window() -> None:
    assert plan_windows([3, 4, 2], budget=20) == [Window(0, 3)]


def test_windows_overlap_by_one_sentence_and_cover_all() -> None:
    windows = plan_windows([4, 4, 4, 4, 4], budget=8)
    assert windows == [Window(0, 2), Window(1, 3), Window(2, 4), Window(3, 5)]
    windows = plan_windows([2, 2, 2, 2, 2, 2, 2], budget=6)
    assert windows == [Window(0, 3), Window(2, 5), Window(4, 7)]
    assert plan_windows([2, 2, 2, 2], budget=4, overlap=0) == [Window(0, 2), Window(2, 4)]


def test_oversized_sentence_is_its_own_flagged_window() -> None:
    windows = plan_windows([3, 50, 3, 3], budget=10)
    assert windows == [Window(0, 1), Window(1, 2, oversized=True), Window(2, 4)]
    covered = sorted({i for w in windows for i in range(w.start, w.end)})
    assert covered == [0, 1, 2, 3]


def test_empty_premise_gives_one_empty_window() -> None:
    assert plan_windows([], budget=10) == [Window(0, 0)]


def _p(e: float, c: float) -> list[float]:
    return [e, 1 - e - c, c]


def test_max_over_windows_then_weakest_sentence() -> None:
    # example 0: sentence 0 in two windows, sentence 1 in two windows; example 1: one pair
    probs = np.array([_p(0.9, 0.0), _p(0.2, 0.1), _p(0.3, 0.6), _p(0.1, 0.2), _p(0.1, 0.8)])
    example = np.array([0, 0, 0, 0, 1])
    sentence = np.array([0, 0, 1, 1, 0])
    out = aggregate(probs, example, sentence, 2)
    # sentence 0: e = 0.9, c = 0.1; sentence 1: e = 0.3, c = 0.6 -> doc e = min = 0.3, c = max = 0.6
    assert out.entailment == pytest.approx([0.3, 0.1])
    assert out.contradiction == pytest.approx([0.6, 0.8])
    assert out.probs[0] == pytest.approx([0.3, 0.1, 0.6])
    assert np.allclose(out.probs.sum(axis=1), 1.0)


def test_one_window_one_sentence_is_the_pair_itself() -> None:
    probs = np.array([_p(0.7, 0.1), _p(0.2, 0.5)])
    out = aggregate(probs, np.array([0, 1]), np.array([0, 0]), 2)
    assert out.probs == pytest.approx(probs)


def test_entailment_and_contradiction_from_different_windows_renormalise() -> None:
    probs = np.array([_p(0.8, 0.1), _p(0.1, 0.7)])
    out = aggregate(probs, np.array([0, 0]), np.array([0, 0]), 1)
    assert out.entailment == pytest.approx([0.8]) and out.contradiction == pytest.approx([0.7])
    assert out.probs[0] == pytest.approx([0.8 / 1.5, 0.0, 0.7 / 1.5])


def test_examples_without_pairs_are_an_error() -> None:
    with pytest.raises(ValueError):
        aggregate(np.array([_p(0.5, 0.2)]), np.array([0]), np.array([0]), 2)


def test_binary_scores_say_which_probability() -> None:
    out = aggregate(np.array([_p(0.7, 0.2)]), np.array([0]), np.array([0]), 1)
    assert binary_scores(out, "contradiction") == pytest.approx([0.2])
    assert binary_scores(out, "not_entailment") == pytest.approx([0.3])
    with pytest.raises(ValueError):
        binary_scores(out, "neutral")


def test_decisions() -> None:
    assert decide_binary(np.array([0.2, 0.5, 0.9]), 0.5).tolist() == [0, 1, 1]
    assert decide_binary(np.array([0.2, 0.5, 0.9]), 0.6).tolist() == [0, 0, 1]
    probs = np.array([_p(0.45, 0.45), _p(0.2, 0.35), _p(0.6, 0.3), _p(0.1, 0.2)])
    assert decide_multiclass(probs).tolist() == [ENT, NEU, ENT, NEU]
    # verdict rule: contradiction iff P(c) >= t_c and P(c) >= P(e); else entailment iff P(e) >= t_e
    assert decide_multiclass(probs, contradiction=0.3, entailment=0.5).tolist() == [CON, CON, ENT, NEU]
    assert decide_multiclass(probs, contradiction=0.9, entailment=0.4).tolist() == [ENT, NEU, ENT, NEU]


def test_temperature_scale() -> None:
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    assert temperature_scale(probs, 1.0) is probs
    soft = temperature_scale(probs, 2.0)
    sharp = temperature_scale(probs, 0.5)
    assert np.allclose(soft.sum(axis=1), 1) and np.allclose(sharp.sum(axis=1), 1)
    assert (soft.argmax(axis=1) == probs.argmax(axis=1)).all()
    assert (soft.max(axis=1) < probs.max(axis=1)).all() and (sharp.max(axis=1) > probs.max(axis=1)).all()
    expected = np.sqrt(probs[0]) / np.sqrt(probs[0]).sum()
    assert soft[0] == pytest.approx(expected)
