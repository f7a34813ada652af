"""Checkable facts compared exactly: a pair whose claims both state a date or a figure of the same unit.

NLI models read "21 August 1968" against "27 August 1968" as near-paraphrases, and "12 killed" against
"at least 8 killed" as a contradiction. For every aligned pair whose two claims each state an explicit
date, or a number with the same unit or counted noun (``timecheck``, ``quantities``), the values are
masked out and the masked pair is scored both ways by the same NLI model (all such pairs in one call).
If the masked claims state the same fact (entailment both ways at the agreement threshold; or one way,
with no contradiction, when the differing values qualify the same word: "born 21 August 1968" / "born on
27 August 1968", "12 people" / "8 people"; or the same wording once masked), the values decide:

- different days or amounts -> a contradiction, with the reason ("dates differ: 21 August 1968 vs 27
  August 1968", "numbers differ: 12 vs 8");
- a larger running total in the later claim ("the toll rose to 12" / "8 killed") -> reported, marked as
  a possible update, not a plain contradiction;
- the same day or compatible amounts ("12" / "at least 8", overlapping ranges) -> no contradiction from
  the values: a contradiction that does not survive masking is cleared.

A contradiction that states a time is re-scored with its times masked as before (relative times resolved
against the article's date): if it does not survive masking and the times do not differ, it is cleared.
This module needs only ``predict_with_flags`` of an NLI model (any model, the cascade's screen included).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from factcheck.labels import CON, ENT
from factcheck.quantities import NumberComparison, Quantity, compare_quantities, has_numbers, quantities, to_digits
from factcheck.timecheck import (TimeComparison, TimeMention, compare_times, has_time_words, time_free_wording,
                                 time_mentions)
from factcheck.verdict import Thresholds, Verdict, same_wording, two_way_scores

__all__ = ["ValueCheck", "ValueOutcome", "plan_value_check", "score_masked", "judge_values", "mask_values"]


@dataclass(frozen=True)
class ValueCheck:
    """A pair whose verdict may hinge on its dates or figures: how they compare and the pair with them masked.

    ``masked`` is None when the masked claims are worded the same: no model is needed.
    """

    k: int  # the pair's index in its cluster (or list)
    dates: TimeComparison | None
    numbers: NumberComparison | None
    masked: tuple[str, str] | None
    flagged: bool  # the NLI model already calls the pair a contradiction
    date_reason: str | None = None  # "dates differ: 21 August 1968 vs 27 August 1968"
    anchored: bool = False  # the differing values qualify the same word ("born" / "born"; "12 people" / "8 people")

    @property
    def differ(self) -> bool:
        return (self.dates is not None and self.dates.status == "differ") or \
               (self.numbers is not None and self.numbers.status == "differ")

    @property
    def update(self) -> bool:
        return self.numbers is not None and self.numbers.status == "update" and not self.differ

    @property
    def agree(self) -> bool:
        """Every value both claims state agrees (and at least one is compared)."""
        statuses = [c.status for c in (self.dates, self.numbers) if c is not None and c.status != "unknown"]
        return bool(statuses) and all(s == "same" for s in statuses)


@dataclass(frozen=True)
class ValueOutcome:
    """What the value check does to a pair: a new label and score (None: keep), notes, and its counters."""

    label: Verdict | None
    score: float | None
    notes: tuple[str, ...]
    counter: str | None  # "dates_differ", "numbers_differ", "update", "cleared" or None


_PREP = re.compile(r"\b(?:on|in|at|since|by|from|as early as|as soon as|until|till|to|of)\s*$", re.IGNORECASE)


def mask_values(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` with the ``spans`` (dates, figures) and a preposition right before one removed."""
    out, pos = [], 0
    for s, e in sorted(spans):
        if s < pos:
            continue
        out.append(_PREP.sub("", text[pos:s]))
        pos = e
    out.append(text[pos:])
    return re.sub(r"\s{2,}", " ", re.sub(r"\s+([,.;:)])", r"\1", re.sub(r"\(\s*", "(", "".join(out)))).strip()


_ANCHOR_SKIP = {"on", "in", "at", "since", "by", "from", "until", "till", "to", "of", "the", "a", "an", "was", "were",
                "is", "are", "and", "as", "early", "soon", "about", "around", "some", "least", "more", "than", "nearly"}


def _anchor(text: str, start: int) -> str | None:
    """The content word right before a value, cut to 5 letters ("(born 21 August 1968)" -> "born")."""
    for w in reversed(re.findall(r"[A-Za-z]+", text[max(0, start - 60):start])):
        if w.lower() not in _ANCHOR_SKIP:
            return w.lower()[:5]
    return None


def _short(mentions: Sequence[TimeMention]) -> str:
    return ", ".join(dict.fromkeys(m.text for m in mentions))


def plan_value_check(k: int, a: str, b: str, date_a: dt.date | None = None, date_b: dt.date | None = None,
                     flagged: bool = False) -> ValueCheck | None:
    """The value check of one pair, or None when it does not apply.

    It applies when both claims state an explicit date (resolved to days; relative ones against the
    article's date) or a figure of the same unit, and to a contradiction that states a time.
    """
    timed_a, timed_b = has_time_words(a), has_time_words(b)
    numeric_a, numeric_b = has_numbers(a), has_numbers(b)
    if not (timed_a and timed_b) and not (numeric_a and numeric_b) and not (flagged and (timed_a or timed_b)):
        return None
    ta, tb = to_digits(a), to_digits(b)
    ma = time_mentions(ta, date_a) if timed_a else ()
    mb = time_mentions(tb, date_b) if timed_b else ()
    dates = compare_times(ma, mb) if (ma or mb) else None
    if not flagged and dates is not None and dates.status == "unknown":
        dates = None
    numbers = None
    if numeric_a and numeric_b:
        qa = quantities(ta, tuple((m.start, m.end) for m in ma))
        qb = quantities(tb, tuple((m.start, m.end) for m in mb))
        if qa and qb:
            later = 0 if date_a is None or date_b is None or date_a == date_b else (1 if date_a > date_b else -1)
            numbers = compare_quantities(qa, qb, later, ta, tb)
            if numbers.status == "unknown":
                numbers = None
    if dates is None and numbers is None:
        return None
    spans_a = [(m.start, m.end) for m in ma] + [(q.start, q.end) for q in (numbers.a if numbers else ())]
    spans_b = [(m.start, m.end) for m in mb] + [(q.start, q.end) for q in (numbers.b if numbers else ())]
    masked = (mask_values(ta, spans_a), mask_values(tb, spans_b))
    reason = None
    if dates is not None and dates.status == "differ":
        words_b = {m.text.lower() for m in mb}
        words_a = {m.text.lower() for m in ma}
        xa = [m for m in ma if m.text.lower() not in words_b]
        xb = [m for m in mb if m.text.lower() not in words_a]
        reason = f"dates differ: {_short(xa)} vs {_short(xb)}"
    worded_same = same_wording(*masked) or (time_free_wording(masked[0]) == time_free_wording(masked[1])
                                            and bool(time_free_wording(masked[0])))
    if not flagged and dates is not None and any(m.days is None for m in ma + mb) and not worded_same:
        # Unless the model called a contradiction or the claims are worded the same apart from them,
        # only explicit (resolved) dates are compared: "Thursday" vs "Wednesday" may be two statements.
        dates, reason = None, None
        if numbers is None:
            return None
    anchored = False
    if dates is not None and dates.status == "differ":
        wa = {_anchor(ta, m.start) for m in ma} - {None}
        wb = {_anchor(tb, m.start) for m in mb} - {None}
        anchored = bool(wa & wb)
    if numbers is not None and numbers.status in ("differ", "update"):
        anchored = anchored or any(x.unit is not None and x.unit == y.unit for x in numbers.a for y in numbers.b) \
            or any(x.running for x in numbers.a + numbers.b)
    return ValueCheck(k, dates, numbers, None if worded_same else masked, flagged, reason, anchored)


def score_masked(checks: Sequence[ValueCheck], nli, batch_size: int = 32) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """The masked pair of every check scored both ways in one NLI call: ``{k: (forward, backward)}``."""
    index: dict[tuple[str, str], int] = {}
    for c in checks:
        if c.masked is not None:
            index.setdefault(c.masked, len(index))
            index.setdefault(c.masked[::-1], len(index))
    if not index:
        return {}
    if hasattr(nli, "predict_with_flags"):
        probs, _ = nli.predict_with_flags(list(index), batch_size=batch_size)
    else:  # evaluation models that only ``predict``
        probs = nli.predict(list(index), batch_size=batch_size)
    probs = np.asarray(probs, dtype=float).reshape(-1, 3)
    return {c.k: (probs[index[c.masked]], probs[index[c.masked[::-1]]]) for c in checks if c.masked is not None}


def judge_values(check: ValueCheck, masked: tuple[np.ndarray, np.ndarray] | None, contradiction: float,
                 agreement: float, thresholds: Thresholds) -> ValueOutcome:
    """The value check's effect on one pair (see the module's docstring)."""
    if check.masked is None:
        same_fact, masked_c, shown = True, 0.0, "the claims are worded the same apart from the values"
    elif masked is None:
        return ValueOutcome(None, None, (), None)
    else:
        fwd, bwd = masked
        c, _ = two_way_scores(fwd[None, :], bwd[None, :])
        masked_c = float(c[0])
        # The same fact: entailment both ways; or one way, no contradiction, and the values qualify the same word
        # ("born 21 August 1968" / "born on 27 August 1968": a longer claim may entail a shorter one only).
        both = min(float(fwd[ENT]), float(bwd[ENT])) >= thresholds.agreement
        one = (max(float(fwd[ENT]), float(bwd[ENT])) >= thresholds.agreement and check.anchored
               and masked_c < thresholds.contradiction and max(float(fwd[CON]), float(bwd[CON])) < 0.5)
        same_fact = both or one
        shown = (f"with the values masked, the claims state the same fact (entailment {fwd[ENT]:.2f} forward, "
                 f"{bwd[ENT]:.2f} backward{'' if both else '; the values qualify the same word'})") if same_fact else f"with the values masked, contradiction {masked_c:.2f}"
    reasons = [r for r in (check.date_reason, check.numbers.reason if check.numbers is not None
                           and check.numbers.status == "differ" else None) if r]
    floor = max(contradiction, thresholds.contradiction)
    if check.differ and same_fact:
        which = "dates_differ" if check.date_reason else "numbers_differ"
        if check.masked is None and check.date_reason and check.numbers is None:
            shown = "the claims are worded the same apart from the dates"
        return ValueOutcome(Verdict.contradiction, floor, (*reasons, shown), which)
    if check.update and same_fact:
        return ValueOutcome(Verdict.contradiction, floor, (check.numbers.reason, shown), "update")
    if not check.flagged:
        return ValueOutcome(None, None, (), None)
    # A contradiction the model called: does it survive with the values masked?
    if check.masked is not None and masked_c >= thresholds.contradiction and not same_fact:
        return ValueOutcome(None, None, (), None)  # it hinges on something else
    hinge = f"with the values masked, contradiction {masked_c:.2f}: it hinges on the values"
    if check.differ or check.update:
        note = check.numbers.reason if check.update else None
        return ValueOutcome(None, None, tuple(r for r in (*reasons, note, hinge) if r), None)
    why = "the values agree" if check.agree else "the values cannot be compared"
    said = "; ".join(c.reason for c in (check.dates, check.numbers) if c is not None)
    if check.dates is not None and check.numbers is None:
        why = why.replace("values", "times")
    return ValueOutcome(Verdict.neutral, 1.0 - max(masked_c, agreement), (f"not a contradiction: {why}; {said}", hinge),
                        "cleared")
