"""Deterministic contradiction cues NLI models are known to miss: numbers, dates, negation, modality.

Cues only add evidence (``reasons``) to a finding; they never decide a verdict on their own. What a
cue reads from a text (``cue_features``) is computed once per text, not once per pair.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_NUMBER = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w])|(?<![\w.,])\d+(?:\.\d+)?(?![\w,]\d)")
_HEDGE = re.compile(r"\b(about|around|roughly|approximately|nearly|almost|some|more than|over|"
                    r"fewer than|less than|under|at least|up to|as many as)\s+$", re.IGNORECASE)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("january", "february", "march", "april", "june", "july", "august", "september",
           "october", "november", "december")
_DATE_WORD = re.compile(r"\b(" + "|".join(_WEEKDAYS + _MONTHS) + r")\b", re.IGNORECASE)
_NEGATION = re.compile(r"\b(not|no|never|none|nobody|nothing|neither|nor|without|cannot)\b|n't\b|\bnon-?(?=\w)",
                       re.IGNORECASE)
# Modal polarity: "non-negotiable", "cannot be", "ruled out" vs "negotiable", "can be negotiated".
_MODAL_NEG = re.compile(r"\b(non-?\w+able|un\w+able|cannot be|can ?not be|can't be|will not|won't|must not|"
                        r"ruled out|impossible|unable)\b", re.IGNORECASE)
_MODAL_POS = re.compile(r"\b((?<!non-)(?<!non)(?<!un)\w+able|can be|could be|may be|possible|is open to)\b",
                        re.IGNORECASE)


@dataclass(frozen=True)
class CueFeatures:
    """What the cues read from one text, computed once per text however many pairs it is in."""

    numbers: tuple[tuple[float, bool], ...]  # (value, hedged), years included
    dates: frozenset[str]
    negations: int
    modal_negative: str | None  # the first match, e.g. "non-negotiable"
    modal_positive: str | None


def _numbers(text: str) -> dict[float, bool]:
    """Numbers in ``text`` (years included) -> whether each is hedged ("about 100,000")."""
    out: dict[float, bool] = {}
    for m in _NUMBER.finditer(text):
        value = float(m.group(0).replace(",", ""))
        hedged = bool(_HEDGE.search(text[max(0, m.start() - 20): m.start()]))
        out[value] = out.get(value, False) or hedged
    return out


@lru_cache(maxsize=1 << 16)
def cue_features(text: str) -> CueFeatures:
    neg, pos = _MODAL_NEG.search(text), _MODAL_POS.search(text)
    return CueFeatures(tuple(_numbers(text).items()), frozenset(m.lower() for m in _DATE_WORD.findall(text)),
                       len(_NEGATION.findall(text)), neg.group(0) if neg else None, pos.group(0) if pos else None)


def number_cue(a: str, b: str) -> str | None:
    """Both sentences give numbers and none of one side's appears on the other (hedges tolerated)."""
    na, nb = dict(cue_features(a).numbers), dict(cue_features(b).numbers)
    if not na or not nb or set(na) & set(nb):
        return None
    # A hedged figure within 15% of a figure on the other side is compatible, not a contradiction.
    for x, hx in na.items():
        for y, hy in nb.items():
            if (hx or hy) and abs(x - y) <= 0.15 * max(abs(x), abs(y)):
                return None
    fa = ", ".join(f"{v:g}" for v in sorted(na))
    fb = ", ".join(f"{v:g}" for v in sorted(nb))
    return f"numbers differ: {fa} vs {fb}"


def date_cue(a: str, b: str) -> str | None:
    da, db = cue_features(a).dates, cue_features(b).dates
    if da and db and not da & db:
        return f"dates differ: {', '.join(sorted(da))} vs {', '.join(sorted(db))}"
    return None


def negation_cue(a: str, b: str) -> str | None:
    ca, cb = cue_features(a).negations, cue_features(b).negations
    if (ca % 2) != (cb % 2):
        return f"negation differs: {ca} negation(s) vs {cb}"
    return None


def modality_cue(a: str, b: str) -> str | None:
    fa, fb = cue_features(a), cue_features(b)
    if fa.modal_negative and not fb.modal_negative and fb.modal_positive:
        return f"modality differs: '{fa.modal_negative}' vs '{fb.modal_positive}'"
    if fb.modal_negative and not fa.modal_negative and fa.modal_positive:
        return f"modality differs: '{fa.modal_positive}' vs '{fb.modal_negative}'"
    return None


CUES = (number_cue, date_cue, negation_cue, modality_cue)


def contradiction_cues(a: str, b: str) -> list[str]:
    """Every cue that fires for the pair, as human-readable reasons."""
    return [reason for cue in CUES if (reason := cue(a, b)) is not None]
