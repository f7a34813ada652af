"""`factcheck eval --preset news-pairs`: the checker's verdicts on real aligned news pairs, read by people.

A pair is scored as the checker scores it (both directions, ``factcheck.verdict``), so the figures are
those of reported contradictions at the model's thresholds: precision, recall and F0.5, PR-AUC of the
two-way contradiction score, precision at the top k, figures per type, and 95% intervals from a
bootstrap over stories (pairs of one story are not independent). ``unclear`` pairs count as not
contradictions: a report of one is a false alarm.

Threshold fitting (``fit_news_thresholds``) is for precision first and refuses the dev split.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Sequence

import numpy as np

from factcheck import __version__
from factcheck.errors import InputError
from factcheck.evaluation.metrics import average_precision, bootstrap_ci
from factcheck.evaluation.news_pairs import TYPES, NewsPair
from factcheck.verdict import Thresholds, Verdict, decide, same_wording, two_way_scores

__all__ = ["NewsScores", "fit_news_thresholds", "news_markdown", "news_metrics", "score_cascade", "score_news_pairs",
           "value_check", "TOP_K"]

TOP_K = (10, 50, 100)


@dataclass(frozen=True)
class NewsScores:
    """Both directions' NLI probabilities of every pair and the two-way scores."""

    forward: np.ndarray
    backward: np.ndarray
    contradiction: np.ndarray
    agreement: np.ndarray
    identical: np.ndarray
    # The value check's verdicts (``value_check``): 1 contradiction, 0 not, -1 left to the thresholds.
    decided: np.ndarray | None = None


def score_news_pairs(pairs: Sequence[NewsPair], model, batch_size: int = 32) -> NewsScores:
    """Score every pair both ways with ``model`` (anything with ``predict(pairs, batch_size)``)."""
    texts = [(p.a, p.b) for p in pairs] + [(p.b, p.a) for p in pairs]
    probs = np.asarray(model.predict(texts, batch_size=batch_size), dtype=float).reshape(-1, 3)
    n = len(pairs)
    forward, backward = probs[:n], probs[n:]
    c, a = two_way_scores(forward, backward)
    identical = np.array([same_wording(p.a, p.b) for p in pairs], dtype=bool)
    return NewsScores(forward, backward, c, a, identical)


def score_cascade(pairs: Sequence[NewsPair], cascade, batch_size: int = 32,
                  values: bool = False) -> tuple[NewsScores, np.ndarray]:
    """Score as ``check`` does with a cascade (``factcheck.nli.cascade``): the screening model scores every pair both
    ways, the verifier re-scores the pairs it screens in, and its scores replace the screen's there.

    Returns the scores and the mask of verified pairs. The pairs left unverified keep the screen's scores, which
    lie below the screening threshold, so the verifier's thresholds never report them.
    """
    from factcheck.nli.cascade import screen_mask
    from factcheck.pipeline import model_thresholds

    s = score_news_pairs(pairs, cascade.screen, batch_size)
    if values:  # as in check: the value check runs on the screen's scores, and its verdicts stand
        s = value_check(pairs, s, cascade.screen, model_thresholds(cascade.screen), batch_size)
    labels, _ = decide(s.contradiction, s.agreement, model_thresholds(cascade.screen), s.identical)
    mask = screen_mask(s.forward, s.backward, labels, s.identical, cascade.screen_threshold)
    forward, backward = s.forward.copy(), s.backward.copy()
    c, a = s.contradiction.copy(), s.agreement.copy()
    if mask.any():
        v = score_news_pairs([p for p, m in zip(pairs, mask) if m], cascade.verifier, batch_size)
        forward[mask], backward[mask] = v.forward, v.backward
        c[mask], a[mask] = v.contradiction, v.agreement
    return NewsScores(forward, backward, c, a, s.identical, s.decided), mask


def predicted(scores: NewsScores, thresholds: Thresholds) -> np.ndarray:
    """Which pairs the checker reports as contradictions at ``thresholds``."""
    labels, _ = decide(scores.contradiction, scores.agreement, thresholds, scores.identical)
    out = np.array([v is Verdict.contradiction for v in labels], dtype=bool)
    if scores.decided is not None:
        out = np.where(scores.decided >= 0, scores.decided == 1, out)
    return out


def value_check(pairs: Sequence[NewsPair], scores: NewsScores, model, thresholds: Thresholds,
                batch_size: int = 32) -> NewsScores:
    """``scores`` with the checker's date and number check applied (``factcheck.valuecheck``), as ``check`` does:
    the masked pairs are scored in one extra call of ``model``. News pairs carry no article dates."""
    from factcheck.valuecheck import judge_values, plan_value_check, score_masked

    flagged = predicted(scores, thresholds)
    checks = [c for i, p in enumerate(pairs) if not scores.identical[i]
              and (c := plan_value_check(i, p.a, p.b, None, None, bool(flagged[i]))) is not None]
    masked = score_masked(checks, model, batch_size)
    decided = np.full(len(pairs), -1, dtype=np.int8)
    for c in checks:
        out = judge_values(c, masked.get(c.k), float(scores.contradiction[c.k]), float(scores.agreement[c.k]), thresholds)
        if out.label is not None:
            decided[c.k] = int(out.label is Verdict.contradiction)
    return replace(scores, decided=decided)


def _prf(gold: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    tp = float(np.sum(gold & pred))
    p = tp / pred.sum() if pred.sum() else float("nan")
    r = tp / gold.sum() if gold.sum() else float("nan")
    beta2 = 0.25
    f = (1 + beta2) * p * r / (beta2 * p + r) if p == p and r == r and (p + r) > 0 else (0.0 if p == p and r == r else float("nan"))
    return {"precision": p, "recall": r, "f0.5": f, "reported": float(pred.sum()), "true_reported": tp}


def _top_k(gold: np.ndarray, score: np.ndarray, k: int) -> float:
    if len(score) < k:
        return float("nan")
    order = np.argsort(-score, kind="stable")[:k]
    return float(gold[order].mean())


def _stats(gold: np.ndarray, pred: np.ndarray, score: np.ndarray) -> dict[str, float]:
    out = _prf(gold, pred)
    out["pr_auc"] = average_precision(gold, score)
    for k in TOP_K:
        out[f"precision@{k}"] = _top_k(gold, score, k)
    return out


def news_metrics(pairs: Sequence[NewsPair], scores: NewsScores, thresholds: Thresholds, *,
                 n_bootstrap: int = 1000, seed: int = 0) -> dict:
    """Every figure of the news-pairs task, with story-bootstrap 95% intervals."""
    if not pairs:
        raise InputError("no labelled news pairs to evaluate")
    gold = np.array([p.ref.label == "contradiction" for p in pairs], dtype=bool)
    pred = predicted(scores, thresholds)
    score = np.where(scores.identical, 0.0, scores.contradiction)
    overall = _stats(gold, pred, score)
    stories = sorted({p.ref.story for p in pairs})
    members = defaultdict(list)
    for i, p in enumerate(pairs):
        members[p.ref.story].append(i)
    groups = [np.array(members[s]) for s in stories]

    def stat(idx: np.ndarray) -> dict[str, float]:
        rows = np.concatenate([groups[i] for i in idx])
        return _stats(gold[rows], pred[rows], score[rows])

    ci = bootstrap_ci(stat, len(groups), n_resamples=n_bootstrap, seed=seed)
    per_type = {}
    for t in TYPES:
        rows = np.array([i for i, p in enumerate(pairs) if p.ref.type == t], dtype=int)
        if len(rows) == 0:
            continue
        g, pr = gold[rows], pred[rows]
        per_type[t] = {"n": int(len(rows)), "contradictions": int(g.sum()),
                       "found": int((g & pr).sum()), "recall": float((g & pr).sum() / g.sum()) if g.sum() else None,
                       "false_alarms": int((~g & pr).sum()),
                       "precision": float((g & pr).sum() / pr.sum()) if pr.sum() else None}
    labels = {lab: int(sum(p.ref.label == lab for p in pairs)) for lab in ("contradiction", "compatible", "unclear")}
    return {"n": len(pairs), "stories": len(stories), "labels": labels,
            "thresholds": thresholds.to_dict(), "metrics": overall,
            "ci95": {k: list(v) for k, v in ci.items()}, "per_type": per_type}


def news_markdown(result: dict, title: str) -> str:
    """A short Markdown table of one news-pairs evaluation."""
    m, ci = result["metrics"], result["ci95"]

    def cell(key: str) -> str:
        v = m.get(key)
        if v is None or v != v:
            return "n/a"
        lo, hi = ci.get(key, (float("nan"), float("nan")))
        return f"{v:.3f} [{lo:.3f}, {hi:.3f}]" if lo == lo else f"{v:.3f}"

    t = result["thresholds"]
    lines = [f"## {title}", "",
             f"{result['n']} pairs from {result['stories']} stories; gold {result['labels']}; "
             f"threshold contradiction {t['contradiction']:.3f}, agreement {t['agreement']:.3f} ({t.get('fitted_on')})"
             + (f"; cascade: {result['pairs_verified']} pairs verified by {result['verifier'].get('name')}"
                if "verifier" in result else ""), "",
             "| metric | value [95% story bootstrap] |", "|---|---|"]
    lines += [f"| reported contradictions | {int(m['reported'])} ({int(m['true_reported'])} real) |"]
    for key in ("precision", "recall", "f0.5", "pr_auc", *(f"precision@{k}" for k in TOP_K)):
        lines.append(f"| {key} | {cell(key)} |")
    lines += ["", "| type | n | contradictions | found | false alarms |", "|---|---:|---:|---:|---:|"]
    for name, row in result["per_type"].items():
        lines.append(f"| {name} | {row['n']} | {row['contradictions']} | {row['found']} | {row['false_alarms']} |")
    return "\n".join(lines) + "\n"


NEWS_RULES = ("precision", "f0.5")


def fit_news_thresholds(pairs: Sequence[NewsPair], scores: NewsScores, base: Thresholds, *,
                        min_precision: float = 0.85, split: str = "validation",
                        rule: str = "precision") -> tuple[Thresholds, dict]:
    """The contradiction threshold, on a split that is never dev.

    ``rule="precision"``: the highest recall with precision >= ``min_precision`` (and 10 or more reported pairs);
    where no threshold reaches it, max F0.5. ``rule="f0.5"``: max F0.5 (#23's rule for choosing models).
    The agreement threshold is kept from ``base``.
    """
    if rule not in NEWS_RULES:
        raise InputError(f"threshold rule {rule!r}: use one of {', '.join(NEWS_RULES)}")
    if any(p.ref.split == "dev" for p in pairs):
        raise InputError("news-pairs thresholds are never fitted on the dev split; fit on validation")
    gold = np.array([p.ref.label == "contradiction" for p in pairs], dtype=bool)
    grid = np.round(np.arange(0.30, 0.996, 0.005), 3)
    rows = []
    for t in grid:
        pred = predicted(scores, Thresholds(float(t), base.agreement))
        rows.append((float(t), _prf(gold, pred)))
    ok = [(t, s) for t, s in rows if s["precision"] == s["precision"] and s["precision"] >= min_precision
          and s["reported"] >= 10] if rule == "precision" else []
    if ok:
        t, s = max(ok, key=lambda r: (r[1]["recall"], -r[0]))
        objective = f"highest recall at precision >= {min_precision} on the news-pairs {split} split"
    else:
        t, s = max(rows, key=lambda r: (r[1]["f0.5"] if r[1]["f0.5"] == r[1]["f0.5"] else -1, r[0]))
        objective = (f"max F0.5 on the news-pairs {split} split" if rule == "f0.5"
                     else f"max F0.5 on the news-pairs {split} split (no threshold reached precision {min_precision})")
    fit = {"split": f"news-pairs {split}", "n": len(pairs), "objective": objective,
           "scores": {"precision": s["precision"], "recall": s["recall"], "f0.5": s["f0.5"]}}
    return Thresholds(t, base.agreement, f"news-pairs {split} split (n={len(pairs)})"), fit


def thresholds_file(thresholds: Thresholds, fit: dict, previous: dict, model_revision: str | None) -> dict:
    """The model's ``thresholds.json`` with the news fit, keeping the earlier fit on record."""
    return {"schema": "factcheck.thresholds/1", "contradiction": thresholds.contradiction,
            "agreement": thresholds.agreement, "fitted_on": fit,
            "agreement_fitted_on": previous.get("fitted_on"), "model_revision": model_revision,
            "date": date.today().isoformat(), "version": __version__}


def write_json(obj: dict, path: str | Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(obj, indent=2, sort_keys=False) + "\n", encoding="utf-8")


DEFAULT_LABELS = Path("eval/news_pairs/labels.jsonl")


def evaluate_news(model, labels: str | Path, data_dir: str | Path, *, split: str | None = "dev",
                  thresholds: Thresholds | None = None, batch_size: int = 32, n_bootstrap: int = 1000,
                  seed: int = 0, values: bool = True) -> tuple[dict, list[NewsPair], NewsScores]:
    """The news-pairs report of ``model`` on ``split`` of ``labels`` (all splits when None), with provenance.

    With ``values`` (the default) the checker's date and number check decides the pairs it applies to,
    as in ``factcheck check``; the report records it (``value_check``)."""
    from factcheck.evaluation.news_pairs import load_news_pairs
    from factcheck.models import file_sha256, portable_path
    from factcheck.pipeline import model_thresholds

    pairs = load_news_pairs(labels, data_dir, splits=None if split is None else (split,))
    if not pairs:
        raise InputError(f"{labels}: no labelled pairs in split {split!r}")
    from factcheck.nli.cascade import CascadeNLI

    cascade = isinstance(model, CascadeNLI)
    if thresholds is None:
        thresholds = model.thresholds if cascade else model_thresholds(model)
    if cascade:
        scores, verified = score_cascade(pairs, model, batch_size=batch_size, values=values)
    else:
        scores = score_news_pairs(pairs, model, batch_size=batch_size)
        if values:
            scores = value_check(pairs, scores, model, thresholds, batch_size)
    result = news_metrics(pairs, scores, thresholds, n_bootstrap=n_bootstrap, seed=seed)
    info = getattr(model, "info", None)
    if values and scores.decided is not None:
        result["value_check"] = {"decided": int(np.sum(scores.decided >= 0)),
                                 "contradiction": int(np.sum(scores.decided == 1))}
    result = {"task": "news-pairs", "split": split or "all", "version": __version__,
              "data": {"labels": portable_path(labels), "sha256": file_sha256(Path(labels))},
              "model": info.to_dict() if info is not None and hasattr(info, "to_dict") else None, **result}
    if cascade:
        result["verifier"] = model.verifier_info().to_dict()
        result["pairs_verified"] = int(verified.sum())
    return result, pairs, scores


def prediction_rows(pairs: Sequence[NewsPair], scores: NewsScores, thresholds: Thresholds) -> list[dict]:
    """Per-pair predictions by reference (no text): id, gold, type, scores, reported."""
    pred = predicted(scores, thresholds)
    return [{"id": p.ref.id, "story": p.ref.story, "gold": p.ref.label, "type": p.ref.type,
             "contradiction": round(float(scores.contradiction[i]), 4),
             "agreement": round(float(scores.agreement[i]), 4), "reported": bool(pred[i])}
            for i, p in enumerate(pairs)]
