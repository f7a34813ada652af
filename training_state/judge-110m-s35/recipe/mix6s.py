"""Phase 6s of the 110M (session 35, a student of its own soup on unread in-domain pairs): session 33's control mix
(runs/s33/mix_6z.jsonl.gz, hard labels, no teacher) plus the teacher rows of runs/s35/teacher_rows.jsonl.gz (train
stories only: the soup's probabilities; read rows keep their reading too). Writes the pool and the aligned teacher
probabilities (NaN where a row has none).   python runs/s35/mix6s.py"""
import gzip, json
import numpy as np
teacher = [json.loads(l) for l in gzip.open("runs/s35/teacher_rows.jsonl.gz", "rt", encoding="utf-8")]
with gzip.open("runs/s33/mix_6z.jsonl.gz", "rt", encoding="utf-8") as fh:
    head = json.loads(next(fh)); body = [json.loads(l) for l in fh if l.strip()]
rows = body + [{k: v for k, v in r.items() if k != "teacher"} for r in teacher]
probs = [[np.nan] * 3] * len(body) + [r["teacher"] for r in teacher]
train_probs = np.array([p for r, p in zip(rows, probs) if r["split"] == "train"], dtype=np.float32)
head["train_streams"]["teacher_110m"] = len(teacher)
head["phase"] = "6s"
head["teacher"] = {"model": "models/factcheck-nli-mpnet-lora (session 34 soup)", "rows": len(teacher),
                   "without_label": sum(r["label"] == "any" for r in teacher)}
with gzip.open("runs/s35/mix_6s.jsonl.gz", "wt", encoding="utf-8") as fh:
    fh.write(json.dumps(head) + "\n")
    for r in rows:
        fh.write(json.dumps(r, ensure_ascii=False) + "\n")
np.save("runs/s35/mix_6s_teacher.npy", train_probs)
print(head["train_streams"], head["teacher"], train_probs.shape)
