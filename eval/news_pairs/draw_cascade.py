"""Rounds 10-12 (#23, sessions 30-31; their commands are in README.md): undrawn real train pairs stratified by the
shipped cascade's score (the 22M screens, the 110M re-scores what it screens in), so the high strata hold what the
shipped judge now calls contradictions.

    python eval/news_pairs/draw_cascade.py --train-skip 40 --train-stories 50 --train-pairs 3200 --double 300
Writes eval/news_pairs/pairs_round10.jsonl (refs), runs/annotation10/slices/ (texts, no scores) and
runs/annotation10/hidden/draw_scores.jsonl (scores, never shown to readers)."""
import argparse, json, math, random, sys
from pathlib import Path
import numpy as np
sys.path.insert(0, str(Path(__file__).resolve().parent))
from draw import STRATA, collect, sample
from factcheck.evaluation.news_pairs import PairRef, read_bodies, read_refs, sha, write_refs
from factcheck.pipeline import load_models, model_thresholds, settings_with
from factcheck.nli import load_nli
from factcheck.verdict import two_way_scores

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
sent = [r for r in rows if r["c"] >= args.screen]
print(f"{len(rows)} undrawn pairs; {len(sent)} screened in for the 110M", file=sys.stderr, flush=True)
large = load_nli("large")
texts = [(r["a"].text, r["b"].text) for r in sent] + [(r["b"].text, r["a"].text) for r in sent]
p = np.asarray(large.predict(texts, batch_size=32)).reshape(-1, 3)
c, _ = two_way_scores(p[: len(sent)], p[len(sent):])
for r, v in zip(sent, c):
    r["c_screen"], r["c"] = r["c"], float(v)
drawn = sample(rows, args.train_pairs, rng)
refs, reading = [], []
for r, k, w in drawn:
    a, b = r["a"], r["b"]
    if rng.random() < 0.5:
        a, b = b, a
    refs.append(PairRef(id=r["id"], split="train", story=r["story"], body_a=a.article, start_a=a.start, end_a=a.end,
                        sha_a=sha(a.text), body_b=b.article, start_b=b.start, end_b=b.end, sha_b=sha(b.text),
                        stratum=f"{STRATA[k][0]:.2f}-{min(STRATA[k][1], 1.0):.2f}", weight=round(w, 3)))
    reading.append({"id": r["id"], "a": a.text, "b": b.text})
write_refs(refs, args.out)
sl = Path(args.slices); hidden = sl.parent / "hidden"; sl.mkdir(parents=True, exist_ok=True); hidden.mkdir(exist_ok=True)
with open(hidden / "draw_scores.jsonl", "w") as fh:
    for r, k, w in drawn:
        fh.write(json.dumps({"id": r["id"], "c": round(r["c"], 4), "c_screen": r.get("c_screen"), "stratum": k}) + "\n")
order = list(range(len(reading))); rng.shuffle(order)
per = 100
for n in range(0, len(order), per):
    (sl / f"first{n // per + 1:02d}.jsonl").write_text(
        "".join(json.dumps(reading[j], ensure_ascii=False) + "\n" for j in order[n:n + per]), encoding="utf-8")
second = order[: args.double]; rng.shuffle(second)
for n in range(0, len(second), per):
    (sl / f"second{n // per + 1:02d}.jsonl").write_text(
        "".join(json.dumps(reading[j], ensure_ascii=False) + "\n" for j in second[n:n + per]), encoding="utf-8")
from collections import Counter
print("strata drawn", sorted(Counter(k for _, k, _ in drawn).items()), "pool", sorted(Counter(
    next(i for i, (lo, hi) in enumerate(STRATA) if lo <= r["c"] < hi) for r in rows).items()), file=sys.stderr)
print(f"wrote {len(refs)} refs", file=sys.stderr)
