#!/usr/bin/env bash
# Stage 5 on one GPU, time-boxed to fit one device call (~8 minutes):
#   an all-mpnet-base-v2 teacher and a hard-label MiniLM student train side by side; the teacher labels the
#   training mix; two distilled students train on it; `select` keeps the best validation macro accuracy.
# Ablations in the same run: hard (len 256) vs hard128 (what the longer max length bought), hard vs kd*
# (what distillation bought), teacher vs hard (what the larger base bought).
# Inputs ($PAYLOAD): a/ and b/ hold the int8-packed teacher (distill pack), c/pool.jsonl.xz (distill pool),
# c/student/ the model to start the students from. Outputs: $WORK/<run>/{model,metrics.json}, $OUT/results/.
# Smoke test on CPU: LIMIT=64 DEVICE=cpu TEACHER_S=60 STUDENT_S=30 bash factcheck/training/recipes/stage5_gpu.sh
set -u
P=${PAYLOAD:-/root/payload}
W=${WORK:-/root/work}
R=${RESULTS:-$W/results}
TEACHER_S=${TEACHER_S:-180}
STUDENT_S=${STUDENT_S:-120}
LIMIT=${LIMIT:-0}
DEVICE=${DEVICE:-}
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=true PYTHONPATH=${PYTHONPATH:-$PWD}
D="python3 -m factcheck.training.distill"
DEV=${DEVICE:+--device $DEVICE}
POOL=$P/c/pool.jsonl.xz
mkdir -p "$W" "$R"
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv > "$R/gpu.txt"
  nvidia-smi dmon -s um -d 5 > "$R/dmon.txt" 2>&1 &
  DMON=$!
fi
date +%s > "$R/t0"
[ -d "$W/mpnet" ] || $D unpack "$P/a" "$P/b" --out "$W/mpnet" > "$R/unpack.log" 2>&1 || { cat "$R/unpack.log"; exit 1; }

$D fit --pool "$POOL" --init "$W/mpnet" --init-name all-mpnet-base-v2 --out "$W/teacher" --epochs 2 \
  --batch-size 64 --lr 3e-5 --time-budget "$TEACHER_S" --keep-fp32 --limit "$LIMIT" $DEV > "$R/teacher.log" 2>&1 &
TEACHER=$!
( $D fit --pool "$POOL" --init "$P/c/student" --init-name stage4 --out "$W/hard" --epochs 3 --batch-size 128 \
    --lr 6e-5 --time-budget "$STUDENT_S" --limit "$LIMIT" $DEV > "$R/hard.log" 2>&1
  $D fit --pool "$POOL" --init "$P/c/student" --init-name stage4 --out "$W/hard128" --epochs 3 --batch-size 128 \
    --lr 6e-5 --max-length 128 --time-budget "$STUDENT_S" --limit "$LIMIT" $DEV > "$R/hard128.log" 2>&1 ) &
HARD=$!
wait $TEACHER
KD=""
if [ -f "$W/teacher/metrics.json" ] && $D label --pool "$POOL" --model "$W/teacher/model" --out "$W/teacher_probs.npy" \
     --limit "$LIMIT" $DEV > "$R/label.log" 2>&1; then
  $D fit --pool "$POOL" --init "$P/c/student" --init-name stage4 --out "$W/kd5" --epochs 3 --batch-size 128 \
    --lr 6e-5 --teacher-probs "$W/teacher_probs.npy" --alpha 0.5 --temperature 2 --time-budget "$STUDENT_S" \
    --limit "$LIMIT" $DEV > "$R/kd5.log" 2>&1 &
  K1=$!
  $D fit --pool "$POOL" --init "$P/c/student" --init-name stage4 --out "$W/kd8" --epochs 3 --batch-size 128 \
    --lr 6e-5 --teacher-probs "$W/teacher_probs.npy" --alpha 0.8 --temperature 2 --time-budget "$STUDENT_S" \
    --limit "$LIMIT" $DEV > "$R/kd8.log" 2>&1 &
  K2=$!
  wait $K1 $K2
  KD="$W/kd5 $W/kd8"
fi
wait $HARD
# The teacher's probabilities (1.2 MB) travel back with the results, so distillation can go on elsewhere.
[ -f "$W/teacher_probs.npy" ] && cp "$W/teacher_probs.npy" "$R/"
for run in teacher hard hard128 kd5 kd8; do
  [ -f "$W/$run/metrics.json" ] && cp "$W/$run/metrics.json" "$R/$run.metrics.json"
done
# The shipped student is chosen among the MiniLM runs only (the teacher is 5x larger than the ~60 MB limit).
$D select "$W/hard" "$W/hard128" $KD --out "$R/select.json" > "$R/select.log" 2>&1
date +%s >> "$R/t0"
[ -n "${DMON:-}" ] && kill "$DMON" 2>/dev/null
cat "$R/select.json"
