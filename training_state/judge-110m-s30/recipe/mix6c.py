"""Phase 6c labels: phase 6b's (runs/s29/labels_6b.jsonl) plus every read round-10 pair (the shipped cascade's
hardest undrawn real train pairs, eval/news_pairs/pairs_round10.jsonl as labelled in labels.jsonl)."""
import json
b = [json.loads(l) for l in open("runs/s29/labels_6b.jsonl") if l.strip()]
new = {json.loads(l)["id"] for l in open("eval/news_pairs/pairs_round10.jsonl") if l.strip()}
have = {r["id"] for r in b}
r10 = [json.loads(l) for l in open("eval/news_pairs/labels.jsonl") if l.strip()]
r10 = [r for r in r10 if r["id"] in new and r.get("label") and r["id"] not in have]
with open("runs/s30/labels_6c.jsonl", "w") as fh:
    fh.writelines(json.dumps(r) + "\n" for r in b + r10)
print(len(b) + len(r10), "pairs;", len(r10), "round 10,", sum(r["label"] == "contradiction" for r in r10), "of them c")
