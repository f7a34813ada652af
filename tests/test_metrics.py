"""factcheck.evaluation.metrics: hand-computed values, sklearn parity where installed, seeded bootstrap."""

from __future__ import annotations

import math

import numpy as np
import pytest

from factcheck.evaluation.metrics import (
    accuracy,
    average_precision,
    balanced_accuracy,
    bootstrap_ci,
    classification_metrics,
    confusion_matrix,
    expected_calibration_error,
    macro_f1,
    per_class_prf,
    reliability_bins,
    roc_auc,
    roc_curve,
)

# 3 classes, 8 examples.
GOLD = np.array([0, 0, 0, 1, 1, 2, 2, 2])
PRED = np.array([0, 0, 1, 1, 2, 2, 2, 0])


def test_confusion_matrix_by_hand() -> None:
    cm = confusion_matrix(GOLD, PRED, 3)
    assert cm.tolist() == [[2, 1, 0], [0, 1, 1], [1, 0, 2]]


def test_accuracy_prf_macro_f1_by_hand() -> None:
    cm = confusion_matrix(GOLD, PRED, 3)
    assert accuracy(cm) == pytest.approx(5 / 8)
    prf = per_class_prf(cm)
    # class 0: tp 2, predicted 3, gold 3; class 1: tp 1, predicted 2, gold 2; class 2: tp 2, predicted 3, gold 3
    assert prf["precision"] == pytest.approx([2 / 3, 1 / 2, 2 / 3])
    assert prf["recall"] == pytest.approx([2 / 3, 1 / 2, 2 / 3])
    assert prf["f1"] == pytest.approx([2 / 3, 1 / 2, 2 / 3])
    assert prf["support"].tolist() == [3, 2, 3]
    assert macro_f1(cm) == pytest.approx((2 / 3 + 1 / 2 + 2 / 3) / 3)
    assert balanced_accuracy(cm) == pytest.approx((2 / 3 + 1 / 2 + 2 / 3) / 3)


def test_class_never_predicted_has_f1_zero_and_absent_class_is_ignored() -> None:
    gold = np.array([0, 0, 1, 1])
    pred = np.array([0, 0, 0, 0])
    cm = confusion_matrix(gold, pred, 3)  # class 2 neither gold nor predicted
    prf = per_class_prf(cm)
    assert math.isnan(prf["precision"][1]) and prf["recall"][1] == 0 and prf["f1"][1] == 0
    assert math.isnan(prf["f1"][2])
    # class 0: precision 0.5, recall 1 -> F1 2/3; class 1: 0; class 2 absent.
    assert macro_f1(cm) == pytest.approx((2 / 3 + 0) / 2)
    assert balanced_accuracy(cm) == pytest.approx(0.5)


def test_roc_auc_by_hand_with_ties() -> None:
    y = np.array([0, 0, 1, 1])
    s = np.array([0.1, 0.4, 0.35, 0.8])
    assert roc_auc(y, s) == pytest.approx(0.75)  # 3 of the 4 (pos, neg) pairs ranked right
    tied = np.array([0.5, 0.5, 0.5, 0.9])
    # pos 0.5 vs negs 0.5, 0.5 -> 2 half-wins; pos 0.9 wins both -> (1 + 2) / 4
    assert roc_auc(y, tied) == pytest.approx(0.75)
    assert math.isnan(roc_auc(np.array([1, 1]), np.array([0.2, 0.3])))


def test_average_precision_by_hand() -> None:
    y = np.array([0, 0, 1, 1])
    s = np.array([0.1, 0.4, 0.35, 0.8])
    # ranked: 0.8 (pos) P=1 R=.5; 0.4 (neg); 0.35 (pos) P=2/3 R=1
    assert average_precision(y, s) == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)
    assert math.isnan(average_precision(np.array([0, 0]), np.array([0.1, 0.2])))


def test_roc_curve_endpoints() -> None:
    fpr, tpr, thr = roc_curve(np.array([0, 1, 1, 0]), np.array([0.2, 0.9, 0.6, 0.7]))
    assert (fpr[0], tpr[0]) == (0.0, 0.0) and (fpr[-1], tpr[-1]) == (1.0, 1.0)
    assert np.all(np.diff(fpr) >= 0) and np.all(np.diff(tpr) >= 0)
    assert thr[0] == np.inf


def test_expected_calibration_error_by_hand() -> None:
    # Two examples at confidence 0.9 (one right), two at 0.6 (both right), 2 bins.
    probs = np.array([[0.9, 0.1], [0.9, 0.1], [0.4, 0.6], [0.6, 0.4]])
    gold = np.array([0, 1, 1, 0])
    # bin (0.5, 1.0] holds all four: mean conf 0.75, accuracy 0.75 -> ECE 0 with 2 bins
    assert expected_calibration_error(probs, gold, n_bins=2) == pytest.approx(0.0)
    # 10 bins: bin 0.9 -> |0.5 - 0.9| * 2/4; bin 0.6 -> |1.0 - 0.6| * 2/4
    assert expected_calibration_error(probs, gold, n_bins=10) == pytest.approx(0.2 + 0.2)


def test_reliability_bins_count_everything() -> None:
    conf = np.array([0.0, 0.05, 0.5, 0.95, 1.0])
    bins = reliability_bins(conf, np.ones(5, bool), n_bins=10)
    assert bins["count"].sum() == 5 and bins["count"][0] == 2 and bins["count"][-1] == 2


def test_classification_metrics_adds_auc_for_binary_only() -> None:
    gold = np.array([0, 1, 1, 0, 1])
    scores = np.array([0.2, 0.7, 0.4, 0.6, 0.9])
    pred = (scores >= 0.5).astype(int)
    probs = np.stack([1 - scores, scores], axis=1)
    out = classification_metrics(gold, pred, probs, 2, positive=1, scores=scores)
    assert set(out) == {"accuracy", "macro_f1", "balanced_accuracy", "ece", "roc_auc", "pr_auc"}
    assert out["roc_auc"] == pytest.approx(roc_auc(gold == 1, scores))
    assert "roc_auc" not in classification_metrics(gold, pred, probs, 2)


def test_matches_sklearn_on_random_data() -> None:
    sk = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(3)
    for _ in range(5):
        gold = rng.integers(0, 3, 300)
        pred = np.where(rng.random(300) < 0.6, gold, rng.integers(0, 3, 300))
        cm = confusion_matrix(gold, pred, 3)
        assert accuracy(cm) == pytest.approx(sk.accuracy_score(gold, pred))
        assert macro_f1(cm) == pytest.approx(sk.f1_score(gold, pred, average="macro"))
        assert balanced_accuracy(cm) == pytest.approx(sk.balanced_accuracy_score(gold, pred))
        y = rng.integers(0, 2, 300)
        s = np.round(rng.random(300) * 0.6 + y * 0.3, 2)  # rounded: plenty of ties
        assert roc_auc(y, s) == pytest.approx(sk.roc_auc_score(y, s))
        assert average_precision(y, s) == pytest.approx(sk.average_precision_score(y, s))


def test_bootstrap_is_seeded_and_brackets_the_estimate() -> None:
    rng = np.random.default_rng(0)
    gold = rng.integers(0, 2, 400)
    pred = np.where(rng.random(400) < 0.8, gold, 1 - gold)

    def stat(idx):
        return {"accuracy": accuracy(confusion_matrix(gold[idx], pred[idx], 2))}

    a = bootstrap_ci(stat, 400, n_resamples=300, seed=7)
    b = bootstrap_ci(stat, 400, n_resamples=300, seed=7)
    c = bootstrap_ci(stat, 400, n_resamples=300, seed=8)
    assert a == b and a != c
    lo, hi = a["accuracy"]
    point = accuracy(confusion_matrix(gold, pred, 2))
    assert lo < point < hi and hi - lo < 0.15


def test_bootstrap_skips_undefined_resamples() -> None:
    y = np.array([1] + [0] * 9)
    s = np.linspace(0, 1, 10)
    ci = bootstrap_ci(lambda idx: {"auc": roc_auc(y[idx], s[idx])}, 10, n_resamples=200, seed=0)
    assert all(np.isfinite(ci["auc"]))
    assert bootstrap_ci(lambda idx: {}, 0) == {}
