#!/usr/bin/env bash
# check seeds with the shipped models (session 30: models/), phase 6d's pair (runs/s31/models/6d) and the 22M alone
# (--small), alternating, twice each, nothing else running.
for round in 1 2; do
for m in models runs/s31/models/6d small; do
  t=$(basename $m); s=$(date +%s.%N)
  if [ $m = small ]; then .venv/bin/python -m factcheck check seeds --small -q -f json -o runs/s31/seedsT_${t}_$round.json 2> /dev/null
  else FACTCHECK_MODELS_DIR=$m .venv/bin/python -m factcheck check seeds -q -f json -o runs/s31/seedsT_${t}_$round.json 2> /dev/null; fi
  e=$(date +%s.%N)
  python3 -c "
import json; d=json.load(open('runs/s31/seedsT_${t}_$round.json'))['stats']
print('$t round $round wall %.1f s, check %.1f s, load %.1f s, %d pairs, %.1f pairs/s, %d findings, %d verified' % ($e-$s, d['seconds'], d['load_seconds'], d['pairs_scored'], d['pairs_scored']/d['seconds'], d['verdicts']['contradiction'], d.get('pairs_verified', -1)))"
done; done
