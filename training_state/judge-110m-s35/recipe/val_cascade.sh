#!/usr/bin/env bash
# The shipped cascade and the shipped 22M alone on news validation (scores saved). Dev never.
E=runs/s35/eval; mkdir -p $E
s=$(date +%s)
.venv/bin/python -m factcheck eval --preset news-pairs --split validation \
  --predictions $E/valcascade_soup.pred.jsonl -o $E/valcascade_soup.json > $E/valcascade_soup.log 2>&1
echo "cascade val $(( $(date +%s) - s )) s"
s=$(date +%s)
.venv/bin/python -m factcheck eval --preset news-pairs --split validation --small \
  --predictions $E/val_small.pred.jsonl -o $E/val_small.json > $E/val_small.log 2>&1
echo "22M val $(( $(date +%s) - s )) s"
