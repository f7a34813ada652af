#!/usr/bin/env bash
# Phase 6d: from phase 6c's checkpoint, on rounds 10-11 (round 11 twice), 5,000 older news rows, authored and
# replay rows, weak-source replay with MNLI added. Resumable: run it again.
set -euo pipefail
set -x
if [ ! -f runs/s31/mix_6d.jsonl.gz ]; then
  .venv/bin/python runs/s31/mix6d.py
  .venv/bin/python runs/s31/add_weak.py runs/s31/mix_6d1.jsonl.gz runs/stage7/payload/c/pool.jsonl.xz runs/s31/mix_6d.jsonl.gz 2500
fi
POOL=runs/s31/mix_6d.jsonl.gz OUT=runs/s31/judge-110m-6d INIT=training_state/judge-110m-s30/checkpoint.pt \
  BUDGET=${BUDGET:-2700} LR=${LR:-1e-4} runs/s25/train.sh
echo train done
