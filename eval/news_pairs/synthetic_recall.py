"""Two-way verdict recall of the synthetic news contradictions (held-out articles) at several contradiction
thresholds, from one scoring: what a precision-first threshold costs on the edits the model is strong at.

    python eval/news_pairs/synthetic_recall.py --synthetic runs/synth.jsonl --synthetic runs/news_families.jsonl \
        --threshold 0.76 --threshold 0.89 --out eval/results/synthetic_recall_thresholds.json
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from factcheck.models import quiet_loading
from factcheck.nli import load_nli
from factcheck.verdict import Thresholds, Verdict, decide, two_way_scores


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="models/factcheck-nli-minilm")
    ap.add_argument("--synthetic", type=Path, action="append", required=True, help="pairs JSONL; its test split")
    ap.add_argument("--threshold", type=float, action="append", required=True)
    ap.add_argument("--agreement", type=float, default=0.35)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    with quiet_loading():
        model = load_nli(args.model)
    out = {"model": args.model, "agreement": args.agreement, "files": {}}
    for path in args.synthetic:
        rows = [json.loads(line) for line in path.open(encoding="utf-8")]
        rows = [r for r in rows if r["split"] == "test"]
        fwd = model.predict([(r["premise"], r["hypothesis"]) for r in rows], batch_size=32)
        bwd = model.predict([(r["hypothesis"], r["premise"]) for r in rows], batch_size=32)
        c, a = two_way_scores(fwd, bwd)
        gold = np.array([r["label"] == "contradiction" for r in rows])
        preserving = np.array([r["label"] in ("entailment", "not_contradiction") for r in rows])
        res = {}
        for t in args.threshold:
            labels, _ = decide(c, a, Thresholds(t, args.agreement))
            con = np.array([v is Verdict.contradiction for v in labels])
            per_edit = defaultdict(list)
            for i, r in enumerate(rows):
                per_edit[r["edit"]].append(bool(con[i]))
            res[str(t)] = {"recall_contradiction_edits": float(con[gold].mean()),
                           "false_contradiction_rate_meaning_preserving": float(con[preserving].mean()),
                           "contradiction_rate_per_edit": {k: round(float(np.mean(v)), 3) for k, v in sorted(per_edit.items())}}
        out["files"][path.name] = {"n_contradiction": int(gold.sum()), "n_preserving": int(preserving.sum()),
                                   "by_threshold": res}
    text = json.dumps(out, indent=2)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
