#!/usr/bin/env bash
# Phase 6e-b (control, not shipped): from phase 6d's checkpoint, on round 12 and outlet round 3 (twice), 5,000 of 6d's news rows, authored
# and replay rows, weak-source replay. Resumable: run it again.
set -euo pipefail
set -x
if [ ! -f runs/s32/mix_6eb.jsonl.gz ]; then
  .venv/bin/python runs/s32/mix6eb.py
  .venv/bin/python runs/s31/add_weak.py runs/s32/mix_6eb1.jsonl.gz runs/stage7/payload/c/pool.jsonl.xz runs/s32/mix_6eb.jsonl.gz 2500
fi
POOL=runs/s32/mix_6eb.jsonl.gz OUT=runs/s32/judge-110m-6eb INIT=training_state/judge-110m-s31/checkpoint.pt \
  BUDGET=${BUDGET:-2700} LR=${LR:-1e-4} runs/s25/train.sh
echo train done
