set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=${1:-../shared/data}
OUT=${2:-runs/stage7/payload}
FC=".venv/bin/factcheck"
PY=".venv/bin/python"
NEWS="$DATA/news/fnc1_train_bodies.csv"
gen() { local out=$1; shift; [ -s "$out" ] || "$@" --out "$out" > /dev/null; }
gen runs/synth.jsonl $FC train synth --news "$NEWS"
gen runs/synth_compound.jsonl $FC train synth --news "$NEWS" --kind compound
gen runs/synth_modal.jsonl $FC train synth --news "$NEWS" --kind modal
gen runs/synth_syntax.jsonl $FC train synth --news "$NEWS" --kind syntax
gen runs/synth_negforms.jsonl $FC train synth --news "$NEWS" --kind negation-forms
gen runs/mined.jsonl $FC train mine --news "$NEWS" --raw runs/mined_raw.jsonl
mkdir -p "$OUT/a" "$OUT/b" "$OUT/c"
[ -s "$OUT/c/pool.jsonl.xz" ] || $PY -m factcheck.training.distill pool --data-dir "$DATA" \
    --sources esnli cad breaking_nli taxinli mnli vitaminc_real vitaminc_synthetic fever conjnli med wikisplit \
    --extra runs/synth.jsonl --extra runs/synth_compound.jsonl --extra runs/mined.jsonl --extra runs/synth_modal.jsonl \
    --extra runs/synth_syntax.jsonl --extra runs/synth_negforms.jsonl \
    --news-pairs eval/news_pairs/labels.jsonl --news-contradiction-repeat 3 \
    --weights factcheck/training/recipes/stage7_weights.json --out "$OUT/c/pool.jsonl.xz"
