"""Fit the cascade's screening threshold from saved per-pair predictions of the screen and the verifier.

    python eval/news_pairs/fit_screen.py SMALL.pred.jsonl LARGE.pred.jsonl --thresholds VERIFIER/thresholds.json --save

The same fit as ``python -m factcheck.evaluation.screening`` (recall >= 0.98 of what the verifier alone reports at its
fitted threshold), on the labelled pairs of the split that ``factcheck eval --predictions`` scored, without scoring
them again. ``--save`` writes the ``screen`` entry into the verifier's thresholds.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from factcheck.evaluation.screening import fit_screen_threshold


def rows(path: Path) -> dict[str, dict]:
    return {r["id"]: r for r in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if r}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("screen", type=Path)
    ap.add_argument("verifier", type=Path)
    ap.add_argument("--thresholds", type=Path, required=True, help="the verifier's thresholds.json")
    ap.add_argument("--recall", type=float, default=0.98)
    ap.add_argument("--save", action="store_true")
    args = ap.parse_args(argv)
    s, v = rows(args.screen), rows(args.verifier)
    ids = sorted(s)
    if set(ids) != set(v):
        raise SystemExit("the two prediction files hold different pairs")
    t = json.loads(args.thresholds.read_text(encoding="utf-8"))
    score = np.array([s[i]["contradiction"] for i in ids])
    reports = np.array([v[i]["contradiction"] >= t["contradiction"] for i in ids])
    called = np.array([s[i]["reported"] for i in ids])
    fit = fit_screen_threshold(score, reports, called, args.recall)
    fit["fitted_on"] = f"news-pairs validation, labelled pairs (n={len(ids)}), from saved predictions"
    print(json.dumps(fit, indent=2))
    if args.save:
        t["screen"] = fit
        args.thresholds.write_text(json.dumps(t, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
