"""Pure math between the NLI model's pair probabilities and one decision per example.

Columns of every probability array follow ``LABELS`` = (entailment, neutral, contradiction).
The document task scores each hypothesis sentence against premise windows and aggregates as
SummaC-ZS / MiniCheck-style checkers do: the max over windows of P(entailment) and of
P(contradiction) per hypothesis sentence, then the weakest sentence decides the document
(the lowest entailment, the highest contradiction). A pair-task example is the special case of
one window and one sentence, so both tasks go through the same functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from factcheck.labels import CON, ENT, NEU

__all__ = [
    "ENT",
    "NEU",
    "CON",
    "ExampleScores",
    "Window",
    "aggregate",
    "binary_scores",
    "decide_binary",
    "decide_multiclass",
    "plan_windows",
    "temperature_scale",
]




@dataclass(frozen=True)
class Window:
    """Premise sentences ``[start, end)``; ``oversized`` when one sentence alone exceeds the budget."""

    start: int
    end: int
    oversized: bool = False


def plan_windows(costs: Sequence[int], budget: int, overlap: int = 1) -> list[Window]:
    """Greedy windows of consecutive sentences whose summed ``costs`` fit ``budget``.

    Consecutive windows share ``overlap`` sentences. A sentence that alone exceeds the budget
    becomes its own window, flagged ``oversized`` (never dropped, never merged). An empty premise
    gives one empty window.
    """
    n = len(costs)
    if n == 0:
        return [Window(0, 0)]
    windows: list[Window] = []
    start = 0
    while True:
        end, used = start, 0
        while end < n and used + costs[end] <= budget:
            used += costs[end]
            end += 1
        if end == start:  # this sentence alone is over budget
            windows.append(Window(start, start + 1, oversized=True))
            end = start + 1
        else:
            windows.append(Window(start, end))
        if end >= n:
            return windows
        start = max(start + 1, end - overlap)


def temperature_scale(probs: np.ndarray, temperature: float) -> np.ndarray:
    """Softmax of ``log(probs) / temperature`` (T > 1 softens, T < 1 sharpens; T = 1 is identity)."""
    probs = np.asarray(probs, dtype=float)
    if temperature == 1.0:
        return probs
    logits = np.log(np.clip(probs, 1e-12, 1.0)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    scaled = np.exp(logits)
    return scaled / scaled.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class ExampleScores:
    """Per example: aggregated entailment and contradiction, and a 3-way distribution."""

    entailment: np.ndarray
    contradiction: np.ndarray
    probs: np.ndarray  # (n, 3), rows sum to 1


def aggregate(pair_probs: np.ndarray, example: np.ndarray, sentence: np.ndarray, n_examples: int) -> ExampleScores:
    """Max over windows per (example, hypothesis sentence), then the weakest sentence per example.

    ``example[k]`` and ``sentence[k]`` say which example and which of its hypothesis sentences
    row ``k`` of ``pair_probs`` scores (one row per premise window). The 3-way distribution is
    (e, max(0, 1 - e - c), c) renormalised: for one window and one sentence it is the pair's own
    distribution.
    """
    pair_probs = np.asarray(pair_probs, dtype=float)
    example = np.asarray(example, dtype=np.int64)
    sentence = np.asarray(sentence, dtype=np.int64)
    if len(example) and (example.min() < 0 or example.max() >= n_examples):
        raise ValueError("example index out of range")
    # One id per (example, sentence) pair.
    keys, group = np.unique(np.stack([example, sentence], axis=1), axis=0, return_inverse=True)
    group = group.reshape(-1)
    sent_e = np.full(len(keys), -np.inf)
    sent_c = np.full(len(keys), -np.inf)
    np.maximum.at(sent_e, group, pair_probs[:, ENT])
    np.maximum.at(sent_c, group, pair_probs[:, CON])

    doc_e = np.full(n_examples, np.inf)
    doc_c = np.full(n_examples, -np.inf)
    np.minimum.at(doc_e, keys[:, 0], sent_e)
    np.maximum.at(doc_c, keys[:, 0], sent_c)
    missing = ~np.isfinite(doc_e)
    if missing.any():
        raise ValueError(f"{int(missing.sum())} examples have no scored pairs")

    neutral = np.clip(1.0 - doc_e - doc_c, 0.0, None)
    probs = np.stack([doc_e, neutral, doc_c], axis=1)
    probs /= probs.sum(axis=1, keepdims=True)
    return ExampleScores(entailment=doc_e, contradiction=doc_c, probs=probs)


def binary_scores(scores: ExampleScores, kind: str) -> np.ndarray:
    """Positive-class score: ``contradiction`` = P(contradiction), ``not_entailment`` = 1 - P(entailment)."""
    if kind == "contradiction":
        return scores.contradiction.copy()
    if kind == "not_entailment":
        return 1.0 - scores.entailment
    raise ValueError(f"unknown binary score {kind!r}")


def decide_binary(scores: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """1 (positive class) where ``scores >= threshold``, else 0."""
    return (np.asarray(scores) >= threshold).astype(np.int64)


def decide_multiclass(
    probs: np.ndarray, contradiction: float | None = None, entailment: float | None = None
) -> np.ndarray:
    """Class index per row (LABELS order).

    Without thresholds: the argmax. With them (the rule of ``factcheck.verdict.decide``):
    contradiction iff P(c) >= ``contradiction`` and P(c) >= P(e); else entailment iff
    P(e) >= ``entailment``; else neutral. A threshold left None counts as 0.5.
    """
    probs = np.asarray(probs, dtype=float)
    if contradiction is None and entailment is None:
        return probs.argmax(axis=1)
    t_c = 0.5 if contradiction is None else contradiction
    t_e = 0.5 if entailment is None else entailment
    p_e, p_c = probs[:, ENT], probs[:, CON]
    is_con = (p_c >= t_c) & (p_c >= p_e)
    is_ent = ~is_con & (p_e >= t_e)
    return np.where(is_con, CON, np.where(is_ent, ENT, NEU))
