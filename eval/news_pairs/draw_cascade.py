"""Rounds 10-12 (#23, sessions 30-31; their commands are in README.md): undrawn real train pairs stratified by the
shipped cascade's score (the 22M screens, the 110M re-scores what it screens in), so the high strata hold what the
shipped judge now calls contradictions.

    python eval/news_pairs/draw_cascade.py --train-skip 40 --train-stories 50 --train-pairs 3200 --double 300
Writes eval/news_pairs/pairs_round10.jsonl (refs), runs/annotation10/slices/ (texts, no scores) and
runs/annotation10/hidden/draw_scores.jsonl (scores, never shown to readers)."""
import argparse, json, random, sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from draw import STRATA, collect, rescore_screened, sample, write_reading
from factcheck.evaluation.news_pairs import read_bodies, read_refs, sha
from factcheck.pipeline import load_models, model_thresholds, settings_with

ap = argparse.ArgumentParser()
ap.add_argument("--train-skip", type=int, default=40)
ap.add_argument("--train-stories", type=int, default=50)
ap.add_argument("--train-pairs", type=int, default=3200)
ap.add_argument("--double", type=int, default=300)
ap.add_argument("--screen", type=float, default=0.35)
ap.add_argument("--seed", type=int, default=20261230)
ap.add_argument("--out", default="eval/news_pairs/pairs_round10.jsonl")
ap.add_argument("--slices", default="runs/annotation10/slices")
args = ap.parse_args()
rng = random.Random(args.seed)
old_ids = {r.id for r in read_refs("eval/news_pairs/labels.jsonl")}
split = json.loads(Path("eval/authored/stories.json").read_text())
train_all = {s: m for s, m in split["stories"].items() if split["split"][s] == "train" and len(m) >= 2}
train = dict(sorted(train_all.items(), key=lambda kv: sha(kv[0]))[args.train_skip: args.train_skip + args.train_stories])
nli, embedder, _ = load_models()
settings = settings_with(include_all=True, thresholds=model_thresholds(nli))
bodies = read_bodies("../shared/data/news/fnc1_train_bodies.csv")
rows = [r for r in collect(train, bodies, nli, embedder, settings, lambda s: "train") if r["id"] not in old_ids]
n = rescore_screened(rows, args.screen)
print(f"{len(rows)} undrawn pairs; {n} screened in for the 110M", file=sys.stderr, flush=True)
drawn = sample(rows, args.train_pairs, rng)
refs = write_reading(drawn, rng, args.out, args.slices, args.double)
from collections import Counter
print("strata drawn", sorted(Counter(k for _, k, _ in drawn).items()), "pool", sorted(Counter(
    next(i for i, (lo, hi) in enumerate(STRATA) if lo <= r["c"] < hi) for r in rows).items()), file=sys.stderr)
print(f"wrote {len(refs)} refs", file=sys.stderr)
