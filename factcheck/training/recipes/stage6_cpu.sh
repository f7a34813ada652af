#!/usr/bin/env bash
# Stage 6: the stage-5 model fine-tuned with the labelled real news pairs (train split), the targeted news
# families, and a 12% replay of the stage-5 mix; then the contradiction threshold fitted for precision on the
# news-pairs validation split. Runs on a CPU (bf16 autocast where the CPU has bf16 units) in about 20 minutes.
#
#   bash factcheck/training/recipes/stage6_cpu.sh [shared/data] [run folder]
set -euo pipefail
cd "$(dirname "$0")/../../.."
DATA=${1:-../shared/data}
RUN=${2:-runs/stage6}
FC=".venv/bin/factcheck"
PY=".venv/bin/python"
NEWS="$DATA/news/fnc1_train_bodies.csv"
gen() { local out=$1; shift; [ -s "$out" ] || "$@" --out "$out" > /dev/null; }
gen runs/synth.jsonl $FC train synth --news "$NEWS"
gen runs/synth_compound.jsonl $FC train synth --news "$NEWS" --kind compound
gen runs/synth_modal.jsonl $FC train synth --news "$NEWS" --kind modal
gen runs/synth_syntax.jsonl $FC train synth --news "$NEWS" --kind syntax
gen runs/synth_negforms.jsonl $FC train synth --news "$NEWS" --kind negation-forms
gen runs/news_families.jsonl $FC train synth --news "$NEWS" --kind news-families
gen runs/mined.jsonl $FC train mine --news "$NEWS" --raw runs/mined_raw.jsonl

START=${START:-models/factcheck-nli-minilm}
$PY -m factcheck.training.train --data-dir "$DATA" --init-from "$START" \
    --sources esnli cad breaking_nli taxinli mnli vitaminc_real vitaminc_synthetic fever conjnli med wikisplit \
    --synthetic runs/synth.jsonl --extra runs/synth_compound.jsonl --extra runs/mined.jsonl \
    --extra runs/synth_modal.jsonl --extra runs/synth_syntax.jsonl --extra runs/synth_negforms.jsonl \
    --extra runs/news_families.jsonl --news-pairs eval/news_pairs/labels.jsonl \
    --weights factcheck/training/recipes/stage6_weights.json \
    --epochs 1 --lr ${LR:-2e-5} --batch-size 32 --max-length 256 --val-sample 3000 --out "$RUN"

# Thresholds: agreement refitted on the NLI validation split (max F1, as before), then the contradiction
# threshold: highest recall at precision >= 0.85 on the news-pairs validation split (never dev).
$PY eval/nli_model_card.py --model "$RUN/epoch1" --data-dir "$DATA" \
    --sources esnli cad breaking_nli taxinli mnli vitaminc_real vitaminc_synthetic fever conjnli med wikisplit \
    --synthetic runs/synth.jsonl --extra runs/synth_compound.jsonl --mined runs/mined.jsonl --modal runs/synth_modal.jsonl \
    --syntax runs/synth_syntax.jsonl --negation-forms runs/synth_negforms.jsonl --out "$RUN/nli_card" --save-thresholds
$FC calibrate --preset news-pairs --nli-model "$RUN/epoch1" --split validation --shared-data "$DATA" \
    --save "$RUN/epoch1/thresholds.json"
