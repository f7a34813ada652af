#!/usr/bin/env bash
# Phase 6c: from phase 6b's checkpoint, on 6b's mix plus round 10 (read hard pairs), news repeated; weak replay
# adds mined news. Resumable: run it again.
set -euo pipefail
set -x
if [ ! -f runs/s30/mix_6c.jsonl.gz ]; then
  .venv/bin/python runs/s30/mix6c.py
  .venv/bin/python -m factcheck.training.authored --base-pool runs/stage7/payload/c/pool.jsonl.xz --replay 2500 \
    --authored runs/s29/authored_6a.jsonl --authored-limit 0 --news-pairs runs/s30/labels_6c.jsonl \
    --articles runs/s29/articles_all.jsonl --news-contradiction-repeat 3 --seed 48 --out runs/s30/mix_6c0.jsonl.gz
  .venv/bin/python runs/s30/repeat_r10.py runs/s30/mix_6c0.jsonl.gz runs/s30/mix_6c1.jsonl.gz
  .venv/bin/python runs/s30/add_weak.py runs/s30/mix_6c1.jsonl.gz runs/stage7/payload/c/pool.jsonl.xz runs/s30/mix_6c.jsonl.gz 2400
fi
POOL=runs/s30/mix_6c.jsonl.gz OUT=runs/s30/judge-110m-6c INIT=training_state/judge-110m-s29/checkpoint.pt \
  BUDGET=${BUDGET:-2400} LR=${LR:-1e-4} runs/s25/train.sh
echo train done
