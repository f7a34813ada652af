"""Offline prediction ensembles from saved validation scores. Usage: ens.py REF NAME [NAME...] -- combos like a+b"""
import itertools
import json
import sys
from pathlib import Path

import numpy as np

from factcheck.evaluation.metrics import average_precision
from factcheck.evaluation.paired import Predictions, paired_difference

E = Path(sys.argv[1]) if len(sys.argv) > 1 and Path(sys.argv[1]).is_dir() else Path("runs/s35/eval")
names = [a for a in sys.argv[1:] if not Path(a).is_dir()]
rows = {n: [json.loads(l) for l in open(E / f"val_large_{n}.pred.jsonl")] for n in names}
ids = [r["id"] for r in rows[names[0]]]
gold = {r["id"]: r["gold"] for r in rows[names[0]]}
story = {r["id"]: r["story"] for r in rows[names[0]]}
score = {n: {r["id"]: r["contradiction"] for r in rs} for n, rs in rows.items()}
y = np.array([gold[i] == "contradiction" for i in ids])


def figures(s: np.ndarray) -> dict:
    order = np.argsort(-s, kind="stable")
    tp = np.cumsum(y[order]); k = np.arange(1, len(s) + 1)
    p, r = tp / k, tp / y.sum()
    f05 = 1.25 * p * r / np.maximum(0.25 * p + r, 1e-12)
    return {"pr_auc": average_precision(y, s), "best_f05": f05.max(), "best_p_r30": p[r >= 0.30].max(),
            "p@50": p[49], "p@100": p[99]}


def pred(combo) -> Predictions:
    return Predictions("+".join(combo), {i: float(np.mean([score[n][i] for n in combo])) for i in ids}, gold, story)


ref = pred(("soup",))
print(f"{'judge':28s} PR-AUC  F0.5* P(R>=.3) P@50 P@100  B-A [95%]  P(better)")
for size in range(1, len(names) + 1):
    for combo in itertools.combinations(names, size):
        b = pred(combo)
        f = figures(np.array([b.score[i] for i in ids]))
        d = paired_difference(ref, b) if combo != ("soup",) else None
        extra = f"{d.difference:+.3f} [{d.low:+.3f},{d.high:+.3f}] {d.p_better:.2f}" if d else ""
        print(f"{'+'.join(combo):28s} {f['pr_auc']:.3f}  {f['best_f05']:.3f}  {f['best_p_r30']:.3f}   "
              f"{f['p@50']:.2f} {f['p@100']:.2f}  {extra}")
