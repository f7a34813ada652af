"""bf16 agreement with fp32 for a 22M model folder, as bench_check.py --measure records it: python benchmarks/measure_bf16.py models/factcheck-nli-minilm"""
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_check import agreement, machine, precision_record, validation_pairs
from factcheck.device import meets_bar
from factcheck.nli import PRECISION_FILE, load_nli
from factcheck.pipeline import model_thresholds

d = Path(sys.argv[1])
(d / PRECISION_FILE).unlink(missing_ok=True)
models = {p: load_nli(d, device="cpu", precision=p) for p in ("fp32", "bf16")}
_, val = validation_pairs()
probs = {}
for p, m in models.items():
    s = time.perf_counter(); probs[p] = m.predict(val); print(p, round(time.perf_counter() - s, 1), "s", flush=True)
a = agreement(probs["bf16"], probs["fp32"], model_thresholds(models["fp32"]))
mc = machine()
data = precision_record(d, {"name": "news-pairs validation split, both directions",
                            "source": "eval/news_pairs/labels.jsonl (split validation)", "pairs": len(val)},
                        f"python benchmarks/measure_bf16.py {sys.argv[1]}",
                        f"{mc['cpu']} ({mc['bf16_flag'] or 'no bf16 units: bf16 emulated by PyTorch'})",
                        {"bf16": {**a, "meets_bar": meets_bar(a)}})
(d / PRECISION_FILE).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
print(json.dumps(data["precisions"]))
