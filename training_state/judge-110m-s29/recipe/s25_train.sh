#!/usr/bin/env bash
# 110M judge, session 25: phase 1 (teacher-lora) + a news-heavy mix. Resumable: run the same command again.
set -euo pipefail
POOL=${POOL:?}; OUT=${OUT:?}; INIT=${INIT:-training_state/teacher-lora/checkpoint.pt}
BASE=$(.venv/bin/python -c 'from factcheck.nli.large import base_dir; print(base_dir())')
exec .venv/bin/python -m factcheck.training.distill fit --pool "$POOL" --init "$BASE" --init-name all-mpnet-base-v2 \
  --init-adapter "$INIT" --out "$OUT" --epochs ${EPOCHS:-1} --batch-size 32 --lr ${LR:-2e-4} --max-length 128 \
  --lora-rank 16 --lora-layers upper --precision auto --checkpoint-minutes 5 --time-budget ${BUDGET:-6000} \
  --threads 2 --val-limit 600 --log-every 20
