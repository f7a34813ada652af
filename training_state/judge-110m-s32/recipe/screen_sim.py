"""The cascade on news validation at several screening thresholds, from saved scores: session 27's 22M two-way score
(runs/s30/val_feat.npz, `sc`) and a 110M's (`factcheck eval --nli-model large --predictions`). A pair goes to the
110M when the 22M's score reaches t; otherwise the 22M's score stands (the number check is left out here).
    python runs/s32/screen_sim.py LARGE.pred.jsonl THRESHOLD"""
import json, sys
import numpy as np
from factcheck.evaluation.metrics import average_precision
d = np.load("runs/s30/val_feat.npz")
ids = list(d["ids"]); sc = d["sc"]; ident = d["ident"]
lar = {r["id"]: r["contradiction"] for r in map(json.loads, open(sys.argv[1]))}
thr = float(sys.argv[2])
L = np.array([lar[i] for i in ids]); g = d["gold"] == "contradiction"
def best_p(s, rmin=0.30):
    o = np.argsort(-s); tp = np.cumsum(g[o]); k = np.arange(1, len(o) + 1)
    p, r = tp / k, tp / g.sum(); return p[r >= rmin].max()
for t in (1.01, 0.5, 0.35, 0.3, 0.25, 0.2, 0.15, 0.1, 0.0):
    sent = (sc >= t) & ~ident
    s = np.where(sent, L, sc); s[ident] = 0
    rep = s >= thr; tp = (rep & g).sum(); P = tp / max(1, rep.sum()); R = tp / g.sum()
    f = 1.25 * P * R / max(1e-9, 0.25 * P + R)
    print(f"t {t:4.2f} sent {sent.mean():.3f}  PR-AUC {average_precision(g, s):.3f}  P {P:.3f} R {R:.3f} F0.5 {f:.3f} rep {rep.sum():3d}  bestP@R>=.3 {best_p(s):.3f}")
