"""Quantities in a claim: the values a number allows, what it counts, and whether it is a running total.

"12 people", "at least 8 people", "about 300", "between 10 and 15", "dozens of", "$5 million", "40%".
Each mention becomes a closed interval of the values it allows: an exact figure is one point, a hedge
widens it ("at least 8" -> [8, inf), "about 300" -> [255, 345]), a vague word is a range ("dozens of" ->
[24, 200]). Two claims' quantities *differ* when, for a unit or counted noun both state, no interval of
one meets an interval of the other; overlapping ones are compatible. A running total ("the toll rose to
12") is marked so that a larger later count can be read as an update rather than a contradiction.

Number words ("forty", "twenty-one") are read by ``text2num`` (MIT; ``alpha2digit``, Rust, about 10 µs
a sentence) when it is installed; without it only digits are read. quantulum3 was measured and not
used: 15 ms a sentence (1,500x slower), 28 MB installed, its classifier fails to load with the
installed scikit-learn, and it reports every count as "dimensionless" and ignores hedges and "dozens",
which is what this comparison needs. The grammar here is the small rest: hedges, ranges, scales,
currencies and the counted noun. The pipeline decides what a comparison means (``factcheck.valuecheck``).
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Quantity", "NumberComparison", "compare_quantities", "quantities", "to_digits", "has_numbers"]

log = logging.getLogger("factcheck")

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9, "b": 1e9,
          "trillion": 1e12, "tn": 1e12}
_CURRENCY = {"$": "$", "us$": "$", "£": "£", "€": "€", "¥": "¥"}
# Hedge -> how it widens a figure v: ("lower": [v, inf), "upper": [0, v], "approx": [0.85 v, 1.15 v], "below": [0.85 v, v]).
_HEDGES = {
    "at least": "lower", "more than": "lower", "over": "lower", "upwards of": "lower", "in excess of": "lower",
    "no fewer than": "lower", "no less than": "lower", "well over": "lower", "over than": "lower",
    "up to": "upper", "as many as": "upper", "at most": "upper", "fewer than": "upper", "less than": "upper",
    "under": "upper", "no more than": "upper", "below": "upper",
    "about": "approx", "around": "approx", "roughly": "approx", "approximately": "approx", "some": "approx",
    "an estimated": "approx", "estimated": "approx", "circa": "approx", "almost": "below", "nearly": "below",
    "close to": "below", "just under": "below", "just over": "approx",
}
# Vague counts, as [low, high] ranges.
_VAGUE = {"a dozen": (10, 14), "dozens of": (24, 200), "scores of": (40, 200), "hundreds of": (200, 999),
          "thousands of": (2000, 99_999), "tens of thousands of": (20_000, 99_999),
          "hundreds of thousands of": (200_000, 999_999), "millions of": (2e6, 999e6)}
_HEDGE_RE = "|".join(sorted((re.escape(h) for h in _HEDGES), key=len, reverse=True))
_VAGUE_RE = "|".join(sorted((re.escape(v) for v in _VAGUE), key=len, reverse=True))
_SCALE_RE = r"(?:\s*(?:thousand|million|billion|trillion)\b|(?:k|m|mn|bn|b|tn)\b)"
_CUR_RE = r"(?:US\$|\$|£|€|¥)"
_ONE = rf"(?:{_CUR_RE}\s?)?(?:{_NUM}){_SCALE_RE}?"
_MENTION = re.compile(
    rf"(?P<vague>\b(?:{_VAGUE_RE})\b)"
    rf"|(?:\b(?P<hedge>{_HEDGE_RE})\s+)?"
    rf"(?:(?P<between>\bbetween\s+)?(?P<low>{_ONE})\s*(?:-|–|—|\bto\b|\band\b)\s*(?P<high>{_ONE})"
    rf"|(?P<one>{_ONE}))"
    r"(?P<pct>\s?(?:%|per\s?cent\b|percent\b))?",
    re.IGNORECASE)
_NUMBER_WORD = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand)\b",
    re.IGNORECASE)
# Words between a figure and what it counts: "40 more people", "12 other passengers".
_SKIP = {"more", "other", "additional", "further", "new", "extra", "fewer", "separate", "of", "the", "some"}
_FUNCTION = {"and", "or", "to", "in", "on", "at", "by", "for", "from", "with", "were", "was", "are", "is", "have",
             "has", "had", "be", "been", "a", "an", "as", "than", "that", "which", "who", "per", "said", "says",
             "after", "before", "since", "this", "last", "people's"}
# Counted nouns that name people (and what happened to them): one family, compared when the masked claims agree.
_PERSONS = {"people", "person", "persons", "civilian", "resident", "victim", "killed", "dead", "death", "died",
            "fatality", "injured", "wounded", "hurt", "casualty", "survivor", "missing"}
_RUNNING = re.compile(r"\b(?:rose|risen|rises|rising|climbed|climbs|climbing|increased|increases|grew|grown|jumped|"
                      r"mounted|reached|soared|now|so far|to date|has reached|toll)\b[^.;]{0,40}$", re.IGNORECASE)
_RUNNING_ANYWHERE = re.compile(r"\b(?:so far|to date|death toll|toll|now stands)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Quantity:
    """A figure in a text: its words, the values it allows, what it counts, and whether it is a running total."""

    text: str
    start: int
    end: int
    low: float
    high: float
    exact: bool
    unit: str | None  # "$", "%", a counted noun ("people", "protester"), or None when nothing follows
    running: bool = False

    def overlaps(self, other: "Quantity") -> bool:
        tol = 1e-9 * max(1.0, abs(self.low), abs(other.low))
        return self.low <= other.high + tol and other.low <= self.high + tol


@dataclass(frozen=True)
class NumberComparison:
    """How two claims' quantities relate: ``same``, ``differ`` or ``unknown``, with a one-line reason;
    ``update`` when they differ and the larger is a running total (or in the later article)."""

    status: str
    reason: str
    a: tuple[Quantity, ...] = ()
    b: tuple[Quantity, ...] = ()


def has_numbers(text: str) -> bool:
    """True when ``text`` may state a quantity (the cheap test before parsing)."""
    return bool(re.search(r"\d", text)) or _NUMBER_WORD.search(text) is not None or "dozen" in text.lower() \
        or re.search(r"\b(?:scores|hundreds|thousands|millions) of\b", text, re.IGNORECASE) is not None


_warned = False


@lru_cache(maxsize=1 << 14)
def to_digits(text: str) -> str:
    """``text`` with number words written as digits ("forty people" -> "40 people"), via text2num if installed."""
    global _warned
    if _NUMBER_WORD.search(text) is None:
        return text
    try:
        from text_to_num import alpha2digit
    except ImportError:
        if not _warned:
            log.info("text2num is not installed: number words ('forty') are not compared, digits are")
            _warned = True
        return text
    out = alpha2digit(text, "en")
    # alpha2digit writes ordinals as digits ("first" -> "1st"); keep the words, they are not counts.
    return out if len(re.findall(r"\d+(?:st|nd|rd|th)\b", out)) == len(re.findall(r"\d+(?:st|nd|rd|th)\b", text)) \
        else text


def _value(s: str) -> tuple[float, str | None]:
    cur = None
    m = re.match(rf"\s*({_CUR_RE})\s?", s, re.IGNORECASE)
    if m:
        cur = _CURRENCY[m.group(1).lower()]
        s = s[m.end():]
    num = re.match(_NUM, s)
    value = float(num.group(0).replace(",", ""))
    scale = s[num.end():].strip().lower()
    if scale:
        value *= _SCALE.get(scale, 1.0)
    return value, cur


def _noun(rest: str) -> str | None:
    """The counted noun right after a figure, lemmatised lightly; None when none follows."""
    words = re.findall(r"[A-Za-z][A-Za-z'-]*|[^\sA-Za-z]", rest[:60])
    skipped = 0
    for w in words:
        lw = w.lower()
        if not w[0].isalpha():
            return None
        if lw in _SKIP and skipped < 2:
            skipped += 1
            continue
        if lw in _FUNCTION or lw in _HEDGES:
            return None
        if lw in ("people", "persons", "person"):
            return "people"
        if lw.endswith("ies") and len(lw) > 4:
            return lw[:-3] + "y"
        if lw.endswith("s") and not lw.endswith("ss") and len(lw) > 3:
            return lw[:-1]
        return lw
    return None


def _interval(low: float, high: float, hedge: str | None) -> tuple[float, float]:
    kind = _HEDGES.get((hedge or "").lower())
    if kind == "lower":
        return low, math.inf
    if kind == "upper":
        return 0.0, high
    if kind == "approx":
        return 0.85 * low, 1.15 * high
    if kind == "below":
        return 0.85 * low, high
    return low, high


@lru_cache(maxsize=1 << 14)
def quantities(text: str, skip: tuple[tuple[int, int], ...] = ()) -> tuple[Quantity, ...]:
    """The figures of ``text`` (digits; run ``to_digits`` first for words), leaving out ``skip`` spans (dates),
    ordinals, clock times, years standing alone, and numbers glued to words ("COVID-19", "G7")."""
    out: list[Quantity] = []
    for m in _MENTION.finditer(text):
        s, e = m.span()
        if any(s < b and a < e for a, b in skip):
            continue
        before, after = text[max(0, s - 1):s], text[e:e + 3]
        if re.match(r"[\w\-:/.]", before) and not m.group("vague") and not m.group("hedge"):
            continue  # glued to a word: "COVID-19", "G7", "A-10"
        if re.match(r"(?:st|nd|rd|th)\b|[:/.]\d|[A-Za-z]", after) and not m.group("pct"):
            continue  # ordinal, clock time, version, "5G"
        hedge = m.group("hedge")
        running = bool(_RUNNING.search(text[max(0, s - 60):s]))
        if m.group("vague"):
            low, high = _VAGUE[m.group("vague").lower()]
            out.append(Quantity(m.group(0), s, e, float(low), float(high), False, _noun(text[e:]), running))
            continue
        if m.group("one"):
            v, cur = _value(m.group("one"))
            low = high = v
            ranged = False
        else:
            low, cur = _value(m.group("low"))
            high, cur_h = _value(m.group("high"))
            cur = cur or cur_h
            if low > high or (not m.group("between") and re.search(r"\band\b", m.group(0))):
                # "3 and 4 people" is two figures, not a range; read the second alone
                continue
            ranged = True
        unit = "%" if m.group("pct") else cur
        if unit is None:
            unit = _noun(text[e:])
            if unit is None and not hedge and not ranged and re.fullmatch(r"(?:1[89]|20)\d\d", m.group("one") or ""):
                continue  # a year standing alone
        lo, hi = _interval(low, high, hedge)
        out.append(Quantity(m.group(0).strip(), s, e, lo, hi, not hedge and not ranged, unit, running))
    return tuple(out)


def _family(unit: str | None) -> str | None:
    return "persons" if unit in _PERSONS else unit


def _comparable(x: Quantity, y: Quantity) -> bool:
    """Same unit or counted noun; a figure with no noun meets any count (not money or a percentage)."""
    if x.unit == y.unit:
        return True
    if x.unit is None or y.unit is None:
        other = y.unit if x.unit is None else x.unit
        return other not in ("%", "$", "£", "€", "¥")
    return _family(x.unit) == _family(y.unit) == "persons"


def _show(q: Quantity) -> str:
    return q.text


def compare_quantities(a: tuple[Quantity, ...], b: tuple[Quantity, ...], later: int = 0,
                       text_a: str = "", text_b: str = "") -> NumberComparison:
    """Compare two claims' figures; a figure worded the same on both sides is left out.

    ``later``: 1 when claim ``a`` is from the later article, -1 when ``b`` is, 0 when unknown. A larger
    count that is a running total ("rose to 12"), or stated in the later article for a count of people,
    makes the difference a possible ``update``.
    """
    same_words = {q.text.lower() for q in a} & {q.text.lower() for q in b}
    a = tuple(q for q in a if q.text.lower() not in same_words)
    b = tuple(q for q in b if q.text.lower() not in same_words)
    pairs = [(x, y) for x in a for y in b if _comparable(x, y)]
    if not pairs:
        return NumberComparison("unknown", "numbers compared: no figure of the same unit on both sides")
    xs = tuple(dict.fromkeys(x for x, _ in pairs))
    ys = tuple(dict.fromkeys(y for _, y in pairs))
    said = f"{', '.join(map(_show, xs))} vs {', '.join(map(_show, ys))}"
    if any(x.overlaps(y) for x, y in pairs):
        return NumberComparison("same", f"numbers agree: {said}", xs, ys)
    # Every figure of one lies outside every figure of the other: they differ. A possible update?
    big_a = max(x.low for x in xs) > max(y.high for y in ys)
    big, small = (xs, ys) if big_a else (ys, xs)
    text_big = text_a if big_a else text_b
    running = any(q.running for q in big) or bool(_RUNNING_ANYWHERE.search(text_big) and
                                                  not any(q.running for q in small))
    later_big = (later == 1 and big_a) or (later == -1 and not big_a)
    earlier_big = (later == -1 and big_a) or (later == 1 and not big_a)
    counts_people = any(_family(q.unit) in ("persons", None) for q in big + small)
    if (running and not earlier_big) or (later_big and counts_people):
        return NumberComparison("update", f"possible update: {', '.join(map(_show, big))} vs {', '.join(map(_show, small))} "
                                          "(a running total, larger in the later claim): not a plain contradiction", xs, ys)
    return NumberComparison("differ", f"numbers differ: {said}", xs, ys)
