"""Per-source accuracy, 3-way and 2-way (contradiction vs not), on the same ~3000 pool validation rows."""
import json, math, sys
from pathlib import Path
import numpy as np
from factcheck.training.distill import read_pool, load_model, predict_proba
from factcheck.training.data import LABEL_NAMES, label_mask
_, _, val = read_pool(Path("runs/s23/mix_22m.jsonl.gz"))
val = val[::math.ceil(len(val) / 3000)]
out = {}
for name in sys.argv[1:]:
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
Path("runs/s23/eval/twoway.json").write_text(json.dumps(out, indent=1))
names = sys.argv[1:]
for src in out[names[0]]:
    print(f"{src:20s} " + "  ".join(f"{out[n][src]['acc3']:.3f}/{out[n][src]['acc2']:.3f}" for n in names))
