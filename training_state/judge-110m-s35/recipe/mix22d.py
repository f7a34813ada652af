"""The 22M's distillation mix (session 35): session 31's try-2 mix (runs/s31/mix_22m_b.jsonl.gz: phase 6d's mix,
8,000 synthetic-news/MNLI rows, the modality and negation-form rows twice) plus the 110M's teacher rows
(runs/s35/teacher_rows.jsonl.gz, train stories only). Writes the pool and the teacher probabilities aligned with its
training rows (NaN where a row has no teacher).   python runs/s35/mix22d.py [REPEAT]"""
import gzip, json, sys
import numpy as np
repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 1
teacher = [json.loads(l) for l in gzip.open("runs/s35/teacher_rows.jsonl.gz", "rt", encoding="utf-8")]
with gzip.open("runs/s31/mix_22m_b.jsonl.gz", "rt", encoding="utf-8") as fh:
    head = json.loads(next(fh)); body = [json.loads(l) for l in fh if l.strip()]
rows = body + [{k: v for k, v in r.items() if k != "teacher"} for r in teacher] * repeat
probs = [[np.nan] * 3] * len(body) + [r["teacher"] for r in teacher] * repeat
train_probs = np.array([p for r, p in zip(rows, probs) if r["split"] == "train"], dtype=np.float32)
head["train_streams"]["teacher_110m"] = len(teacher) * repeat
head["teacher"] = {"model": "models/factcheck-nli-mpnet-lora (session 34 soup)", "rows": len(teacher), "repeat": repeat,
                   "without_label": sum(r["label"] == "any" for r in teacher)}
with gzip.open("runs/s35/mix_22d.jsonl.gz", "wt", encoding="utf-8") as fh:
    fh.write(json.dumps(head) + "\n")
    for r in rows:
        fh.write(json.dumps(r, ensure_ascii=False) + "\n")
np.save("runs/s35/mix_22d_teacher.npy", train_probs)
print(head["train_streams"], head["teacher"], train_probs.shape)
