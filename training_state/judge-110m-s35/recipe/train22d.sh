#!/usr/bin/env bash
# The 22M distilled from the 110M (session 35): from session 27's shipped 22M, session 31's try-2 recipe
# (train22b.sh) on mix22d.py's mix, with the 110M's probabilities (alpha 0.5 on read rows; alone on unread ones).
# Resumable: run it again.
set -euo pipefail
[ -f runs/s35/mix_22d.jsonl.gz ] || .venv/bin/python runs/s35/mix22d.py
exec .venv/bin/python -m factcheck.training.distill fit --pool runs/s35/mix_22d.jsonl.gz --init models/factcheck-nli-minilm \
  --teacher-probs runs/s35/mix_22d_teacher.npy --alpha ${ALPHA:-0.5} --temperature 1 \
  --out runs/s35/minilm_22d --epochs 3 --batch-size 32 --lr 2e-5 --max-length 128 --time-budget ${BUDGET:-1500} \
  --threads 2 --log-every 100 --val-limit 600 --checkpoint-minutes 5
