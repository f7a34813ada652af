"""The NLI label vocabulary: the one definition of label names and their column order.

Every NLI probability array in the project has its columns in ``LABELS`` order.
"""

from __future__ import annotations

__all__ = ["CON", "ENT", "LABELS", "NEU"]

LABELS: tuple[str, str, str] = ("entailment", "neutral", "contradiction")
ENT, NEU, CON = 0, 1, 2
