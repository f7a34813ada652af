"""Pure aggregation of two-way NLI probabilities into a verdict. No models here."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict, dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path

import numpy as np

from factcheck.errors import InputError
from factcheck.labels import CON, ENT



class Verdict(str, Enum):
    contradiction = "contradiction"
    agreement = "agreement"
    neutral = "neutral"


@dataclass(frozen=True)
class Thresholds:
    """Decision thresholds, kept in one place and saved with the model they were fitted for.

    ``contradiction``: minimum two-way contradiction score to report a contradiction.
    ``agreement``: minimum entailment probability (either direction) to call a pair agreement.
    """

    contradiction: float = 0.5
    agreement: float = 0.5
    fitted_on: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict, where: str = "thresholds") -> "Thresholds":
        """From a model's flat ``thresholds.json`` or a ``factcheck calibrate`` file (which holds them under ``verdict``)."""
        if not isinstance(data, dict):
            raise InputError(f"{where}: thresholds must be a JSON object")
        verdict = data.get("verdict", data)
        try:
            out = cls(float(verdict["contradiction"]), float(verdict["agreement"]),
                      _fitted_on(verdict.get("fitted_on")))
        except (KeyError, TypeError, ValueError):
            raise InputError(f"{where}: thresholds need numeric 'contradiction' and 'agreement'") from None
        for name in ("contradiction", "agreement"):
            if not 0.0 <= getattr(out, name) <= 1.0:
                raise InputError(f"{where}: threshold {name!r} is {getattr(out, name)}; it must lie between 0 and 1")
        return out

    @classmethod
    def load(cls, path: str | Path) -> "Thresholds":
        p = Path(path)
        if p.is_dir():
            raise InputError(f"{p}: is a folder; give the thresholds JSON file (from factcheck calibrate)")
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except OSError as exc:
            raise InputError(f"{p}: cannot read thresholds ({exc.strerror or exc})") from None
        except ValueError as exc:
            raise InputError(f"{p}: cannot read thresholds, not JSON ({exc})") from None
        return cls.from_dict(data, str(p))


def _fitted_on(value: object) -> str | None:
    """One line for reports: a flat thresholds file describes its fit as an object (split, n, objective)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict):
        split, n = value.get("split", "?"), value.get("n")
        return f"{split} split" + (f" (n={n})" if n is not None else "")
    raise TypeError("fitted_on must be a string or an object")


def two_way_scores(forward: np.ndarray, backward: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Contradiction and agreement scores for pairs scored both ways, arrays of shape (n, 3).

    Contradiction is symmetric, so both directions must see it: the mean of the two contradiction
    probabilities. Agreement holds if either claim entails the other (one may say more): the
    max of the two entailment probabilities.
    """
    forward = np.asarray(forward, dtype=float).reshape(-1, 3)
    backward = np.asarray(backward, dtype=float).reshape(-1, 3)
    if forward.shape != backward.shape:
        raise ValueError(f"forward {forward.shape} and backward {backward.shape} differ")
    contradiction = (forward[:, CON] + backward[:, CON]) / 2
    agreement = np.maximum(forward[:, ENT], backward[:, ENT])
    return contradiction, agreement


_NON_WORD = re.compile(r"[\W_]+")


def same_wording(a: str, b: str) -> bool:
    """True when two claims differ only in case, punctuation, quotes, hyphens or spacing.

    Such claims say the same thing and cannot contradict each other, whatever a model scores.
    """
    return _wording(a) == _wording(b)


@lru_cache(maxsize=1 << 16)
def _wording(text: str) -> str:
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


def decide(contradiction: np.ndarray, agreement: np.ndarray, thresholds: Thresholds,
           identical: np.ndarray | None = None) -> tuple[list[Verdict], np.ndarray]:
    """Labels and scores in [0, 1]: the contradiction or agreement score, or for neutral 1 - the larger.

    Pairs marked ``identical`` (see ``same_wording``) are agreements with score 1.
    """
    labels: list[Verdict] = []
    scores = np.empty(len(contradiction))
    same = np.zeros(len(contradiction), dtype=bool) if identical is None else np.asarray(identical, dtype=bool)
    for k, (c, a) in enumerate(zip(contradiction, agreement)):
        if same[k]:
            labels.append(Verdict.agreement)
            scores[k] = 1.0
        elif c >= thresholds.contradiction and c >= a:
            labels.append(Verdict.contradiction)
            scores[k] = c
        elif a >= thresholds.agreement:
            labels.append(Verdict.agreement)
            scores[k] = a
        else:
            labels.append(Verdict.neutral)
            scores[k] = 1.0 - max(c, a)
    return labels, scores
