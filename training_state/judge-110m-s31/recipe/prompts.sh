#!/usr/bin/env bash
# Writes runs/s31/prompt_readerNN.md for round 11: reader75-82 read first01-32 (4 slices each), reader83 second01-03.
T=eval/news_pairs/prompts/reading_round11.md
for i in 0 1 2 3 4 5 6 7; do
  r=reader$((75 + i)); s=""
  for j in 1 2 3 4; do n=$(printf %02d $((i * 4 + j))); s="$s   - \`runs/annotation11/slices/first$n.jsonl\`\n"; done
  python3 - "$T" "$r" "$s" > runs/s31/prompt_$r.md <<'PY'
import sys
t, r, s = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3].replace("\\n", "\n").rstrip("\n")
print(t.replace("{READER}", r).replace("{SLICES}", s))
PY
done
s=""; for j in 1 2 3; do s="$s   - \`runs/annotation11/slices/second0$j.jsonl\`\n"; done
python3 - "$T" reader83 "$s" > runs/s31/prompt_reader83.md <<'PY'
import sys
t, r, s = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3].replace("\\n", "\n").rstrip("\n")
print(t.replace("{READER}", r).replace("{SLICES}", s))
PY
