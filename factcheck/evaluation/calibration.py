"""Temperature and decision thresholds, fitted on a dev split and saved with provenance.

The fitting math works on `Scored` model output and gold labels only (no model), so it is tested
with plain arrays. A thresholds file applies to one task shape: a binary set with a named score
(threshold on that score) or the 3-way set (threshold on P(contradiction)).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path

import numpy as np

from factcheck import __version__
from factcheck.errors import InputError
from factcheck.evaluation.aggregate import (
    aggregate,
    binary_scores,
    decide_binary,
    decide_multiclass,
    temperature_scale,
)
from factcheck.evaluation.data import DataRef, EvalSet, read_json
from factcheck.labels import LABELS
from factcheck.evaluation.tasks import Scored
from factcheck.evaluation.metrics import balanced_accuracy, confusion_matrix, macro_f1
from factcheck.verdict import two_way_scores

__all__ = [
    "SCHEMA",
    "Decisions",
    "Objective",
    "Calibration",
    "decisions",
    "fit_temperature",
    "fit_contradiction_threshold",
    "fit_threshold",
    "fit_thresholds",
    "gold_indices",
    "load_thresholds",
    "save_thresholds",
]

SCHEMA = "factcheck.thresholds/1"


class Objective(str, Enum):
    """What a fitted threshold maximises on the dev split."""

    macro_f1 = "macro_f1"
    balanced_accuracy = "balanced_accuracy"


_OBJECTIVES: dict[Objective, Callable[[np.ndarray], float]] = {
    Objective.macro_f1: macro_f1,
    Objective.balanced_accuracy: balanced_accuracy,
}


@dataclass(frozen=True)
class Calibration:
    """A fitted temperature and decision thresholds, and what they were fitted on.

    Binary sets use ``threshold`` on the positive-class score. 3-way sets use ``contradiction``
    and ``entailment`` with the rule of ``factcheck.verdict.decide``; no thresholds means argmax.
    ``verdict`` holds thresholds for `factcheck check` (fitted on untempered probabilities, as
    the pipeline uses them), written only by a 3-way pairs fit.
    """

    temperature: float = 1.0
    threshold: float | None = None
    contradiction: float | None = None
    entailment: float | None = None
    classes: tuple[str, ...] = LABELS
    score: str | None = None  # BinaryScore value for binary sets
    task: str = "pairs"
    objective: str = Objective.macro_f1.value
    verdict: dict | None = None
    provenance: dict = field(default_factory=dict)

    @property
    def rule(self) -> str:
        if len(self.classes) == 2:
            t = 0.5 if self.threshold is None else self.threshold
            return f"{self.classes[1]} iff {self.score} score >= {t:.4g}"
        if self.contradiction is None and self.entailment is None:
            return "argmax"
        t_c = 0.5 if self.contradiction is None else self.contradiction
        t_e = 0.5 if self.entailment is None else self.entailment
        return (
            f"contradiction iff P(c) >= {t_c:.4g} and P(c) >= P(e); else entailment iff P(e) >= {t_e:.4g};"
            " else neutral"
        )

    def to_dict(self) -> dict:
        data = {
            "schema": SCHEMA,
            "temperature": self.temperature,
            "threshold": self.threshold,
            "contradiction": self.contradiction,
            "entailment": self.entailment,
            "rule": self.rule,
            "classes": list(self.classes),
            "score": self.score,
            "task": self.task,
            "objective": self.objective,
            "provenance": self.provenance,
        }
        if self.verdict is not None:
            data["verdict"] = self.verdict
        return data

    @classmethod
    def from_dict(cls, data: dict, where: str = "thresholds") -> Calibration:
        if data.get("schema") != SCHEMA:
            raise InputError(f"{where}: not a factcheck thresholds file (schema {data.get('schema')!r}, expected {SCHEMA})")

        def number(key: str) -> float | None:
            return None if data.get(key) is None else float(data[key])

        try:
            thresholds = cls(
                temperature=float(data["temperature"]),
                threshold=number("threshold"),
                contradiction=number("contradiction"),
                entailment=number("entailment"),
                classes=tuple(data["classes"]),
                score=data.get("score"),
                task=str(data["task"]),
                objective=str(data.get("objective", Objective.macro_f1.value)),
                verdict=data.get("verdict"),
                provenance=dict(data.get("provenance") or {}),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{where}: malformed thresholds file ({exc})") from exc
        if not thresholds.temperature > 0:
            raise InputError(f"{where}: temperature must be positive, not {thresholds.temperature}")
        return thresholds

    @property
    def data_ref(self) -> DataRef | None:
        data = self.provenance.get("data")
        return DataRef.from_dict(data) if data else None

    def check_applies(self, evalset: EvalSet, model_name: str | None = None) -> None:
        """InputError when these thresholds were fitted for another task shape or model."""
        score = evalset.score.value if evalset.score else None
        if tuple(self.classes) != tuple(evalset.classes) or self.score != score or self.task != evalset.task.value:
            raise InputError(
                f"thresholds were fitted for task {self.task} with classes {'/'.join(self.classes)}"
                f" (score {self.score}); this run is task {evalset.task.value} with classes"
                f" {'/'.join(evalset.classes)} (score {score}); fit them with `factcheck calibrate` on a matching dev set"
            )
        fitted_for = (self.provenance.get("model") or {}).get("name")
        if model_name and fitted_for and fitted_for != model_name:
            raise InputError(f"thresholds were fitted for model {fitted_for!r}, not {model_name!r}; fit them for this model")


@dataclass(frozen=True)
class Decisions:
    """Per example: gold and predicted class indices, class probabilities, positive-class score."""

    gold: np.ndarray
    pred: np.ndarray
    probs: np.ndarray  # (n, len(classes))
    scores: np.ndarray | None  # binary sets only
    entailment: np.ndarray
    contradiction: np.ndarray


def gold_indices(evalset: EvalSet) -> np.ndarray:
    index = {c: i for i, c in enumerate(evalset.classes)}
    return np.asarray([index[ex.label] for ex in evalset.examples], dtype=np.int64)


def decisions(scored: Scored, evalset: EvalSet, thresholds: Calibration | None = None) -> Decisions:
    """Apply temperature, aggregation and the decision rule: the numbers every metric reads."""
    t = thresholds or Calibration(classes=evalset.classes, score=evalset.score.value if evalset.score else None)
    agg = aggregate(temperature_scale(scored.pair_probs, t.temperature), scored.example, scored.sentence, scored.n_examples)
    gold = gold_indices(evalset)
    if evalset.binary:
        s = binary_scores(agg, evalset.score.value)
        pred = decide_binary(s, 0.5 if t.threshold is None else t.threshold)
        probs = np.stack([1.0 - s, s], axis=1)
        return Decisions(gold, pred, probs, s, agg.entailment, agg.contradiction)
    pred = decide_multiclass(agg.probs, t.contradiction, t.entailment)
    return Decisions(gold, pred, agg.probs, None, agg.entailment, agg.contradiction)


def _nll(probs: np.ndarray, gold: np.ndarray) -> float:
    return float(-np.mean(np.log(np.clip(probs[np.arange(len(gold)), gold], 1e-12, 1.0))))


def fit_temperature(nll: Callable[[float], float], lo: float = 0.05, hi: float = 20.0) -> float:
    """Temperature minimising ``nll(T)``: a log-spaced grid, then golden-section refinement."""
    grid = np.exp(np.linspace(np.log(lo), np.log(hi), 41))
    values = [nll(float(t)) for t in grid]
    best = int(np.argmin(values))
    a = np.log(grid[max(best - 1, 0)])
    b = np.log(grid[min(best + 1, len(grid) - 1)])
    ratio = (np.sqrt(5.0) - 1.0) / 2.0
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = nll(float(np.exp(c))), nll(float(np.exp(d)))
    for _ in range(30):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = nll(float(np.exp(c)))
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = nll(float(np.exp(d)))
    candidates = [(values[best], float(grid[best])), (fc, float(np.exp(c))), (fd, float(np.exp(d)))]
    return min(candidates)[1]


def fit_threshold(
    decide: Callable[..., np.ndarray],
    gold: np.ndarray,
    candidates: Sequence[tuple[float, ...]],
    n_classes: int,
    objective: Objective = Objective.macro_f1,
) -> tuple[tuple[float, ...], float]:
    """The candidate (a tuple of thresholds) that maximises ``objective``; ties go nearest 0.5."""
    metric = _OBJECTIVES[Objective(objective)]
    best_value, best = -np.inf, tuple(0.5 for _ in candidates[0])
    for cand in sorted(candidates, key=lambda c: sum(abs(x - 0.5) for x in c)):
        value = metric(confusion_matrix(gold, decide(*cand), n_classes))
        if value > best_value + 1e-12:
            best_value, best = value, tuple(float(x) for x in cand)
    return best, float(best_value)


def fit_contradiction_threshold(scores: np.ndarray, is_contradiction: np.ndarray, beta: float = 1.0,
                                grid: np.ndarray | None = None) -> tuple[float, float]:
    """Threshold on the two-way contradiction score maximising F-beta on labelled dev pairs.

    Returns (threshold, f_beta at that threshold). Fit on a dev split only, never on what you report.
    """
    scores = np.asarray(scores, dtype=float)
    gold = np.asarray(is_contradiction, dtype=bool)
    if scores.shape != gold.shape or len(scores) == 0:
        raise ValueError("scores and labels must be non-empty and of the same length")
    grid = np.linspace(0.05, 0.95, 91) if grid is None else grid
    best_t, best_f = 0.5, -1.0
    for t in grid:
        pred = scores >= t
        tp = float(np.sum(pred & gold))
        fp = float(np.sum(pred & ~gold))
        fn = float(np.sum(~pred & gold))
        denom = (1 + beta**2) * tp + beta**2 * fn + fp
        f = (1 + beta**2) * tp / denom if denom else 0.0
        if f > best_f:
            best_t, best_f = float(t), f
    return best_t, best_f


def _midpoints(values: np.ndarray) -> np.ndarray:
    """Midpoints between distinct values, plus 0.5 and the ends: every distinct decision once."""
    v = np.unique(np.clip(values, 0.0, 1.0))
    mids = (v[:-1] + v[1:]) / 2.0 if len(v) > 1 else v
    return np.unique(np.r_[mids, 0.5, max(v[0] - 1e-6, 0.0), min(v[-1] + 1e-6, 1.0)])


# Grid for the two 3-way thresholds (contradiction x entailment).
_GRID = np.round(np.arange(0.05, 0.951, 0.025), 3)


def _fit_multiclass(probs: np.ndarray, gold: np.ndarray, objective: Objective) -> tuple[tuple[float, ...], float]:
    candidates = [(c, e) for c in _GRID for e in _GRID]
    return fit_threshold(lambda c, e: decide_multiclass(probs, c, e), gold, candidates, 3, objective)


def _fit_verdict(forward: np.ndarray, backward: np.ndarray | None, gold: np.ndarray, objective: Objective,
                 evalset: EvalSet) -> dict:
    """Thresholds for `factcheck check`'s verdict, from untempered probabilities."""
    if backward is None or len(backward) != len(forward):
        (v_c, v_e), value = _fit_multiclass(forward, gold, objective)
        how = "one-direction pair probabilities"
    else:
        contradiction, agreement = two_way_scores(forward, backward)
        # The verdict rule over the two-way scores: a 3-column score matrix decide_multiclass reads.
        neutral = np.clip(1.0 - np.maximum(contradiction, agreement), 0.0, 1.0)
        two_way = np.stack([agreement, neutral, contradiction], axis=1)
        (v_c, v_e), value = _fit_multiclass(two_way, gold, objective)
        how = "two-way scores (mean contradiction, max entailment of both directions), as check uses"
    return {"contradiction": v_c, "agreement": v_e, "fitted_on": evalset.name,
            "note": f"for factcheck check: fitted on untempered {how} ({objective.value} {value:.4f})"}


def fit_thresholds(
    scored: Scored,
    evalset: EvalSet,
    objective: Objective = Objective.macro_f1,
    provenance: dict | None = None,
    backward: np.ndarray | None = None,
) -> Calibration:
    """Fit the temperature (NLL), then the decision thresholds (``objective``) on a dev split.

    ``backward``: (n, 3) probabilities of every pair scored hypothesis -> premise. With it, the
    ``verdict`` block for `factcheck check` is fitted on the two-way scores check uses
    (``factcheck.verdict.two_way_scores``); without it, on one-direction probabilities.
    """
    objective = Objective(objective)
    gold = gold_indices(evalset)
    shape = dict(classes=evalset.classes, score=evalset.score.value if evalset.score else None, task=evalset.task.value)

    def nll(temperature: float) -> float:
        return _nll(decisions(scored, evalset, Calibration(temperature=temperature, **shape)).probs, gold)

    temperature = fit_temperature(nll)
    raw = decisions(scored, evalset, Calibration(**shape))
    scaled = decisions(scored, evalset, Calibration(temperature=temperature, **shape))
    metric = _OBJECTIVES[objective]
    fitted: dict = {}
    verdict = None
    if evalset.binary:
        (threshold,), value = fit_threshold(
            lambda t: decide_binary(scaled.scores, t), gold, [(t,) for t in _midpoints(scaled.scores)], 2, objective
        )
        fitted["threshold"] = threshold
    else:
        (t_c, t_e), value = _fit_multiclass(scaled.probs, gold, objective)
        fitted.update(contradiction=t_c, entailment=t_e)
        if evalset.task.value == "pairs":
            verdict = _fit_verdict(raw.probs, backward, gold, objective, evalset)
    result = Calibration(temperature=temperature, objective=objective.value, verdict=verdict, **fitted, **shape)
    prov = {
        "data": evalset.ref.to_dict(),
        "dataset": evalset.name,
        "n": len(evalset.examples),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "factcheck_version": __version__,
        "fit": {
            "nll_before": _nll(raw.probs, gold),
            "nll_after": _nll(scaled.probs, gold),
            f"{objective.value}_before": metric(confusion_matrix(gold, raw.pred, len(evalset.classes))),
            f"{objective.value}_after": value,
        },
        **(provenance or {}),
    }
    return replace(result, provenance=prov)


def save_thresholds(thresholds: Calibration, path: Path) -> Path:
    """Write the thresholds JSON (creating the folder)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(thresholds.to_dict(), indent=2) + "\n", encoding="utf-8")
    return path


def load_thresholds(path: Path) -> Calibration:
    """Read a thresholds JSON written by `save_thresholds`; InputError if missing or malformed."""
    path = Path(path)
    data = read_json(path, "no such thresholds file; create one with `factcheck calibrate`")
    if not isinstance(data, dict):
        raise InputError(f"{path}: not a factcheck thresholds file")
    return Calibration.from_dict(data, where=str(path))
