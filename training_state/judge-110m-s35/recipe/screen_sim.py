"""The cascade on news validation at several screening thresholds, from saved scores (number check and the 22M's own
contradiction call left out): a pair goes to the 110M when the 22M's two-way score reaches t, else the 22M's stands.
    python runs/s35/screen_sim.py SMALL.pred.jsonl LARGE.pred.jsonl [THRESHOLD]"""
import json, sys
import numpy as np
from factcheck.evaluation.metrics import average_precision
S = {r["id"]: r for r in map(json.loads, open(sys.argv[1]))}
L = {r["id"]: r for r in map(json.loads, open(sys.argv[2]))}
thr = float(sys.argv[3]) if len(sys.argv) > 3 else 0.93
ids = sorted(S); g = np.array([S[i]["gold"] == "contradiction" for i in ids])
sc = np.array([S[i]["contradiction"] for i in ids]); lc = np.array([L[i]["contradiction"] for i in ids])
def best_p(s, rmin=0.30):
    o = np.argsort(-s, kind="stable"); tp = np.cumsum(g[o]); k = np.arange(1, len(o) + 1)
    p, r = tp / k, tp / g.sum(); return p[r >= rmin].max()
print(f"22M alone PR-AUC {average_precision(g, sc):.3f}; 110M alone {average_precision(g, lc):.3f}, reports {(lc >= thr).sum()} at {thr}")
for t in (0.5, 0.35, 0.3, 0.25, 0.2, 0.15, 0.1, 0.05):
    sent = sc >= t
    s = np.where(sent, lc, np.minimum(sc, t))
    rep = s >= thr; tp = (rep & g).sum(); P = tp / max(1, rep.sum()); R = tp / g.sum()
    kept = (sent & (lc >= thr)).sum()
    print(f"t {t:4.2f} sent {sent.mean():.3f}  PR-AUC {average_precision(g, s):.3f}  P {P:.3f} R {R:.3f} rep {rep.sum():3d} "
          f"(keeps {kept} of {(lc >= thr).sum()})  bestP@R>=.3 {best_p(s):.3f}")
