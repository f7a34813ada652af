#!/usr/bin/env bash
# The shipped 110M (phase 6d) alone on news validation, saved scores for the screen simulation.
while pgrep -f "chain.sh soup_de" > /dev/null; do sleep 5; done
.venv/bin/python -m factcheck eval --preset news-pairs --split validation --nli-model large \
  --predictions runs/s32/eval/val_large_6d.pred.jsonl -o runs/s32/eval/val_large_6d.json > runs/s32/eval/val_large_6d.log 2>&1
echo done
