"""Is run B better than run A on the same pairs? A paired bootstrap of the PR-AUC difference.

Both runs' prediction files (``factcheck eval --predictions``) must hold the same pair ids. Resampling is by
story when every record names one (pairs of one story are not independent), else by pair. The same resample
is scored for both runs, so the interval is for the difference itself, far narrower than two separate
intervals would suggest.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from factcheck.errors import InputError
from factcheck.evaluation.metrics import average_precision

__all__ = ["PairedDifference", "Predictions", "load_predictions", "paired_difference", "paired_markdown"]


@dataclass(frozen=True)
class Predictions:
    """One run's scores for the positive label, by pair id, with each pair's gold label and story."""

    path: str
    score: dict[str, float]
    gold: dict[str, str]
    story: dict[str, str]


@dataclass(frozen=True)
class PairedDifference:
    """PR-AUC of A and B, B - A with its bootstrap interval, and the share of resamples where B beats A."""

    positive: str
    a: float
    b: float
    difference: float
    low: float
    high: float
    p_better: float
    resamples: int
    unit: str  # "story" or "pair"
    units: int
    n: int
    positives: int

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def load_predictions(path: Path, positive: str = "contradiction") -> Predictions:
    """A prediction file's records: ``id``, ``gold`` and the positive label's score (a field of that name,
    else ``probabilities[positive]``); ``story`` when present."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(f"{path}: no such prediction file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read it: {exc}") from None
    score, gold, story = {}, {}, {}
    for k, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            pid, label = str(rec["id"]), rec["gold"]
            value = rec[positive] if positive in rec else rec["probabilities"][positive]
            value = float(value)
        except (ValueError, KeyError, TypeError):
            raise InputError(f"{path}: line {k} is not a prediction record with id, gold and a "
                             f"'{positive}' score (write it with factcheck eval --predictions)") from None
        if pid in score:
            raise InputError(f"{path}: pair id {pid!r} occurs twice (line {k})")
        score[pid], gold[pid] = value, label
        if rec.get("story") is not None:
            story[pid] = str(rec["story"])
    if not score:
        raise InputError(f"{path}: holds no prediction records")
    return Predictions(str(path), score, gold, story)


def paired_difference(a: Predictions, b: Predictions, positive: str = "contradiction", resamples: int = 2000,
                      seed: int = 0, level: float = 0.95) -> PairedDifference:
    """B's PR-AUC minus A's on the pairs both scored, with a paired percentile bootstrap interval."""
    if set(a.score) != set(b.score):
        only_a, only_b = len(set(a.score) - set(b.score)), len(set(b.score) - set(a.score))
        raise InputError(f"{b.path}: not the same pairs as {a.path} ({only_a} only in the first, {only_b} only in "
                         "the second); compare runs on the same data")
    ids = sorted(a.score)
    if any(a.gold[i] != b.gold[i] for i in ids):
        raise InputError(f"{b.path}: gold labels differ from {a.path}'s for the same pair ids")
    y = np.array([a.gold[i] == positive for i in ids])
    if not y.any():
        raise InputError(f"{a.path}: no pair is labelled '{positive}', so PR-AUC is undefined")
    sa = np.array([a.score[i] for i in ids])
    sb = np.array([b.score[i] for i in ids])
    by_story = len(a.story) == len(ids)
    keys = np.array([a.story[i] for i in ids]) if by_story else np.array(ids)
    units, inverse = np.unique(keys, return_inverse=True)
    members = [np.flatnonzero(inverse == u) for u in range(len(units))]
    rng = np.random.default_rng(seed)
    diffs = []
    for _ in range(resamples):
        take = np.concatenate([members[u] for u in rng.integers(0, len(units), size=len(units))])
        if y[take].any():
            diffs.append(average_precision(y[take], sb[take]) - average_precision(y[take], sa[take]))
    d = np.array(diffs)
    tail = (1.0 - level) / 2.0
    pa, pb = average_precision(y, sa), average_precision(y, sb)
    return PairedDifference(
        positive=positive, a=pa, b=pb, difference=pb - pa,
        low=float(np.quantile(d, tail)) if len(d) else float("nan"),
        high=float(np.quantile(d, 1 - tail)) if len(d) else float("nan"),
        p_better=float(np.mean(d > 0)) if len(d) else float("nan"),
        resamples=len(d), unit="story" if by_story else "pair", units=len(units), n=len(ids), positives=int(y.sum()))


def paired_markdown(names: Sequence[str], diffs: Sequence[PairedDifference]) -> str:
    """One row per later run: its PR-AUC, the difference from the first run, the interval, P(better)."""
    if not diffs:
        return ""
    d0 = diffs[0]
    lines = [f"Paired against {names[0]} (PR-AUC of '{d0.positive}', {d0.n} pairs, {d0.positives} positive; "
             f"bootstrap over {d0.units} {'stories' if d0.unit == 'story' else 'pairs'}, {d0.resamples} resamples, 95%):", "",
             "| run | PR-AUC | difference | 95% interval | P(better) |", "|---|---:|---:|---|---:|",
             f"| {names[0]} | {d0.a:.3f} | | | |"]
    for name, d in zip(names[1:], diffs):
        lines.append(f"| {name} | {d.b:.3f} | {d.difference:+.3f} | [{d.low:+.3f}, {d.high:+.3f}] | {d.p_better:.2f} |")
    return "\n".join(lines) + "\n"
