"""Append extra replay rows from the pool sources the news mixes cost (train split only) to a mix file."""
import gzip, json, lzma, random, sys
mix, base, out, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
weak = ("esnli", "vitaminc_synthetic", "synthetic_news", "mined_news", "mnli")
rows = {w: [] for w in weak}
with lzma.open(base, "rt", encoding="utf-8") as fh:
    next(fh)
    for line in fh:
        r = json.loads(line)
        if r.get("split") == "train" and r.get("source") in rows:
            rows[r["source"]].append(r)
rng = random.Random(33)
extra = [dict(r, stream="replay_weak") for w in weak for r in rng.sample(rows[w], n // len(weak))]
with gzip.open(mix, "rt", encoding="utf-8") as fh:
    head = json.loads(next(fh)); body = fh.read()
head["train_streams"]["replay_weak"] = len(extra)
head["replay_weak"] = {"sources": list(weak), "rows_each": n // len(weak), "seed": 33}
with gzip.open(out, "wt", encoding="utf-8") as fh:
    fh.write(json.dumps(head) + "\n"); fh.write(body)
    for r in extra:
        fh.write(json.dumps(r, ensure_ascii=False) + "\n")
print(head["train_streams"])
