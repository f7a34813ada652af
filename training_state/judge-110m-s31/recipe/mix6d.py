"""Phase 6d mix (#23, session 31), from phase 6c's checkpoint: the new data first.
- rounds 10 and 11 (the shipped judges' own hardest read train pairs) through the mix builder, contradictions x3,
  with 2,000 base-pool replay rows and 1,500 authored pairs (session 29's families);
- the rows of round 11 once more (it is new to the model; round 10 is not);
- 5,000 rows of phase 6c's other news rows (earlier rounds, outlets), so the older read pairs are not forgotten;
- weak-source replay is added after (add_weak.py, 2,400 rows).
    python runs/s31/mix6d.py"""
import gzip, json, random, subprocess, sys
rng = random.Random(2026120731)
ids = {}
for n in (10, 11):
    for l in open(f"eval/news_pairs/pairs_round{n}.jsonl"):
        if l.strip():
            ids[json.loads(l)["id"]] = n
lab = [json.loads(l) for l in open("eval/news_pairs/labels.jsonl") if l.strip()]
lab = [r for r in lab if r["id"] in ids and r.get("label") and r["split"] == "train"]
with open("runs/s31/labels_6d.jsonl", "w") as fh:
    fh.writelines(json.dumps(r) + "\n" for r in lab)
print(len(lab), "pairs;", {n: sum(ids[r["id"]] == n for r in lab) for n in (10, 11)},
      sum(r["label"] == "contradiction" for r in lab), "c", file=sys.stderr)
subprocess.run([sys.executable, "-m", "factcheck.training.authored", "--base-pool", "runs/stage7/payload/c/pool.jsonl.xz",
                "--replay", "2000", "--authored", "runs/s29/authored_6a.jsonl", "--authored-limit", "500",
                "--news-pairs", "runs/s31/labels_6d.jsonl", "--articles", "", "--news-contradiction-repeat", "3",
                "--seed", "49", "--out", "runs/s31/mix_6d0.jsonl.gz"], check=True)
from factcheck.evaluation.news_pairs import load_news_pairs
r11 = {i for i, n in ids.items() if n == 11}
pairs = [p for p in load_news_pairs("eval/news_pairs/labels.jsonl", "../shared/data", splits=["train"]) if p.ref.id in ids]
keys11 = {(p.a, p.b) for p in pairs if p.ref.id in r11} | {(p.b, p.a) for p in pairs if p.ref.id in r11}
keys_all = {(p.a, p.b) for p in pairs} | {(p.b, p.a) for p in pairs}
with gzip.open("runs/s31/mix_6d0.jsonl.gz", "rt", encoding="utf-8") as fh:
    head = json.loads(next(fh)); body = fh.read()
rows = [json.loads(l) for l in body.splitlines() if l.strip()]
extra = [dict(r, stream="round11_repeat") for r in rows
         if r.get("stream") == "news_pairs" and (r["premise"], r["hypothesis"]) in keys11]
old = []
with gzip.open("runs/s30/mix_6c.jsonl.gz", "rt", encoding="utf-8") as fh:
    next(fh)
    for l in fh:
        r = json.loads(l)
        if r.get("stream") == "news_pairs" and (r["premise"], r["hypothesis"]) not in keys_all:
            old.append(dict(r, stream="news_6c_replay"))
old = rng.sample(old, 5000)
head["train_streams"].update(round11_repeat=len(extra), news_6c_replay=len(old))
head["phase"] = "6d"
with gzip.open("runs/s31/mix_6d1.jsonl.gz", "wt", encoding="utf-8") as fh:
    fh.write(json.dumps(head) + "\n")
    for r in rows + extra + old:
        fh.write(json.dumps(r, ensure_ascii=False) + "\n")
print(head["train_streams"], file=sys.stderr)
