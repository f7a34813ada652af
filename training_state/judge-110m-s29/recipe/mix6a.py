"""Phase 6a labels: all real train pairs' contradictions, 3,000 other real train pairs, outlet contradictions that are
not figures/dates/places and 1,500 outlet compatible pairs; plus the authored denial/hoax/attribution/hedge families."""
import json, random
rng = random.Random(296)
outlets = [json.loads(l) for l in open("eval/outlets/pairs.jsonl") if l.strip()]
ok = [r for r in outlets if r["label"] == "compatible"]
oc = [r for r in outlets if r["label"] == "contradiction" and r["type"] not in ("number", "date/time", "place")]
old = [json.loads(l) for l in open("eval/news_pairs/labels.jsonl") if l.strip()]
old = [r for r in old if r["split"] == "train" and r.get("label")]
c = [r for r in old if r["label"] == "contradiction"]
rest = [r for r in old if r["label"] != "contradiction"]
out = rng.sample(ok, 1500) + oc + c + rng.sample(rest, 3000)
with open("runs/s29/labels_6a.jsonl", "w") as fh:
    fh.writelines(json.dumps(r) + "\n" for r in out)
fams = {"c_denial", "c_hoax", "k_attribution", "k_denialsyn", "k_hedged"}
au = [json.loads(l) for l in open("eval/authored/authored.jsonl") if l.strip()]
au = [r for r in au if r["family"] in fams]
with open("runs/s29/authored_6a.jsonl", "w") as fh:
    fh.writelines(json.dumps(r) + "\n" for r in au)
print(len(out), "pairs;", len(oc), "outlet c;", len(c), "real c;", len(au), "authored")
