"""Repeat the round-10 rows of a mix once more (stream round10_repeat): they are the shipped judge's own hard
pairs, and a 40-minute run sees less than half an epoch of the mix.
    python runs/s30/repeat_r10.py IN.jsonl.gz OUT.jsonl.gz"""
import gzip, json, sys
from factcheck.evaluation.news_pairs import load_news_pairs, read_refs
src, out = sys.argv[1], sys.argv[2]
ids = {r.id for r in read_refs("eval/news_pairs/pairs_round10.jsonl")}
pairs = [p for p in load_news_pairs("eval/news_pairs/labels.jsonl", "../shared/data", splits=["train"]) if p.ref.id in ids]
keys = {(p.a, p.b) for p in pairs} | {(p.b, p.a) for p in pairs}
with gzip.open(src, "rt", encoding="utf-8") as fh:
    head = json.loads(next(fh)); body = fh.read()
extra = []
for line in body.splitlines():
    r = json.loads(line)
    if r.get("stream") == "news_pairs" and (r["premise"], r["hypothesis"]) in keys:
        extra.append(dict(r, stream="round10_repeat"))
head["train_streams"]["round10_repeat"] = len(extra)
with gzip.open(out, "wt", encoding="utf-8") as fh:
    fh.write(json.dumps(head) + "\n"); fh.write(body if body.endswith("\n") else body + "\n")
    for r in extra:
        fh.write(json.dumps(r, ensure_ascii=False) + "\n")
print(len(pairs), "round-10 pairs;", len(extra), "rows repeated;", head["train_streams"])
