"""Shared test fixtures. Each section belongs to one module's tests; add sections, don't rewrite."""

from __future__ import annotations

import re

import numpy as np
import pytest

# --- NLI fakes (factcheck.nli) -----------------------------------------------------------------

from factcheck.models import ModelInfo
from factcheck.nli import LABELS, NLIModel

_NEGATION = re.compile(r"\b(?:not|no|never)\b|n't\b|\bnon-", re.IGNORECASE)


class FakeNLI(NLIModel):
    """Rule-based NLI for tests, no model files.

    Entailment when the texts are equal ignoring case and surrounding whitespace; contradiction
    when exactly one side has a negation ("not", "no", "never", "n't", "non-"); else neutral.
    The chosen label gets probability 0.9, the other two 0.05 each. ``calls`` records the
    batches it was given.
    """

    def __init__(self, max_length: int = 512) -> None:
        self.info = ModelInfo(name="fake-nli", source="tests/conftest.py", backend="fake", revision="0")
        self.max_length = max_length
        self.calls: list[list[tuple[str, str]]] = []

    @staticmethod
    def label(premise: str, hypothesis: str) -> str:
        """The label the rules give a pair."""
        if premise.strip().lower() == hypothesis.strip().lower():
            return "entailment"
        if bool(_NEGATION.search(premise)) != bool(_NEGATION.search(hypothesis)):
            return "contradiction"
        return "neutral"

    def _predict_batch(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        self.calls.append(list(pairs))
        out = np.full((len(pairs), len(LABELS)), 0.05, dtype=np.float32)
        for row, (premise, hypothesis) in enumerate(pairs):
            out[row, LABELS.index(self.label(premise, hypothesis))] = 0.9
        return out


@pytest.fixture
def fake_nli() -> FakeNLI:
    """A fresh rule-based ``FakeNLI`` (see its docstring for the rules)."""
    return FakeNLI()
