"""The 22M's mix (session 31): phase 6d's mix plus 6,000 synthetic-news rows (the generated negation, modality and
syntax sets the shipped 22M learned its sanity cases from) and 2,000 MNLI rows, train split of the base pool.
    python runs/s31/mix22.py"""
import gzip, json, lzma, random
rng = random.Random(2231)
extra = {"synthetic_news": [], "mnli": []}
with lzma.open("runs/stage7/payload/c/pool.jsonl.xz", "rt", encoding="utf-8") as fh:
    next(fh)
    for l in fh:
        r = json.loads(l)
        if r.get("split") == "train" and r.get("source") in extra:
            extra[r["source"]].append(r)
rows = [dict(r, stream="replay_22m") for r in rng.sample(extra["synthetic_news"], 6000) + rng.sample(extra["mnli"], 2000)]
with gzip.open("runs/s31/mix_6d.jsonl.gz", "rt", encoding="utf-8") as fh:
    head = json.loads(next(fh)); body = fh.read()
head["train_streams"]["replay_22m"] = len(rows)
with gzip.open("runs/s31/mix_22m.jsonl.gz", "wt", encoding="utf-8") as fh:
    fh.write(json.dumps(head) + "\n"); fh.write(body if body.endswith("\n") else body + "\n")
    for r in rows:
        fh.write(json.dumps(r, ensure_ascii=False) + "\n")
print(head["train_streams"])
