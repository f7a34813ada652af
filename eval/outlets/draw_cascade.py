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

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "news_pairs"))

from draw import STRATA, collect, sample  # noqa: E402

from factcheck.evaluation.news_pairs import PairRef, read_bodies, read_refs, sha, write_refs  # noqa: E402
from factcheck.nli import load_nli  # noqa: E402
from factcheck.pipeline import load_models, model_thresholds, settings_with  # noqa: E402
from factcheck.verdict import two_way_scores  # noqa: E402


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
    sent = [r for r in rows if r["c"] >= args.screen]
    print(f"{len(rows)} unread pairs; {len(sent)} screened in for the 110M", file=sys.stderr, flush=True)
    large = load_nli("large")
    texts = [(r["a"].text, r["b"].text) for r in sent] + [(r["b"].text, r["a"].text) for r in sent]
    p = np.asarray(large.predict(texts, batch_size=32)).reshape(-1, 3)
    c, _ = two_way_scores(p[: len(sent)], p[len(sent):])
    for r, v in zip(sent, c):
        r["c_screen"], r["c"] = r["c"], float(v)
    drawn = sample(rows, min(args.pairs, len(rows)), rng)
    refs, reading = [], []
    for r, k, w in drawn:
        a, b = r["a"], r["b"]
        if rng.random() < 0.5:
            a, b = b, a
        refs.append(PairRef(id=r["id"], split="train", story=r["story"], body_a=a.article, start_a=a.start,
                            end_a=a.end, sha_a=sha(a.text), body_b=b.article, start_b=b.start, end_b=b.end,
                            sha_b=sha(b.text), stratum=f"{STRATA[k][0]:.2f}-{min(STRATA[k][1], 1.0):.2f}",
                            weight=round(w, 3)))
        reading.append({"id": r["id"], "a": a.text, "b": b.text})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_refs(refs, args.out)
    sl = args.slices
    hidden = sl.parent / "hidden"
    sl.mkdir(parents=True, exist_ok=True)
    hidden.mkdir(exist_ok=True)
    with open(hidden / "draw_scores.jsonl", "w") as fh:
        for r, k, w in drawn:
            fh.write(json.dumps({"id": r["id"], "c": round(r["c"], 4), "c_screen": r.get("c_screen"),
                                 "stratum": k}) + "\n")
    order = list(range(len(reading)))
    rng.shuffle(order)
    for n in range(0, len(order), 100):
        (sl / f"first{n // 100 + 1:02d}.jsonl").write_text(
            "".join(json.dumps(reading[j], ensure_ascii=False) + "\n" for j in order[n:n + 100]), encoding="utf-8")
    second = order[: args.double]
    rng.shuffle(second)
    for n in range(0, len(second), 100):
        (sl / f"second{n // 100 + 1:02d}.jsonl").write_text(
            "".join(json.dumps(reading[j], ensure_ascii=False) + "\n" for j in second[n:n + 100]), encoding="utf-8")
    pool = Counter(next(i for i, (lo, hi) in enumerate(STRATA) if lo <= r["c"] < hi) for r in rows)
    print("strata drawn", sorted(Counter(k for _, k, _ in drawn).items()), "pool", sorted(pool.items()),
          file=sys.stderr)
    print(f"wrote {len(refs)} refs to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
