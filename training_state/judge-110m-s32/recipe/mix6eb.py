"""Phase 6e-b mix (a control of 6e: outlet round 3 without its number and date/time contradictions).
Phase 6e mix (#23, session 32), from phase 6d's checkpoint: the new reads first.
- round 12 (real train pairs, read in session 31, not yet trained on) and outlet round 3 (the outlet stories'
  unread pairs drawn by the shipped cascade, eval/outlets/round3) through the mix builder, contradictions x3
  (outlet round 3's x1: it is 39% contradictions),
  with 2,000 base-pool replay rows and 1,500 authored pairs;
- those new news rows once more;
- 5,000 of phase 6d's news rows (rounds 10-11 and the older rounds), so they are not forgotten;
- weak-source replay is added after (add_weak.py, 2,500 rows).
    python runs/s32/mix6e.py"""
import gzip, json, random, subprocess, sys
rng = random.Random(2026120732)
r12 = {json.loads(l)["id"] for l in open("eval/news_pairs/pairs_round12.jsonl") if l.strip()}
lab = [json.loads(l) for l in open("eval/news_pairs/labels.jsonl") if l.strip()]
lab = [r for r in lab if r["id"] in r12 and r.get("label") and r["split"] == "train"]
o3 = [json.loads(l) for l in open("eval/outlets/round3/pairs.jsonl") if l.strip()]
o3 = [r for r in o3 if r.get("label") and not (r["label"] == "contradiction" and r["type"] in ("number", "date/time"))]
with open("runs/s32/labels_6eb.jsonl", "w") as fh:
    fh.writelines(json.dumps(r) + "\n" for r in lab + o3)
print(len(lab), "round 12,", sum(r["label"] == "contradiction" for r in lab), "c;", len(o3), "outlet round 3,",
      sum(r["label"] == "contradiction" for r in o3), "c", file=sys.stderr)
subprocess.run([sys.executable, "-m", "factcheck.training.authored", "--base-pool", "runs/stage7/payload/c/pool.jsonl.xz",
                "--replay", "2000", "--authored", "runs/s29/authored_6a.jsonl", "--authored-limit", "500",
                "--news-pairs", "runs/s32/labels_6eb.jsonl", "--articles", "runs/s29/articles_all.jsonl",
                "--news-contradiction-repeat", "3", "--seed", "50", "--out", "runs/s32/mix_6eb0.jsonl.gz"], check=True)
with gzip.open("runs/s32/mix_6eb0.jsonl.gz", "rt", encoding="utf-8") as fh:
    head = json.loads(next(fh)); body = fh.read()
rows = [json.loads(l) for l in body.splitlines() if l.strip()]
# Outlet round 3 is 39% contradictions (written/written pairs): its contradictions are not tripled like the real
# rounds' (kept once per direction), so the written pairs do not outweigh the real ones' 5% base rate.
from factcheck.evaluation.news_pairs import load_news_pairs, read_articles
arts = {**read_articles("eval/outlets/articles.jsonl"), **read_articles("eval/outlets/round2/articles.jsonl")}
o3ids = {r["id"] for r in o3}
o3p = [p for p in load_news_pairs("runs/s32/labels_6eb.jsonl", "../shared/data", splits=["train"], articles=arts)
       if p.ref.id in o3ids]
o3k = {(p.a, p.b) for p in o3p} | {(p.b, p.a) for p in o3p}
seen, kept = set(), []
for r in rows:
    k = (r.get("premise"), r.get("hypothesis"))
    if r.get("stream") == "news_pairs" and k in o3k:
        if k in seen:
            continue
        seen.add(k)
    kept.append(r)
print(len(rows) - len(kept), "repeated outlet-round-3 rows dropped", file=sys.stderr)
rows = kept
head["train_streams"]["news_pairs"] = sum(r.get("stream") == "news_pairs" for r in rows)
new = [r for r in rows if r.get("stream") == "news_pairs"]
keys = {(r["premise"], r["hypothesis"]) for r in new}
extra = [dict(r, stream="new_repeat") for r in new]
old = []
with gzip.open("runs/s31/mix_6d.jsonl.gz", "rt", encoding="utf-8") as fh:
    next(fh)
    for l in fh:
        r = json.loads(l)
        if r.get("stream") in ("news_pairs", "round11_repeat", "news_6c_replay") and (r["premise"], r["hypothesis"]) not in keys:
            old.append(dict(r, stream="news_6d_replay"))
old = rng.sample(old, 5000)
head["train_streams"].update(new_repeat=len(extra), news_6d_replay=len(old))
head["phase"] = "6e-b"
with gzip.open("runs/s32/mix_6eb1.jsonl.gz", "wt", encoding="utf-8") as fh:
    fh.write(json.dumps(head) + "\n")
    for r in rows + extra + old:
        fh.write(json.dumps(r, ensure_ascii=False) + "\n")
print(head["train_streams"], file=sys.stderr)
