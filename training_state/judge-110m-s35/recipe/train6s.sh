#!/usr/bin/env bash
# Phase 6s (session 35): the shipped soup's adapter (all 12 layers) trained on mix6s.py's mix, the soup's own
# probabilities on unread train-story pairs as soft targets (alpha 0.5 where a row is also read). Resumable.
set -euo pipefail
[ -f runs/s35/mix_6s.jsonl.gz ] || .venv/bin/python runs/s35/mix6s.py
BASE=$(.venv/bin/python -c 'from factcheck.nli.large import base_dir; print(base_dir())')
exec .venv/bin/python -m factcheck.training.distill fit --pool runs/s35/mix_6s.jsonl.gz --init "$BASE" \
  --init-name all-mpnet-base-v2 --init-adapter runs/s35/soup_start.pt --teacher-probs runs/s35/mix_6s_teacher.npy \
  --alpha 0.5 --temperature 1 --out runs/s35/judge-110m-6s --epochs 1 --batch-size 32 --lr ${LR:-1e-4} \
  --max-length 128 --lora-rank 16 --lora-layers all --precision auto --checkpoint-minutes 5 \
  --time-budget ${BUDGET:-2400} --threads 2 --val-limit 600 --log-every 20
