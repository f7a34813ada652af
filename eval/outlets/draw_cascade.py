"""Outlet round 3 (#23, session 32): the rival-outlet stories' aligned pairs that no reader has seen, drawn by the
shipped cascade's score, so the high strata hold what the shipped judge now calls contradictions.

    python eval/outlets/draw_cascade.py --pairs 1400 --double 200 --out eval/outlets/round3/pairs.jsonl \
        --slices runs/outlets3/slices

Each of the 87 stories is one cluster: its FNC-1 train body and all six written articles (round 1's A-D, round 2's
E-F; both committed in ``eval/outlets``), so pairs between round-1 and round-2 articles, never aligned before, are
in the pool. Pairs already read in rounds 1-2 are left out. The 22M screens every pair at 0.35 and the 110M re-scores
what it screens in (as ``check`` does); the scores only choose the strata and go to ``<slices>/../hidden/``.
Readers see the two claims, sides shuffled, no score."""
from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "news_pairs"))

from draw import STRATA, collect, rescore_screened, sample, write_reading  # noqa: E402

from factcheck.evaluation.news_pairs import read_bodies, read_refs, sha  # noqa: E402
from factcheck.pipeline import load_models, model_thresholds, settings_with  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    ap.add_argument("--pairs", type=int, default=1400)
    ap.add_argument("--double", type=int, default=200)
    ap.add_argument("--screen", type=float, default=0.35)
    ap.add_argument("--seed", type=int, default=20261209)
    ap.add_argument("--out", type=Path, default=Path("eval/outlets/round3/pairs.jsonl"))
    ap.add_argument("--slices", type=Path, default=Path("runs/outlets3/slices"))
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    here = Path(__file__).resolve().parent
    articles = [json.loads(x) for f in (here / "articles.jsonl", here / "round2" / "articles.jsonl")
                for x in open(f, encoding="utf-8") if x.strip()]
    old = {r.id for f in (here / "pairs.jsonl", here / "round2" / "pairs.jsonl") for r in read_refs(f)}
    originals = read_bodies(args.data_dir / "news" / "fnc1_train_bodies.csv")
    bodies: dict[str, str] = {}
    stories: dict[str, list[str]] = {}
    for a in articles:
        if sha(a["text"].strip()) != a["sha"]:
            raise SystemExit(f"article {a['id']}: text does not match its hash")
        bodies[a["id"]] = a["text"].strip()
        stories.setdefault(a["story"], [a["body"]]).append(a["id"])
        bodies[a["body"]] = originals[a["body"]]
    print(f"{len(stories)} stories, {len(articles)} articles, {len(old)} pairs read before", file=sys.stderr)
    nli, embedder, _ = load_models()
    settings = settings_with(include_all=True, thresholds=model_thresholds(nli))
    rows = [r for r in collect(stories, bodies, nli, embedder, settings, lambda s: "train") if r["id"] not in old]
    n = rescore_screened(rows, args.screen)
    print(f"{len(rows)} unread pairs; {n} screened in for the 110M", file=sys.stderr, flush=True)
    drawn = sample(rows, min(args.pairs, len(rows)), rng)
    refs = write_reading(drawn, rng, args.out, args.slices, args.double)
    pool = Counter(next(i for i, (lo, hi) in enumerate(STRATA) if lo <= r["c"] < hi) for r in rows)
    print("strata drawn", sorted(Counter(k for _, k, _ in drawn).items()), "pool", sorted(pool.items()),
          file=sys.stderr)
    print(f"wrote {len(refs)} refs to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
