"""``fake_cli.py`` with an embedder that sleeps ``FACTCHECK_FAKE_EMBED_DELAY`` seconds per batch, for kill tests.

    python tests/fake_index_cli.py index add in/ --index DIR
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fake_cli  # noqa: E402,F401  (puts the fake NLI and embedder in place)
import factcheck.embed  # noqa: E402
from conftest import FakeEmbedder  # noqa: E402


class SlowFakeEmbedder(FakeEmbedder):
    def _embed_batch(self, texts):
        time.sleep(float(os.environ.get("FACTCHECK_FAKE_EMBED_DELAY", "0")))
        return super()._embed_batch(texts)


factcheck.embed.load_embedder = lambda name="default", device=None, offline=None: SlowFakeEmbedder()

if __name__ == "__main__":
    from factcheck.cli import main

    main()
