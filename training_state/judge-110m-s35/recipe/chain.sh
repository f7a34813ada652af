#!/usr/bin/env bash
# A candidate 110M (adapter in $2/adapter) on news validation: alone (threshold refitted there, max F0.5), then the
# cascade with the shipped 22M screening at 0.35; paired against the shipped soup. Dev is never scored here.
set -x
NAME=${1:?}; T=${2:?}
M=runs/s35/models/$NAME; rm -rf $M; mkdir -p $M
cp -r $T/adapter $M/factcheck-nli-mpnet-lora
cp models/factcheck-nli-mpnet-lora/thresholds.json $M/factcheck-nli-mpnet-lora/
cp -r models/factcheck-nli-minilm $M/factcheck-nli-minilm
E=runs/s35/eval
s=$(date +%s)
FACTCHECK_MODELS_DIR=$M .venv/bin/python -m factcheck eval --preset news-pairs --split validation --nli-model large \
  --predictions $E/val_large_$NAME.pred.jsonl -o $E/val_large_$NAME.json > $E/val_large_$NAME.log 2>&1
echo "110M val $(( $(date +%s) - s )) s"
.venv/bin/python eval/news_pairs/refit.py fit $E/val_large_$NAME.pred.jsonl --split validation --adapter $M/factcheck-nli-mpnet-lora --rule f0.5 > /dev/null
.venv/bin/python eval/news_pairs/refit.py report $E/val_large_$NAME.pred.jsonl --split validation --thresholds $M/factcheck-nli-mpnet-lora/thresholds.json -o $E/val_large_${NAME}_refit.json > /dev/null
s=$(date +%s)
FACTCHECK_MODELS_DIR=$M .venv/bin/python -m factcheck eval --preset news-pairs --split validation \
  --predictions $E/valcascade_$NAME.pred.jsonl -o $E/valcascade_$NAME.json > $E/valcascade_$NAME.log 2>&1
echo "cascade val $(( $(date +%s) - s )) s"
for f in val_large_${NAME}_refit valcascade_$NAME valcascade_soup; do
python3 -c "import json; d=json.load(open('$E/$f.json'))['metrics']; print('$f PR-AUC %.3f P %.3f R %.3f F0.5 %.3f rep %d' % (d['pr_auc'], d['precision'], d['recall'], d['f0.5'], d['reported']))"
done
grep -h '"contradiction"' $M/factcheck-nli-mpnet-lora/thresholds.json | head -1
.venv/bin/python -m factcheck compare $E/val_large_soup.json $E/val_large_$NAME.json --predictions $E/val_large_soup.pred.jsonl --predictions $E/val_large_$NAME.pred.jsonl 2>&1 | tail -2
.venv/bin/python -m factcheck compare $E/valcascade_soup.json $E/valcascade_$NAME.json --predictions $E/valcascade_soup.pred.jsonl --predictions $E/valcascade_$NAME.pred.jsonl 2>&1 | tail -2
.venv/bin/python runs/s35/bestp.py $E/valcascade_soup.pred.jsonl $E/valcascade_$NAME.pred.jsonl $E/val_large_soup.pred.jsonl $E/val_large_$NAME.pred.jsonl
echo chain done
