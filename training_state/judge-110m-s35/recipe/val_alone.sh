#!/usr/bin/env bash
# Each adapter in runs/s35/adapters/NAME alone on news validation (scores saved); then the 22M alone. Dev never.
E=runs/s35/eval; mkdir -p $E
for NAME in "$@"; do
  M=runs/s35/models/$NAME; rm -rf $M; mkdir -p $M
  cp -r runs/s35/adapters/$NAME $M/factcheck-nli-mpnet-lora
  cp models/factcheck-nli-mpnet-lora/thresholds.json $M/factcheck-nli-mpnet-lora/
  ln -s ../../../../models/factcheck-nli-minilm $M/factcheck-nli-minilm
  s=$(date +%s)
  FACTCHECK_MODELS_DIR=$M .venv/bin/python -m factcheck eval --preset news-pairs --split validation --nli-model large \
    --predictions $E/val_large_$NAME.pred.jsonl -o $E/val_large_$NAME.json > $E/val_large_$NAME.log 2>&1
  echo "$NAME 110M val $(( $(date +%s) - s )) s rc $?"
done
echo all done
