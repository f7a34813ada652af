"""The 22M's second mix (session 31): mix22.py's, plus the train rows of the generated modality and negation-form sets
(runs/synth_modal.jsonl, runs/synth_negforms.jsonl) twice, since the first try lost "can be negotiated" ->
"non-negotiable".   python runs/s31/mix22b.py"""
import gzip, json
extra = []
for f in ("runs/synth_modal.jsonl", "runs/synth_negforms.jsonl"):
    rows = [json.loads(l) for l in open(f) if l.strip()]
    extra += [{"split": "train", "stream": "synth_modal_negforms", "premise": r["premise"], "hypothesis": r["hypothesis"],
               "label": r["label"], "source": "synthetic_news"} for r in rows if r["split"] == "train"] * 2
with gzip.open("runs/s31/mix_22m.jsonl.gz", "rt", encoding="utf-8") as fh:
    head = json.loads(next(fh)); body = fh.read()
head["train_streams"]["synth_modal_negforms"] = len(extra)
with gzip.open("runs/s31/mix_22m_b.jsonl.gz", "wt", encoding="utf-8") as fh:
    fh.write(json.dumps(head) + "\n"); fh.write(body if body.endswith("\n") else body + "\n")
    for r in extra:
        fh.write(json.dumps(r, ensure_ascii=False) + "\n")
print(head["train_streams"])
