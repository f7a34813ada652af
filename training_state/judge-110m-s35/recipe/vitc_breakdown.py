"""Where the cascade loses synthetic VitaminC (pool validation rows as eval/nli_sources_judges.py picks them)."""
import math, sys
import numpy as np
from pathlib import Path
from factcheck.nli import load_nli
from factcheck.training.data import LABEL_NAMES, label_mask
from factcheck.training.distill import read_pool
src = sys.argv[1] if len(sys.argv) > 1 else "vitaminc_synthetic"
_, _, val = read_pool(Path("runs/stage7/payload/c/pool.jsonl.xz"))
val = val[::math.ceil(len(val) / 3000)]
val = [e for e in val if e.source == src]
pairs = [(e.premise, e.hypothesis) for e in val]
ps = load_nli("default").predict(pairs); pl = load_nli("large").predict(pairs)
ci = LABEL_NAMES.index("contradiction")
m = np.array([label_mask(e.label) for e in val]); gold_c = m[:, ci] & (m.sum(1) == 1); gold_not = ~m[:, ci]
keep = gold_c | gold_not
sc, lc = ps.argmax(-1) == ci, pl.argmax(-1) == ci
sent = (ps[:, ci] >= 0.35) | sc
cc = np.where(sent, lc, sc)
def ok(p): return ((p & gold_c) | (~p & gold_not))[keep]
print(src, "n", keep.sum(), "gold con", gold_c.sum(), "small", ok(sc).mean().round(3), "large", ok(lc).mean().round(3), "cascade", ok(cc).mean().round(3))
k = keep
print("unsent gold-con missed (small c<0.35):", int((~sent & gold_c & k).sum()), " of which large right:", int((~sent & gold_c & lc & k).sum()))
print("sent, small right, large wrong:", int((sent & k & (sc == gold_c) & (lc != gold_c)).sum()), " sent, small wrong, large right:", int((sent & k & (sc != gold_c) & (lc == gold_c)).sum()))
print("false con by large on sent non-con:", int((sent & gold_not & lc).sum()), " missed con by large on sent:", int((sent & gold_c & ~lc).sum()))
