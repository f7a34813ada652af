#!/usr/bin/env bash
# The 22M, session 31: from session 27's shipped 22M on phase 6d's mix plus 8,000 synthetic-news/MNLI rows (mix22.py).
set -euo pipefail
[ -f runs/s31/mix_22m.jsonl.gz ] || .venv/bin/python runs/s31/mix22.py
exec .venv/bin/python -m factcheck.training.distill fit --pool runs/s31/mix_22m.jsonl.gz --init models/factcheck-nli-minilm \
  --out runs/s31/minilm_6d --epochs 3 --batch-size 32 --lr 2e-5 --max-length 128 --time-budget 600 --threads 2 \
  --log-every 100 --val-limit 600
