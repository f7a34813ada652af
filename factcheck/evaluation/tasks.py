"""Score an EvalSet with an NLI model: the `pairs` and `document` tasks.

Both tasks produce one row of pair probabilities per NLI input plus the (example, hypothesis
sentence) each row belongs to; `aggregate.aggregate` turns them into one score per example.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from factcheck.evaluation.aggregate import Window, plan_windows
from factcheck.evaluation.data import EvalSet, Task
from factcheck.sentences import Span, split_sentences

__all__ = ["NLIScorer", "Scored", "document_inputs", "score"]

# How many times a planned window that measures over max_length is re-planned with a smaller budget.
_REPLANS = 4


class NLIScorer(Protocol):
    """What evaluation needs from an NLI model (factcheck.nli.NLIModel satisfies it)."""

    max_length: int

    def predict(self, pairs: Sequence[tuple[str, str]], batch_size: int = 32) -> np.ndarray: ...

    def token_lengths(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray: ...


@dataclass(frozen=True)
class Scored:
    """Raw model output for an EvalSet, before temperature and thresholds."""

    pair_probs: np.ndarray  # (m, 3) one row per NLI input
    example: np.ndarray  # (m,) example index of each row
    sentence: np.ndarray  # (m,) hypothesis-sentence index of each row
    n_examples: int
    seconds: float  # time spent in model.predict
    stats: dict = field(default_factory=dict)
    oversized: np.ndarray | None = None  # (n_examples,) windows over max_length per example

    @property
    def n_pairs(self) -> int:
        return len(self.pair_probs)


@dataclass(frozen=True)
class _Inputs:
    pairs: list[tuple[str, str]]
    example: list[int]
    sentence: list[int]
    oversized: np.ndarray
    stats: dict


def _sentences(text: str) -> list[Span]:
    spans = split_sentences(text)
    stripped = text.strip()
    if spans or not stripped:
        return spans
    start = text.index(stripped)
    return [Span(stripped, start, start + len(stripped))]


def _window_text(text: str, spans: list[Span], window: Window) -> str:
    if window.end == window.start:
        return text.strip()
    return text[spans[window.start].start : spans[window.end - 1].end]


def document_inputs(evalset: EvalSet, model: NLIScorer, overlap: int = 1) -> _Inputs:
    """(premise window, hypothesis sentence) pairs that each fit ``model.max_length`` tokens.

    Token costs are measured once per sentence, windows planned from them, then every planned
    pair is measured; a multi-sentence window that still measures too long is re-planned with a
    smaller budget. A single sentence over the limit stays its own window and is counted.
    """
    examples = evalset.examples
    premises = [_sentences(ex.premise) for ex in examples]
    hypotheses = [_sentences(ex.hypothesis) or [Span(ex.hypothesis, 0, len(ex.hypothesis))] for ex in examples]
    limit = int(model.max_length)

    flat_premise = [s.text for spans in premises for s in spans]
    flat_hyp = [s.text for spans in hypotheses for s in spans]
    empty = int(model.token_lengths([("", "")])[0])
    premise_cost = np.asarray(model.token_lengths([(t, "") for t in flat_premise]), dtype=np.int64) - empty
    hyp_base = np.asarray(model.token_lengths([("", t) for t in flat_hyp]), dtype=np.int64)

    # Per (example, hypothesis sentence): a safety margin and its windows.
    def plan(i: int, j: int, margin: int) -> list[Window]:
        costs = premise_cost[p_off[i] : p_off[i + 1]].tolist()
        return plan_windows(costs, limit - int(hyp_base[h_off[i] + j]) - margin, overlap)

    p_off = np.cumsum([0] + [len(s) for s in premises])
    h_off = np.cumsum([0] + [len(s) for s in hypotheses])
    margins = {(i, j): 0 for i in range(len(examples)) for j in range(len(hypotheses[i]))}
    plans = {key: plan(*key, 0) for key in margins}
    for attempt in range(_REPLANS + 1):
        pairs = [
            (_window_text(examples[i].premise, premises[i], w), hypotheses[i][j].text)
            for (i, j), windows in plans.items()
            for w in windows
        ]
        lengths = np.asarray(model.token_lengths(pairs), dtype=np.int64) if pairs else np.zeros(0, np.int64)
        excess: dict[tuple[int, int], int] = {}
        k = 0
        for key, windows in plans.items():
            for w in windows:
                if lengths[k] > limit and w.end - w.start > 1:
                    excess[key] = max(excess.get(key, 0), int(lengths[k] - limit))
                k += 1
        if not excess or attempt == _REPLANS:
            break
        for key, extra in excess.items():
            margins[key] += extra
            plans[key] = plan(*key, margins[key])

    example_idx, sentence_idx = [], []
    oversized = np.zeros(len(examples), dtype=np.int64)
    k = 0
    for (i, j), windows in plans.items():
        for _ in windows:
            example_idx.append(i)
            sentence_idx.append(j)
            # Flag by measured length, so an estimate that was off cannot hide a truncation.
            if lengths[k] > limit:
                oversized[i] += 1
            k += 1
    stats = {
        "premise_sentences": len(flat_premise),
        "hypothesis_sentences": len(flat_hyp),
        "windows": len(pairs),
        "max_length": limit,
        "window_overlap_sentences": overlap,
        "oversized_windows": int(oversized.sum()),
        "examples_with_oversized_windows": int((oversized > 0).sum()),
    }
    return _Inputs(pairs, example_idx, sentence_idx, oversized, stats)


def pair_inputs(evalset: EvalSet, model: NLIScorer) -> _Inputs:
    """One (premise, hypothesis) pair per example; pairs over max_length are counted (the model truncates them)."""
    pairs = [(ex.premise, ex.hypothesis) for ex in evalset.examples]
    lengths = np.asarray(model.token_lengths(pairs), dtype=np.int64)
    oversized = (lengths > int(model.max_length)).astype(np.int64)
    stats = {
        "max_length": int(model.max_length),
        "truncated_pairs": int(oversized.sum()),
    }
    n = len(pairs)
    return _Inputs(pairs, list(range(n)), [0] * n, oversized, stats)


_BUILDERS = {Task.pairs: pair_inputs, Task.document: document_inputs}


def score(evalset: EvalSet, model: NLIScorer, batch_size: int = 32) -> Scored:
    """Run the model on every input the task needs; time only the model."""
    inputs = _BUILDERS[evalset.task](evalset, model)
    start = time.perf_counter()
    probs = np.asarray(model.predict(inputs.pairs, batch_size=batch_size), dtype=float)
    seconds = time.perf_counter() - start
    if probs.shape != (len(inputs.pairs), 3):
        raise ValueError(f"model returned shape {probs.shape} for {len(inputs.pairs)} pairs; expected (n, 3)")
    return Scored(
        pair_probs=probs,
        example=np.asarray(inputs.example, dtype=np.int64),
        sentence=np.asarray(inputs.sentence, dtype=np.int64),
        n_examples=len(evalset.examples),
        seconds=seconds,
        stats=inputs.stats,
        oversized=inputs.oversized,
    )
