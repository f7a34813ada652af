"""P(contradiction) both ways for the seeds' named pairs with the 110M in the models dir given (adapter path)."""
import sys
from pathlib import Path
from factcheck.nli.large import load_large
from factcheck.nli.model import LABELS
m = load_large("cpu", adapter=Path(sys.argv[1]))
pairs = [("warplanes bombed Kaliningrad in the Baltic Sea",
          "warplanes in Kaliningrad on the Baltic Sea performed bombing runs"),
         ("demands that NATO not expand", "the unacceptability of NATO's further eastward expansion")]
c = LABELS.index("contradiction")
for a, b in pairs:
    p = m.predict([(a, b), (b, a)])
    print(f"{a!r} / {b!r}: {p[0][c]:.3f} / {p[1][c]:.3f}")
