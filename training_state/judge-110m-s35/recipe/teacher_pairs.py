"""Teacher rows for distilling the 22M screen from the shipped 110M (session 35): aligned claim pairs of the
train stories (eval/authored/stories.json, split train; never validation or dev), as draw.py collects them,
a random sample of them scored both ways by the 110M; each direction one row with the 110M's probabilities.
Rows already read (eval/news_pairs/labels.jsonl, train split) keep their reading as the hard label; the others
get the label "any" (no hard loss).   python runs/s35/teacher_pairs.py N OUT.jsonl.gz"""
import gzip, json, random, sys, time
from pathlib import Path
import numpy as np
sys.path.insert(0, "eval/news_pairs")
from draw import collect
from factcheck.evaluation.news_pairs import read_bodies, read_refs
from factcheck.nli import load_nli
from factcheck.pipeline import load_models, model_thresholds, settings_with
from factcheck.labels import LABELS

n, out = int(sys.argv[1]), Path(sys.argv[2])
rng = random.Random(2026120735)
split = json.loads(Path("eval/authored/stories.json").read_text())
train = {s: m for s, m in split["stories"].items() if split["split"][s] == "train" and len(m) >= 2}
read = {r.id: r for r in read_refs("eval/news_pairs/labels.jsonl")}
assert all(read[i].split == "train" for i in read if read[i].story in train)
nli, embedder, _ = load_models()
settings = settings_with(include_all=True, thresholds=model_thresholds(nli))
bodies = read_bodies("../shared/data/news/fnc1_train_bodies.csv")
t = time.time()
rows = collect(train, bodies, nli, embedder, settings, lambda s: "train")
print(f"{len(rows)} aligned pairs from {len(train)} train stories in {time.time() - t:.0f} s", file=sys.stderr, flush=True)
sample = rng.sample(rows, min(n, len(rows)))
texts = [(r["a"].text, r["b"].text) for r in sample] + [(r["b"].text, r["a"].text) for r in sample]
t = time.time()
p = np.asarray(load_nli("large").predict(texts, batch_size=32)).reshape(-1, 3)
print(f"110M scored {len(texts)} directions in {time.time() - t:.0f} s", file=sys.stderr, flush=True)
order = [LABELS.index(x) for x in ("entailment", "neutral", "contradiction")]
hard = {"contradiction": "contradiction", "compatible": "not_contradiction"}
k = 0
with gzip.open(out, "wt", encoding="utf-8") as fh:
    for j, (prem, hyp) in enumerate(texts):
        r = sample[j % len(sample)]
        ref = read.get(r["id"])
        label = hard.get(ref.label, "any") if ref is not None else "any"
        k += label != "any"
        fh.write(json.dumps({"split": "train", "stream": "teacher_110m", "premise": prem, "hypothesis": hyp,
                             "label": label, "source": "news_teacher", "story": r["story"], "pair": r["id"],
                             "teacher": [round(float(x), 5) for x in p[j][order]]}, ensure_ascii=False) + "\n")
print(f"wrote {len(texts)} rows ({k} with a reading) to {out}", file=sys.stderr)
