#!/usr/bin/env bash
# A candidate 22M (exported folder $2) with the shipped 110M soup, on news validation only: the 22M alone (threshold
# refitted there by refit.py's default rule, as the shipped 22M's), the screen simulated from saved scores, then the cascade. Dev never.
set -x
NAME=${1:?}; SRC=${2:?}; SCREEN=${SCREEN:-0.35}
M=runs/s35/models/$NAME; rm -rf $M; mkdir -p $M
cp -r $SRC $M/factcheck-nli-minilm
cp models/factcheck-nli-minilm/thresholds.json models/factcheck-nli-minilm/precision.json $M/factcheck-nli-minilm/
cp -r models/factcheck-nli-mpnet-lora $M/factcheck-nli-mpnet-lora
E=runs/s35/eval
s=$(date +%s)
FACTCHECK_MODELS_DIR=$M .venv/bin/python -m factcheck eval --preset news-pairs --split validation --small \
  --predictions $E/val_small_$NAME.pred.jsonl -o $E/val_small_$NAME.json > $E/val_small_$NAME.log 2>&1
echo "22M val $(( $(date +%s) - s )) s"
.venv/bin/python eval/news_pairs/refit.py fit $E/val_small_$NAME.pred.jsonl --split validation --adapter $M/factcheck-nli-minilm > /dev/null
.venv/bin/python runs/s35/screen_sim.py $E/val_small_$NAME.pred.jsonl $E/val_large_soup.pred.jsonl
python3 - "$M" "$SCREEN" <<'PY'
import json, sys
p = f"{sys.argv[1]}/factcheck-nli-mpnet-lora/thresholds.json"; d = json.load(open(p))
d["screen"]["threshold"] = float(sys.argv[2]); json.dump(d, open(p, "w"), indent=2)
PY
s=$(date +%s)
FACTCHECK_MODELS_DIR=$M .venv/bin/python -m factcheck eval --preset news-pairs --split validation \
  --predictions $E/valcascade_$NAME.pred.jsonl -o $E/valcascade_$NAME.json > $E/valcascade_$NAME.log 2>&1
echo "cascade val $(( $(date +%s) - s )) s"
for f in val_small_$NAME valcascade_$NAME; do
python3 -c "import json; d=json.load(open('$E/$f.json')); m=d['metrics']; print('$f PR-AUC %.3f P %.3f R %.3f F0.5 %.3f rep %d verified %s' % (m['pr_auc'], m['precision'], m['recall'], m['f0.5'], m['reported'], d.get('pairs_verified')))"
done
.venv/bin/python -m factcheck compare $E/valcascade_soup.json $E/valcascade_$NAME.json --predictions $E/valcascade_soup.pred.jsonl --predictions $E/valcascade_$NAME.pred.jsonl 2>&1 | tail -8
echo chain22 done
