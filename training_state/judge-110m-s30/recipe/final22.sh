#!/usr/bin/env bash
# Session 30's 22M in models/ (screen 0.3): validation --small and cascade again (old tokenizer_config), dev once
# (cascade and --small), the seeds timing (6b-era pair = runs/s30/models/6c vs models/), dev10, the NLI sources, bf16.
set -x
E=runs/s30/eval
.venv/bin/python -m factcheck eval --preset news-pairs --split validation --small --predictions $E/val_small_final.pred.jsonl -o $E/val_small_final.json > $E/val_small_final.log 2>&1
.venv/bin/python -m factcheck eval --preset news-pairs --split validation --predictions $E/valcascade_final.pred.jsonl -o $E/valcascade_final.json > $E/valcascade_final.log 2>&1
.venv/bin/python -m factcheck eval --preset news-pairs --split dev --predictions $E/devcascade_final.pred.jsonl -o $E/devcascade_final.json > $E/devcascade_final.log 2>&1
.venv/bin/python -m factcheck eval --preset news-pairs --split dev --small --predictions $E/devsmall_final.pred.jsonl -o $E/devsmall_final.json > $E/devsmall_final.log 2>&1
for f in val_small_final valcascade_final devcascade_final devsmall_final; do
python3 -c "import json; d=json.load(open('$E/$f.json')); m=d['metrics']; print('$f PR-AUC %.3f P %.3f R %.3f F0.5 %.3f rep %d true %d' % (m['pr_auc'], m['precision'], m['recall'], m['f0.5'], m['reported'], m['true_reported']))"
done
for round in 1 2; do
for m in runs/s30/models/before runs/s30/models/6c models; do
  t=$(basename $m); s=$(date +%s.%N)
  FACTCHECK_MODELS_DIR=$m .venv/bin/python -m factcheck check seeds -q -f json -o runs/s30/seedsF_${t}_$round.json 2> /dev/null
  e=$(date +%s.%N)
  python3 -c "
import json; d=json.load(open('runs/s30/seedsF_${t}_$round.json'))['stats']
print('$t round $round wall %.1f s, check %.1f s, load %.1f s, %d pairs, %.1f pairs/s, %d findings, %d verified' % ($e-$s, d['seconds'], d['load_seconds'], d['pairs_scored'], d['pairs_scored']/d['seconds'], d['verdicts']['contradiction'], d.get('pairs_verified', -1)))"
done
s=$(date +%s.%N)
.venv/bin/python -m factcheck check seeds --small -q -f json -o runs/s30/seedsF_small_$round.json 2> /dev/null
e=$(date +%s.%N)
python3 -c "
import json; d=json.load(open('runs/s30/seedsF_small_$round.json'))['stats']
print('small(new) round $round wall %.1f s, check %.1f s, %d pairs, %.1f pairs/s, %d findings' % ($e-$s, d['seconds'], d['pairs_scored'], d['pairs_scored']/d['seconds'], d['verdicts']['contradiction']))"
done
.venv/bin/python eval/news_pairs/dev10_run.py runs/dev10 --tag s30final > runs/s30/dev10_final.log 2>&1
.venv/bin/python eval/nli_sources_judges.py runs/stage7/payload/c/pool.jsonl.xz $E/nli_sources_final.json > $E/nli_sources_final.log 2>&1
echo final22 done
