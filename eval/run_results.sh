#!/usr/bin/env bash
# Reproduce every figure in eval/results/ for the default model (CPU: about 30 minutes on 2 cores; mining the cross-article pairs embeds ~35k sentences).
# Usage: bash eval/run_results.sh [path/to/shared/data]
# (The default model's thresholds.json is rewritten by the first two steps, deterministically.)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data}
FC=".venv/bin/factcheck"
R=eval/results
mkdir -p "$R"

# Model card figures: validation split per source, synthetic news test split, ANLI, seed pair;
# also (re)fits the verdict thresholds on the validation split (dev) and saves them with the model.
NEWS="$DATA/news/fnc1_train_bodies.csv"
# The generators are deterministic (sha256 of each file in the model's training.json); an existing file is reused.
gen() { local out=$1; shift; [ -s "$out" ] || "$@" --out "$out" > /dev/null; }
gen runs/synth.jsonl $FC train synth --news "$NEWS"
gen runs/synth_compound.jsonl $FC train synth --news "$NEWS" --kind compound
gen runs/synth_modal.jsonl $FC train synth --news "$NEWS" --kind modal
gen runs/synth_syntax.jsonl $FC train synth --news "$NEWS" --kind syntax
gen runs/synth_negforms.jsonl $FC train synth --news "$NEWS" --kind negation-forms
gen runs/mined.jsonl $FC train mine --news "$NEWS" --raw runs/mined_raw.jsonl
.venv/bin/python eval/nli_model_card.py --model models/factcheck-nli-minilm --data-dir "$DATA" \
    --sources esnli cad breaking_nli taxinli mnli vitaminc_real vitaminc_synthetic fever conjnli med wikisplit \
    --synthetic runs/synth.jsonl --extra runs/synth_compound.jsonl --mined runs/mined.jsonl --modal runs/synth_modal.jsonl \
    --syntax runs/synth_syntax.jsonl --negation-forms runs/synth_negforms.jsonl --out "$R/nli_default" --save-thresholds
# The contradiction threshold is then refitted for precision on the real news pairs' validation split (the
# agreement threshold from the line above is kept): highest recall at precision >= 0.85.
$FC calibrate --preset news-pairs --split validation --shared-data "$DATA"

# Real aligned news pairs read by people (eval/news_pairs/README.md): dev is for reporting only.
$FC eval --preset news-pairs --split dev --shared-data "$DATA" --output "$R/news_pairs_dev.json" \
    --predictions "$R/news_pairs_dev.predictions.jsonl"
$FC eval --preset news-pairs --split validation --shared-data "$DATA" --output "$R/news_pairs_validation.json"

# The harness on the shared evaluation sets (never trained or tuned on).
$FC eval --preset anli --data "$DATA/anli/ANLI_analysis_r1_dev.csv" --output "$R/anli_r1.json" \
    --plots "$R/anli_r1" --predictions "$R/anli_r1.predictions.jsonl"
$FC eval --preset anli --data "$DATA/anli/ANLI_analysis_r2_dev.csv" --output "$R/anli_r2.json" \
    --plots "$R/anli_r2" --predictions "$R/anli_r2.predictions.jsonl"
$FC eval --preset fnc1 --data "$DATA/fnc1" --output "$R/fnc1.json" \
    --plots "$R/fnc1" --predictions "$R/fnc1.predictions.jsonl"
for domain in ectsum podcast qmsumm sales_call sales_email samsum scitldr; do
    $FC eval --preset summedits --data "$DATA/summedits/summedits_$domain.json" --split test --fit-split evaluation \
        --output "$R/summedits_$domain.json" --predictions "$R/summedits_$domain.predictions.jsonl"
done

# Calibration fitted on one split and applied to another (ANLI R2 dev -> ANLI R1 dev).
$FC calibrate --preset anli --data "$DATA/anli/ANLI_analysis_r2_dev.csv" --save "$R/anli_r2.thresholds.json"
$FC eval --preset anli --data "$DATA/anli/ANLI_analysis_r1_dev.csv" --thresholds "$R/anli_r2.thresholds.json" \
    --output "$R/anli_r1.calibrated_on_r2.json"

# The harness's throughput is in each JSON; NLI backends and the checker's wall time:
.venv/bin/factcheck export-onnx default
.venv/bin/python benchmarks/bench_nli.py --model models/factcheck-nli-minilm
.venv/bin/python benchmarks/bench_check.py --repeats 3

$FC compare "$R"/anli_r1.json "$R"/anli_r2.json "$R"/fnc1.json "$R"/summedits_*.json --markdown "$R/summary.md"
