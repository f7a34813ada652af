"""The cascade's screening threshold, fitted on validation: recall >= 0.98 of what the verifier alone reports.

The cascade (``factcheck.nli.cascade``) sends a pair to the verifier when the default model's two-way
contradiction score reaches the screening threshold (or the default model calls it a contradiction).
The highest threshold that keeps ``recall`` of the verifier's own contradictions is the cheapest safe one.
Fitted on the news-pairs validation split (real aligned pairs, the checker's own draw), never on dev, and
saved under ``screen`` in the verifier's ``thresholds.json``. Fit it after the verifier's verdict thresholds
(``factcheck calibrate --preset news-pairs``, which rewrites that file), as the recall is of its reports::

    python -m factcheck.evaluation.screening --verifier large --shared-data ../shared/data \\
        --save models/factcheck-nli-mpnet-lora/thresholds.json
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from factcheck.errors import FactcheckError, InputError

__all__ = ["fit_screen_threshold", "fit_screen_on_news", "main"]

log = logging.getLogger("factcheck")


def fit_screen_threshold(screen_score: np.ndarray, verifier_reports: np.ndarray, screen_called: np.ndarray | None = None,
                         recall: float = 0.98, weights: np.ndarray | None = None) -> dict:
    """The highest threshold t with weighted recall >= ``recall`` of ``verifier_reports``, and what it costs.

    A reported pair is kept when ``screen_score >= t`` or ``screen_called`` (the default model's own
    contradiction verdict, always verified). Returns ``threshold``, the ``recall`` reached, ``screened``
    (the weighted share of all pairs sent to the verifier) and the counts. InputError when the verifier
    reports nothing (no recall to keep).
    """
    score = np.asarray(screen_score, dtype=float)
    reports = np.asarray(verifier_reports, dtype=bool)
    called = np.zeros(len(score), dtype=bool) if screen_called is None else np.asarray(screen_called, dtype=bool)
    w = np.ones(len(score)) if weights is None else np.asarray(weights, dtype=float)
    if not (len(score) == len(reports) == len(called) == len(w)):
        raise InputError("screening fit: scores, reports, calls and weights differ in length")
    if not 0.0 < recall <= 1.0:
        raise InputError(f"screening fit: recall must lie in (0, 1], got {recall}")
    positive = w[reports].sum()
    if positive <= 0:
        raise InputError("screening fit: the verifier reports no contradiction on these pairs; nothing to keep")
    # Candidates: each reported pair's score (a threshold just at it keeps it), highest first.
    best = 0.0
    for t in np.unique(score[reports])[::-1]:
        kept = w[reports & ((score >= t) | called)].sum() / positive
        if kept >= recall:
            best = float(t)
            break
    sent = (score >= best) | called
    return {"threshold": round(best, 6), "recall": float(w[reports & sent].sum() / positive),
            "target_recall": recall, "screened": float(w[sent].sum() / w.sum()),
            "n": int(len(score)), "verifier_reports": int(reports.sum())}


def fit_screen_on_news(pairs: Sequence, screen, verifier, screen_thresholds, verifier_thresholds,
                       recall: float = 0.98, batch_size: int = 32) -> dict:
    """``fit_screen_threshold`` on news pairs scored by both models (``evaluation.news_eval``)."""
    from factcheck.evaluation.news_eval import predicted, score_news_pairs

    s = score_news_pairs(pairs, screen, batch_size)
    v = score_news_pairs(pairs, verifier, batch_size)
    weights = np.array([getattr(p.ref, "weight", 1.0) for p in pairs], dtype=float)
    fit = fit_screen_threshold(np.where(s.identical, -1.0, s.contradiction), predicted(v, verifier_thresholds),
                               predicted(s, screen_thresholds), recall, weights)
    return fit


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verifier", default="large", help="the cascade's verifier (NLI model name or path)")
    parser.add_argument("--nli-model", default="default", help="the screening model")
    parser.add_argument("--labels", type=Path, default=Path("eval/news_pairs/labels.jsonl"))
    parser.add_argument("--shared-data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--split", default="validation", choices=("validation", "train"))
    parser.add_argument("--recall", type=float, default=0.98)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--device", default=None)
    parser.add_argument("--save", type=Path, help="the verifier's thresholds.json: its 'screen' entry is set")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    try:
        from factcheck.evaluation.news_pairs import load_news_pairs
        from factcheck.nli import load_nli
        from factcheck.pipeline import model_thresholds

        pairs = load_news_pairs(args.labels, args.shared_data, splits=(args.split,), labelled_only=False)
        if not pairs:
            raise InputError(f"{args.labels}: no pairs in split {args.split!r}")
        screen, verifier = load_nli(args.nli_model, device=args.device), load_nli(args.verifier, device=args.device)
        fit = fit_screen_on_news(pairs, screen, verifier, model_thresholds(screen), model_thresholds(verifier),
                                 args.recall, args.batch_size)
        fit["fitted_on"] = f"news-pairs {args.split} (n={len(pairs)})"
        fit["screen_model"] = {"name": screen.info.name, "revision": screen.info.revision}
        print(json.dumps(fit, indent=2))
        if args.save:
            data = json.loads(args.save.read_text(encoding="utf-8")) if args.save.is_file() else {}
            data["screen"] = fit
            args.save.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
            print(f"saved: {args.save}")
    except FactcheckError as exc:
        raise SystemExit(f"factcheck: error: {exc}") from None


if __name__ == "__main__":
    main()
