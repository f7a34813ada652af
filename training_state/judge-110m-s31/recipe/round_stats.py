"""Round N's read pairs: label counts, stories, contradiction types, and the share of contradictions by the drawing
score's stratum.   python runs/s31/round_stats.py N"""
import json, sys
from collections import Counter
n = sys.argv[1]
ids = {json.loads(l)["id"] for l in open(f"eval/news_pairs/pairs_round{n}.jsonl") if l.strip()}
lab = {r["id"]: r for r in map(json.loads, open("eval/news_pairs/labels.jsonl")) if r["id"] in ids and r.get("label")}
print(len(lab), Counter(r["label"] for r in lab.values()), "stories", len({r["story"] for r in lab.values()}),
      "stories with c", len({r["story"] for r in lab.values() if r["label"] == "contradiction"}))
print(Counter(r["type"] for r in lab.values() if r["label"] == "contradiction").most_common())
sc = {r["id"]: r for r in map(json.loads, open(f"runs/annotation{n}/hidden/draw_scores.jsonl"))}
S = ((0.0, 0.1), (0.1, 0.3), (0.3, 0.5), (0.5, 0.76), (0.76, 0.9), (0.9, 0.97), (0.97, 1.01))
for k, (lo, hi) in enumerate(S):
    rs = [lab[i] for i, s in sc.items() if s["stratum"] == k and i in lab]
    c = sum(r["label"] == "contradiction" for r in rs)
    print(f"| {lo:.2f}–{min(hi, 1):.2f} | {len(rs)} | {c} | {c / max(1, len(rs)):.2f} |")
