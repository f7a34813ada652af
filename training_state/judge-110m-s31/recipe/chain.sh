#!/usr/bin/env bash
# A candidate 110M (adapter in $2/adapter) on news validation: alone (threshold refitted there), then the cascade.
# Dev is never scored here. Usage: runs/s31/chain.sh NAME TRAIN_OUT
set -x
NAME=${1:?}; T=${2:?}
M=runs/s31/models/$NAME; mkdir -p $M; rm -rf $M/*
cp -r $T/adapter $M/factcheck-nli-mpnet-lora
cp models/factcheck-nli-mpnet-lora/thresholds.json $M/factcheck-nli-mpnet-lora/
cp -r models/factcheck-nli-minilm $M/factcheck-nli-minilm
E=runs/s31/eval; mkdir -p $E
s=$(date +%s)
FACTCHECK_MODELS_DIR=$M .venv/bin/python -m factcheck eval --preset news-pairs --split validation --nli-model large \
  --predictions $E/val_large_$NAME.pred.jsonl -o $E/val_large_$NAME.json > $E/val_large_$NAME.log 2>&1
echo "110M val $(( $(date +%s) - s )) s"
.venv/bin/python eval/news_pairs/refit.py fit $E/val_large_$NAME.pred.jsonl --split validation --adapter $M/factcheck-nli-mpnet-lora > /dev/null
.venv/bin/python eval/news_pairs/refit.py report $E/val_large_$NAME.pred.jsonl --split validation --thresholds $M/factcheck-nli-mpnet-lora/thresholds.json -o $E/val_large_${NAME}_refit.json > /dev/null
if [ -z "${SKIP_CASCADE:-}" ]; then
s=$(date +%s)
FACTCHECK_MODELS_DIR=$M .venv/bin/python -m factcheck eval --preset news-pairs --split validation \
  --predictions $E/valcascade_$NAME.pred.jsonl -o $E/valcascade_$NAME.json > $E/valcascade_$NAME.log 2>&1
echo "cascade val $(( $(date +%s) - s )) s"
fi
for f in val_large_${NAME}_refit valcascade_$NAME; do
[ -f $E/$f.json ] && python3 -c "import json; d=json.load(open('$E/$f.json'))['metrics']; print('$f PR-AUC %.3f P %.3f R %.3f F0.5 %.3f' % (d['pr_auc'], d['precision'], d['recall'], d['f0.5']))"
done
grep -h '"contradiction"' $M/factcheck-nli-mpnet-lora/thresholds.json | head -2
echo chain done
