"""The factcheck CLI with the test fakes (FakeNLI, FakeEmbedder) in place of real models, for subprocess tests.

    python tests/fake_cli.py batch in.jsonl --out out/ [--engine ray]

``FACTCHECK_FAKE_DELAY`` (seconds) makes each NLI batch sleep, so a job lasts long enough to be killed.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import factcheck.batch  # noqa: E402
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


class FakeSpec(factcheck.batch.ModelSpec):
    """Loads the fakes wherever it is unpickled: in a Ray actor too (``--engine ray``)."""

    def load(self):
        return FakeEmbedder(), SlowFakeNLI()


# The CLI builds its ModelSpec from factcheck.batch; Ray actors cannot import tests/, so the fakes
# travel by value (this file is __main__, which cloudpickle sends by value anyway).
factcheck.batch.ModelSpec = FakeSpec
try:
    import conftest
    import ray.cloudpickle

    ray.cloudpickle.register_pickle_by_value(conftest)
except ImportError:
    pass

if __name__ == "__main__":
    from factcheck.cli import main

    main()
