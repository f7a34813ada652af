"""Per-source accuracy of the judges on the same ~3000 pool validation rows: the small model, the large tier and
the cascade, as `check` runs them (through ``factcheck.nli.load_nli``).

    python eval/nli_sources_judges.py POOL OUT.json [--adapter DIR]

Rows: every k-th validation row of the pool, as ``eval/nli_twoway.py`` picks them, so figures compare with it.
3-way: argmax against the gold label set. 2-way: contradiction (argmax) against not. The cascade on one-direction
rows: the small model's call stands unless its contradiction probability reaches the screening threshold (or it
calls a contradiction); then the large tier's argmax decides. This approximates the two-way verdict of `check`
on rows that have one direction only.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np

from factcheck.nli import load_nli
from factcheck.nli.cascade import CascadeNLI
from factcheck.training.data import LABEL_NAMES, label_mask
from factcheck.training.distill import read_pool


def per_source(val, probs: np.ndarray) -> dict:
    ci = LABEL_NAMES.index("contradiction")
    out = {}
    for src in sorted({e.source for e in val}):
        idx = [i for i, e in enumerate(val) if e.source == src]
        m = np.array([label_mask(val[i].label) for i in idx])
        three = float(np.mean([m[j][probs[i].argmax()] for j, i in enumerate(idx)]))
        gold_c = m[:, ci] & (m.sum(1) == 1)
        gold_not = ~m[:, ci]
        pred_c = probs[idx].argmax(-1) == ci
        keep = gold_c | gold_not
        ok = (pred_c & gold_c) | (~pred_c & gold_not)
        out[src] = {"n": len(idx), "acc3": round(three, 4), "acc2": round(float(ok[keep].mean()), 4)}
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pool", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--adapter", type=Path, help="the large tier's adapter folder (default: the shipped one)")
    args = ap.parse_args(argv)
    _, _, val = read_pool(args.pool)
    val = val[::math.ceil(len(val) / 3000)]
    pairs = [(e.premise, e.hypothesis) for e in val]
    small = load_nli("default")
    if args.adapter:
        from factcheck.nli.large import load_large

        large = load_large(adapter=args.adapter)
    else:
        large = load_nli("large")
    ps = small.predict(pairs, batch_size=32)
    pl = large.predict(pairs, batch_size=32)
    cascade = CascadeNLI(small, large)
    ci = LABEL_NAMES.index("contradiction")
    sent = (ps[:, ci] >= cascade.screen_threshold) | (ps.argmax(-1) == ci)
    pc = np.where(sent[:, None], pl, ps)
    out = {"rows": len(val), "screen_threshold": cascade.screen_threshold, "sent_to_verifier": int(sent.sum()),
           "small": per_source(val, ps), "large": per_source(val, pl), "cascade": per_source(val, pc),
           "large_model": large.info.to_dict()}
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    for src in out["small"]:
        row = [f"{out[k][src]['acc3']:.3f}/{out[k][src]['acc2']:.3f}" for k in ("small", "large", "cascade")]
        print(f"{src:20s} n={out['small'][src]['n']:4d}  " + "  ".join(row))


if __name__ == "__main__":
    main()
