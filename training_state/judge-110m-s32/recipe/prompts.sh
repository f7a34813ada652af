#!/usr/bin/env bash
# Writes runs/s32/prompt_readerNN.md for outlet round 3: reader89-95 read first01-14 (2 slices each), reader96 second01-02.
T=eval/news_pairs/prompts/reading_outlets3.md
mk() {
  python3 - "$T" "$1" "$2" > runs/s32/prompt_$1.md <<'PY'
import os, sys
t, r, s = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3].replace("\\n", "\n").rstrip("\n")
print(t.replace("{READER}", r).replace("{SLICES}", s).replace("`eval/", "`" + os.getcwd() + "/eval/").replace("`runs/", "`" + os.getcwd() + "/runs/"))
PY
}
for i in 0 1 2 3 4 5 6; do
  s=""; for j in 1 2; do n=$(printf %02d $((i * 2 + j))); s="$s   - \`runs/outlets3/slices/first$n.jsonl\`\n"; done
  mk reader$((89 + i)) "$s"
done
mk reader96 "   - \`runs/outlets3/slices/second01.jsonl\`\n   - \`runs/outlets3/slices/second02.jsonl\`\n"
