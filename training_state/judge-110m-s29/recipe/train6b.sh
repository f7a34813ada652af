#!/usr/bin/env bash
set -euo pipefail
set -x
if [ ! -f runs/s29/mix_6b.jsonl.gz ]; then
  .venv/bin/python runs/s29/mix6b.py
  .venv/bin/python -m factcheck.training.authored --base-pool runs/stage7/payload/c/pool.jsonl.xz --replay 2500 \
    --authored runs/s29/authored_6a.jsonl --authored-limit 0 --news-pairs runs/s29/labels_6b.jsonl \
    --articles runs/s29/articles_all.jsonl --news-contradiction-repeat 3 --seed 47 --out runs/s29/mix_6b0.jsonl.gz
  .venv/bin/python runs/s27/add_weak.py runs/s29/mix_6b0.jsonl.gz runs/stage7/payload/c/pool.jsonl.xz runs/s29/mix_6b.jsonl.gz 1500
fi
POOL=runs/s29/mix_6b.jsonl.gz OUT=runs/s29/judge-110m-6b INIT=training_state/judge-110m-s27/checkpoint.pt \
  BUDGET=${BUDGET:-2400} LR=1e-4 runs/s25/train.sh
echo train done
