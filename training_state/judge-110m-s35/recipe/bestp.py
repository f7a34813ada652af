"""Best precision at recall >= 0.30 (#23's dev target, read on any split) and P@10/50 of prediction files."""
import json, sys
import numpy as np
for f in sys.argv[1:]:
    rows = [json.loads(l) for l in open(f)]
    g = np.array([r["gold"] == "contradiction" for r in rows]); s = np.array([r["contradiction"] for r in rows])
    o = np.argsort(-s, kind="stable"); tp = np.cumsum(g[o]); k = np.arange(1, len(o) + 1); p, r = tp / k, tp / g.sum()
    print(f"{f}: best P at R>=0.30 {p[r >= 0.30].max():.3f}  P@10 {p[9]:.2f}  P@50 {p[49]:.2f}")
