"""Phase 6b labels: phase 6a's (runs/s29/labels_6a.jsonl) plus every read pair of the round-2 outlets
(eval/outlets/round2/pairs.jsonl) and every real train compatible denial/attribution pair; all articles of both rounds in one file for the mix builder."""
import json
a = [json.loads(l) for l in open("runs/s29/labels_6a.jsonl") if l.strip()]
r2 = [json.loads(l) for l in open("eval/outlets/round2/pairs.jsonl") if l.strip()]
r2 = [r for r in r2 if r.get("label")]
# Round 2's written side alone predicts its label (one-side AUC 0.76: the denials' wording); every real train
# compatible pair of the denial/attribution type not already in (989) brings the mix's one-side AUC 0.647 -> 0.619.
have = {r["id"] for r in a}
old = [json.loads(l) for l in open("eval/news_pairs/labels.jsonl") if l.strip()]
a += [r for r in old if r["split"] == "train" and r.get("label") and r["label"] != "contradiction"
      and r.get("type") == "denial/attribution" and r["id"] not in have]
with open("runs/s29/labels_6b.jsonl", "w") as fh:
    fh.writelines(json.dumps(r) + "\n" for r in a + r2)
with open("runs/s29/articles_all.jsonl", "w") as fh:
    for f in ("eval/outlets/articles.jsonl", "eval/outlets/round2/articles.jsonl"):
        fh.writelines(l for l in open(f) if l.strip())
print(len(a) + len(r2), "pairs;", len(r2), "round 2,", sum(r["label"] == "contradiction" for r in r2), "of them c")
