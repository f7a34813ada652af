"""Classification and calibration metrics in pure numpy (no model, no sklearn).

Conventions: ``gold`` and ``pred`` are integer class indices in ``[0, n_classes)``; ``scores`` are
probabilities of the positive class (binary) and ``probs`` are ``(n, n_classes)`` rows that sum to 1.
Undefined values (a class with no examples, an AUC with one class present) are ``nan``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

__all__ = [
    "accuracy",
    "average_precision",
    "balanced_accuracy",
    "bootstrap_ci",
    "classification_metrics",
    "confusion_matrix",
    "expected_calibration_error",
    "macro_f1",
    "per_class_prf",
    "precision_recall_curve",
    "reliability_bins",
    "roc_auc",
    "roc_curve",
]


def confusion_matrix(gold: np.ndarray, pred: np.ndarray, n_classes: int) -> np.ndarray:
    """``cm[i, j]`` = number of examples with gold class ``i`` predicted as ``j``."""
    gold = np.asarray(gold, dtype=np.int64)
    pred = np.asarray(pred, dtype=np.int64)
    return np.bincount(gold * n_classes + pred, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def _safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def accuracy(cm: np.ndarray) -> float:
    """Fraction of examples on the diagonal."""
    total = cm.sum()
    return float(np.trace(cm) / total) if total else float("nan")


def per_class_prf(cm: np.ndarray) -> dict[str, np.ndarray]:
    """Per-class precision, recall, F1 and support (gold count) from a confusion matrix.

    Precision is nan for a class never predicted, recall for a class never gold; F1 is 0 when
    precision and recall are both 0 and nan when either is undefined.
    """
    tp = np.diag(cm).astype(float)
    support = cm.sum(axis=1)
    predicted = cm.sum(axis=0)
    precision = _safe_div(tp, predicted)
    recall = _safe_div(tp, support)
    f1 = _safe_div(2 * precision * recall, precision + recall)
    f1[(precision == 0) & (recall == 0)] = 0.0
    # A class that is gold but never predicted has F1 0 (precision undefined, recall 0).
    f1[(predicted == 0) & (support > 0)] = 0.0
    # Predicted but never gold: F1 0 (recall undefined, precision 0).
    f1[(support == 0) & (predicted > 0)] = 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "support": support}


def macro_f1(cm: np.ndarray) -> float:
    """Unweighted mean F1 over classes that occur as gold or prediction."""
    f1 = per_class_prf(cm)["f1"]
    present = (cm.sum(axis=0) + cm.sum(axis=1)) > 0
    return float(np.mean(f1[present])) if present.any() else float("nan")


def balanced_accuracy(cm: np.ndarray) -> float:
    """Mean recall over the classes that occur in the gold labels."""
    recall = per_class_prf(cm)["recall"]
    present = cm.sum(axis=1) > 0
    return float(np.mean(recall[present])) if present.any() else float("nan")


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks, ties sharing their mean rank."""
    order = np.argsort(values, kind="mergesort")
    sorted_vals = values[order]
    boundaries = np.flatnonzero(np.diff(sorted_vals)) + 1
    starts = np.concatenate(([0], boundaries))
    ends = np.concatenate((boundaries, [len(values)]))
    mean_rank = (starts + ends + 1) / 2.0  # mean of ranks start+1 .. end
    ranks = np.empty(len(values))
    ranks[order] = np.repeat(mean_rank, ends - starts)
    return ranks


def roc_auc(y_true: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney U with tied scores counted half); nan if one class."""
    y = np.asarray(y_true).astype(bool)
    s = np.asarray(scores, dtype=float)
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = _average_ranks(s)
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def _threshold_counts(y_true: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cumulative true/false positives at each distinct score, highest threshold first."""
    y = np.asarray(y_true).astype(bool)
    s = np.asarray(scores, dtype=float)
    order = np.argsort(-s, kind="mergesort")
    s, y = s[order], y[order]
    last_of_tie = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]
    tps = np.cumsum(y)[last_of_tie]
    fps = (last_of_tie + 1) - tps
    return tps, fps, s[last_of_tie]


def roc_curve(y_true: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """False-positive rates, true-positive rates and thresholds, starting at (0, 0)."""
    tps, fps, thresholds = _threshold_counts(y_true, scores)
    tpr = _safe_div(np.r_[0, tps], tps[-1] if len(tps) else 0)
    fpr = _safe_div(np.r_[0, fps], fps[-1] if len(fps) else 0)
    return fpr, tpr, np.r_[np.inf, thresholds]


def precision_recall_curve(y_true: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision and recall at each distinct score threshold (highest threshold first)."""
    tps, fps, thresholds = _threshold_counts(y_true, scores)
    precision = tps / (tps + fps)
    recall = _safe_div(tps, tps[-1] if len(tps) else 0)
    return precision, recall, thresholds


def average_precision(y_true: np.ndarray, scores: np.ndarray) -> float:
    """PR-AUC as average precision: sum over thresholds of (R_k - R_{k-1}) * P_k; nan without positives."""
    y = np.asarray(y_true).astype(bool)
    if not y.any():
        return float("nan")
    precision, recall, _ = precision_recall_curve(y, scores)
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def reliability_bins(confidence: np.ndarray, correct: np.ndarray, n_bins: int = 15) -> dict[str, np.ndarray]:
    """Equal-width confidence bins: per bin count, mean confidence and accuracy (nan when empty)."""
    conf = np.asarray(confidence, dtype=float)
    hit = np.asarray(correct, dtype=float)
    # Bins are (lo, hi]; a confidence of exactly 0 falls in the first bin.
    idx = np.clip(np.ceil(conf * n_bins).astype(np.int64) - 1, 0, n_bins - 1)
    count = np.bincount(idx, minlength=n_bins)
    mean_conf = _safe_div(np.bincount(idx, weights=conf, minlength=n_bins), count)
    acc = _safe_div(np.bincount(idx, weights=hit, minlength=n_bins), count)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    return {"edges": edges, "count": count, "confidence": mean_conf, "accuracy": acc}


def expected_calibration_error(probs: np.ndarray, gold: np.ndarray, n_bins: int = 15) -> float:
    """Top-label ECE: sum over bins of |accuracy - confidence| weighted by the bin's share."""
    probs = np.asarray(probs, dtype=float)
    gold = np.asarray(gold, dtype=np.int64)
    if len(gold) == 0:
        return float("nan")
    bins = reliability_bins(probs.max(axis=1), probs.argmax(axis=1) == gold, n_bins)
    filled = bins["count"] > 0
    gap = np.abs(bins["accuracy"][filled] - bins["confidence"][filled])
    return float(np.sum(gap * bins["count"][filled]) / len(gold))


def classification_metrics(
    gold: np.ndarray,
    pred: np.ndarray,
    probs: np.ndarray,
    n_classes: int,
    positive: int | None = None,
    scores: np.ndarray | None = None,
) -> dict[str, float]:
    """Headline scalar metrics. With ``positive`` and ``scores`` (binary task) adds ROC-AUC and PR-AUC."""
    cm = confusion_matrix(gold, pred, n_classes)
    out = {
        "accuracy": accuracy(cm),
        "macro_f1": macro_f1(cm),
        "balanced_accuracy": balanced_accuracy(cm),
        "ece": expected_calibration_error(probs, gold),
    }
    if positive is not None and scores is not None:
        y = np.asarray(gold) == positive
        out["roc_auc"] = roc_auc(y, scores)
        out["pr_auc"] = average_precision(y, scores)
    return out


def bootstrap_ci(
    statistic: Callable[[np.ndarray], Mapping[str, float]],
    n: int,
    *,
    n_resamples: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    keys: Sequence[str] | None = None,
) -> dict[str, tuple[float, float]]:
    """Percentile bootstrap intervals for every value ``statistic(indices)`` returns.

    ``statistic`` receives an index array (a resample of ``range(n)``) and returns named scalars.
    Resamples where a value is undefined (nan) are left out of that value's interval.
    """
    if n == 0 or n_resamples <= 0:
        return {}
    rng = np.random.default_rng(seed)
    samples: dict[str, list[float]] = {}
    for _ in range(n_resamples):
        values = statistic(rng.integers(0, n, size=n))
        for key, value in values.items():
            if keys is None or key in keys:
                samples.setdefault(key, []).append(value)
    tail = (1.0 - level) / 2.0 * 100.0
    out: dict[str, tuple[float, float]] = {}
    for key, vals in samples.items():
        arr = np.asarray(vals, dtype=float)
        arr = arr[~np.isnan(arr)]
        if len(arr) == 0:
            out[key] = (float("nan"), float("nan"))
        else:
            lo, hi = np.percentile(arr, [tail, 100.0 - tail])
            out[key] = (float(lo), float(hi))
    return out
