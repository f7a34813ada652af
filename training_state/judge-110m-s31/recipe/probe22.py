"""The sanity pairs of tests/test_nli.py under the shipped 22M and a candidate (FACTCHECK_MODELS_DIR decides which)."""
import sys
sys.path.insert(0, "tests")
from factcheck.nli import load_nli
from factcheck.claims import split_sentences
from pathlib import Path
def seed(prefix, needle):
    t = next(Path("seeds").glob(f"{prefix}*.txt")).read_text(encoding="utf-8")
    return next(s.text for s in split_sentences(t) if needle in s.text)
a, b = seed("000", "non-negotiable"), seed("004", "can be negotiated")
nli = load_nli("default", device="cpu")
pairs = [("The deal was signed on Monday.", "The deal was not signed on Monday."), (a, b), (b, a)]
for p, r in zip(pairs, nli.predict(pairs)):
    print([round(float(x), 3) for x in r], p[0][:50], "->", p[1][:50])
