"""The factcheck CLI with the test fakes (FakeNLI, FakeEmbedder) in place of real models, for subprocess tests.

    python tests/fake_cli.py batch in.jsonl --out out/

``FACTCHECK_FAKE_DELAY`` (seconds) makes each NLI batch sleep, so a job lasts long enough to be killed.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import factcheck.embed  # noqa: E402
import factcheck.nli  # noqa: E402
from conftest import FakeEmbedder, FakeNLI  # noqa: E402


class SlowFakeNLI(FakeNLI):
    """FakeNLI that sleeps ``FACTCHECK_FAKE_DELAY`` seconds per batch."""

    def _predict_batch(self, pairs):
        time.sleep(float(os.environ.get("FACTCHECK_FAKE_DELAY", "0")))
        return super()._predict_batch(pairs)


factcheck.nli.load_nli = lambda name="default", device=None, backend=None: SlowFakeNLI()
factcheck.embed.load_embedder = lambda name="default", device=None, offline=None: FakeEmbedder()

if __name__ == "__main__":
    from factcheck.cli import main

    main()
