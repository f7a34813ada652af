"""Per-source accuracy, 3-way and 2-way (contradiction vs not), on the same ~3000 pool validation rows.

    python eval/nli_twoway.py POOL OUT.json MODEL_DIR [MODEL_DIR ...]

Every k-th validation row of the pool (as ``distill fit/score --val-limit 3000``), so models compare on the same rows.
"""
import json, math, sys
from pathlib import Path
import numpy as np
from factcheck.training.distill import read_pool, load_model, predict_proba
from factcheck.training.data import LABEL_NAMES, label_mask
pool, out_file, names = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
_, _, val = read_pool(pool)
val = val[::math.ceil(len(val) / 3000)]
out = {}
for name in names:
    model, tok = load_model(Path(name), "cpu")
    p = predict_proba(model, tok, val, "cpu", 128)
    ci = LABEL_NAMES.index("contradiction")
    res = {}
    for src in sorted({e.source for e in val}):
        idx = [i for i, e in enumerate(val) if e.source == src]
        m = np.array([label_mask(val[i].label) for i in idx])
        three = np.mean([m[j][p[i].argmax()] for j, i in enumerate(idx)])
        gold_c = np.array([m[j][ci] and m[j].sum() == 1 for j, i in enumerate(idx)])
        gold_not = np.array([not m[j][ci] for j, i in enumerate(idx)])
        pred_c = p[idx].argmax(-1) == ci
        ok = [(pc and gc) or (not pc and gn) for pc, gc, gn in zip(pred_c, gold_c, gold_not)]
        keep = gold_c | gold_not
        res[src] = {"n": len(idx), "acc3": round(float(three), 4), "acc2": round(float(np.mean(np.array(ok)[keep])), 4)}
    out[name] = res
out_file.write_text(json.dumps(out, indent=1))
for src in out[names[0]]:
    print(f"{src:20s} " + "  ".join(f"{out[n][src]['acc3']:.3f}/{out[n][src]['acc2']:.3f}" for n in names))
