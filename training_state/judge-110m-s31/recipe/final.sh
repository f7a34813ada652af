#!/usr/bin/env bash
# After the choice on validation (models dir runs/s29/models/$1): dev once (cascade), the seeds before/after on this
# machine in one run, the ten dev clusters, the NLI validation sources.
set -x
NAME=${1:?}; M=runs/s31/models/$NAME; E=runs/s31/eval
s=$(date +%s)
FACTCHECK_MODELS_DIR=$M .venv/bin/python -m factcheck eval --preset news-pairs --split dev \
  --predictions $E/devcascade_$NAME.pred.jsonl -o $E/devcascade_$NAME.json > $E/devcascade_$NAME.log 2>&1
echo "dev cascade $(( $(date +%s) - s )) s"
python3 -c "import json; d=json.load(open('$E/devcascade_$NAME.json'))['metrics']; print('dev PR-AUC %.3f P %.3f R %.3f F0.5 %.3f' % (d['pr_auc'], d['precision'], d['recall'], d['f0.5']))"
for m in models $M; do
  t=$(basename $m); s=$(date +%s.%N)
  FACTCHECK_MODELS_DIR=$m .venv/bin/python -m factcheck check seeds -q -f json -o runs/s31/seeds_$t.json 2> runs/s31/seeds_$t.err
  e=$(date +%s.%N); echo "seeds $t wall $(python3 -c "print(round($e-$s,1))") s"
done
s=$(date +%s)
FACTCHECK_MODELS_DIR=$M .venv/bin/python eval/news_pairs/dev10_run.py runs/dev10 --tag s31cascade > runs/s31/dev10.log 2>&1
echo "dev10 $(( $(date +%s) - s )) s"
FACTCHECK_MODELS_DIR=$M .venv/bin/python eval/nli_sources_judges.py runs/stage7/payload/c/pool.jsonl.xz $E/nli_sources_$NAME.json --adapter $M/factcheck-nli-mpnet-lora > $E/nli_sources_$NAME.log 2>&1
echo "final done"
