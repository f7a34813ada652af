#!/usr/bin/env bash
# check seeds with session 29's models and session 30's, alternating, twice each, nothing else running.
for round in 1 2; do
for m in before 6c; do
  s=$(date +%s.%N)
  FACTCHECK_MODELS_DIR=runs/s30/models/$m .venv/bin/python -m factcheck check seeds -q -f json -o runs/s30/seeds_${m}_$round.json 2> /dev/null
  e=$(date +%s.%N)
  python3 -c "
import json; d=json.load(open('runs/s30/seeds_${m}_$round.json'))['stats']
print('$m round $round wall %.1f s, check %.1f s, load %.1f s, %d pairs, %.1f pairs/s, %d findings' % ($e-$s, d['seconds'], d['load_seconds'], d['pairs_scored'], d['pairs_scored']/d['seconds'], d['verdicts']['contradiction']))"
done; done
