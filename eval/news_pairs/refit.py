"""Fit a model's news threshold, or report a split at given thresholds, from saved per-pair predictions.

    python eval/news_pairs/refit.py fit PRED.jsonl --split validation --adapter models/factcheck-nli-mpnet-lora
    python eval/news_pairs/refit.py report PRED.jsonl --split dev --thresholds models/.../thresholds.json -o OUT.json

``factcheck eval --predictions`` writes each pair's two-way contradiction and agreement scores; refitting from them
gives the same fit as ``factcheck calibrate --preset news-pairs`` without scoring the split again (the 110M takes
about ten minutes a split on a 2-core CPU). Scores are rounded to 4 decimals in the predictions file.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from factcheck.evaluation.news_eval import (NewsScores, fit_news_thresholds, news_metrics, thresholds_file,
                                            write_json)
from factcheck.evaluation.news_pairs import load_news_pairs
from factcheck.verdict import Thresholds, same_wording


def scores_from(pred: Path, pairs) -> NewsScores:
    rows = {r["id"]: r for r in map(json.loads, pred.read_text(encoding="utf-8").splitlines())}
    missing = [p.ref.id for p in pairs if p.ref.id not in rows]
    if missing:
        raise SystemExit(f"{pred}: {len(missing)} pairs of the split have no prediction")
    c = np.array([rows[p.ref.id]["contradiction"] for p in pairs], dtype=float)
    a = np.array([rows[p.ref.id]["agreement"] for p in pairs], dtype=float)
    zeros = np.zeros((len(pairs), 3))
    return NewsScores(zeros, zeros, c, a, np.array([same_wording(p.a, p.b) for p in pairs], dtype=bool))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=("fit", "report"))
    ap.add_argument("predictions", type=Path)
    ap.add_argument("--split", default="validation")
    ap.add_argument("--labels", type=Path, default=Path("eval/news_pairs/labels.jsonl"))
    ap.add_argument("--shared-data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--adapter", type=Path, help="fit: write thresholds.json into this model folder")
    ap.add_argument("--agreement", type=float, default=0.5, help="fit: the agreement threshold to keep")
    ap.add_argument("--min-precision", type=float, default=0.85)
    ap.add_argument("--rule", choices=("precision", "f0.5"), default="precision",
                    help="fit: highest recall at --min-precision (else max F0.5), or max F0.5")
    ap.add_argument("--thresholds", type=Path, help="report: the thresholds.json to apply")
    ap.add_argument("-o", "--output", type=Path)
    args = ap.parse_args(argv)
    pairs = load_news_pairs(args.labels, args.shared_data, splits=(args.split,))
    scores = scores_from(args.predictions, pairs)
    if args.mode == "fit":
        from factcheck.nli.loading import _local_provenance

        fitted, fit = fit_news_thresholds(pairs, scores, Thresholds(0.5, args.agreement),
                                          min_precision=args.min_precision, split=args.split, rule=args.rule)
        revision = _local_provenance(args.adapter, sorted(args.adapter.glob("*.safetensors")), thresholds=False)[0]
        out = thresholds_file(fitted, fit, {}, revision)
        out["agreement_fitted_on"] = None  # the agreement threshold is the default, not fitted
        old = args.adapter / "thresholds.json"
        if old.is_file() and "screen" in (kept := json.loads(old.read_text(encoding="utf-8"))):
            out["screen"] = kept["screen"]  # the cascade's screen is fitted apart (fit_screen.py); keep it
        write_json(out, args.adapter / "thresholds.json")
        print(json.dumps(out, indent=1))
        return
    t = json.loads(args.thresholds.read_text(encoding="utf-8"))
    result = news_metrics(pairs, scores, Thresholds(t["contradiction"], t["agreement"]), n_bootstrap=1000, seed=0)
    if args.output:
        write_json(result, args.output)
    print(json.dumps(result, indent=1, default=str)[:3000])


if __name__ == "__main__":
    main()
