"""Time-aware comparison: read the time expressions of a claim and resolve them against its article's date.

NLI models read time word by word: "the Kremlin said yesterday" against "the Kremlin said Thursday"
scores as a contradiction although, in an article dated Friday 2022-01-28, both name the same day.
This module finds time expressions with dateparser (BSD-3; ``search_dates``), resolves each to the
days it can mean, and compares two claims' times:

- ``same``: the days overlap (an unqualified weekday can mean the last or the next one);
- ``differ``: every reading of one lies outside every reading of the other;
- ``unknown``: a side has no time, or a relative one ("yesterday", "Monday", "January 27") in an
  article whose date is not known.

An expression is *relative* when its resolution moves with the reference date (tested by resolving
it against two far-apart dates), so nothing here lists words by hand beyond the filter that keeps
dateparser from reading the modal "may" or a bare number as a date. The pipeline decides what a
comparison means for a verdict (see ``pipeline.time_recheck``); this module needs no model.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["TimeMention", "TimeComparison", "article_date", "compare_times", "mask_times", "parse_date",
           "time_mentions", "dateline_date", "has_time_words", "time_free_wording"]

_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
_MONTHS = ("january february march april may june july august september october november december "
           "jan feb mar apr jun jul aug sep sept oct nov dec").split()
_RELATIVE_DAYS = "yesterday today tomorrow tonight".split()
_PERIODS = "week weekend month year".split()
# Cheap prefilter: only texts with one of these reach dateparser.
_TIME_WORD = re.compile(
    r"\b(?:" + "|".join(_WEEKDAYS + _MONTHS + _RELATIVE_DAYS + _PERIODS) + r")s?\b|\b(?:1[89]|20)\d\d\b",
    re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
# Two far-apart reference dates: an expression that resolves the same against both is absolute.
_PROBES = (dt.datetime(2001, 6, 13), dt.datetime(2013, 2, 20))


@dataclass(frozen=True)
class TimeMention:
    """A time expression in a text and the days it can mean (``None``: not resolvable here)."""

    text: str
    start: int
    end: int
    days: tuple[tuple[dt.date, dt.date], ...] | None  # closed intervals

    def describe(self) -> str:
        if self.days is None:
            return f"'{self.text}' (no date to resolve it against)"
        parts = [a.isoformat() if a == b else f"{a.isoformat()}..{b.isoformat()}" for a, b in self.days]
        return f"'{self.text}' ({' or '.join(dict.fromkeys(parts))})"


@dataclass(frozen=True)
class TimeComparison:
    """How two claims' times relate: ``same``, ``differ`` or ``unknown``, with a one-line reason."""

    status: str
    reason: str


def has_time_words(text: str) -> bool:
    """True when ``text`` may hold a time expression (the cheap test before dateparser)."""
    return _TIME_WORD.search(text) is not None


_FILLER = re.compile(r"\b(?:on|in|at|of|the|last|next|this|coming|past|early|as|soon|since|by|until)\b", re.IGNORECASE)


def time_free_wording(text: str) -> str:
    """``text`` without time words, digits, fillers, punctuation or case: a cheap test that two
    claims differ only in their times, before dateparser reads them."""
    return re.sub(r"[\W\d_]+", "", _FILLER.sub("", _TIME_WORD.sub("", text))).casefold()


def _keep_span(span: str) -> bool:
    """Whether a dateparser match is a time expression, not a modal "may", a bare number or "now"."""
    words = re.findall(r"[a-z]+", span.lower())
    if any(w in _WEEKDAYS or w in _RELATIVE_DAYS for w in words):
        return True
    if _YEAR.search(span) or re.search(r"\d{4}-\d\d-\d\d", span):
        return True
    months = [w for w in words if w in _MONTHS]
    if months:
        # "may" and "march" alone are usually verbs; a month needs a day, a year or a capital.
        return bool(_DIGIT.search(span)) or (months[0] not in ("may", "march", "mar")
                                              and any(m[:1].isupper() for m in re.findall(r"[A-Za-z]+", span)))
    return any(w.rstrip("s") in _PERIODS for w in words) and any(w in ("last", "next", "this", "coming", "past")
                                                                 for w in words)


def _parser(base: dt.datetime, prefer: str):
    from dateparser.date import DateDataParser

    return DateDataParser(languages=["en"], settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": prefer,
                                                      "RETURN_AS_TIMEZONE_AWARE": False})


@lru_cache(maxsize=64)
def _parsers(base: dt.datetime) -> tuple:
    return _parser(base, "past"), _parser(base, "future")


def _interval(day: dt.date, period: str) -> tuple[dt.date, dt.date]:
    if period == "week":
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    if period == "month":
        start = day.replace(day=1)
        nxt = (start + dt.timedelta(days=32)).replace(day=1)
        return start, nxt - dt.timedelta(days=1)
    if period == "year":
        return day.replace(month=1, day=1), day.replace(month=12, day=31)
    return day, day


def _readings(span: str, base: dt.datetime) -> tuple[tuple[dt.date, dt.date], ...]:
    out = []
    for parser in _parsers(base):
        data = parser.get_date_data(span)
        if data and data.date_obj is not None:
            out.append(_interval(data.date_obj.date(), data.period or "day"))
    # An unqualified weekday read on that same weekday may mean the reference day itself.
    words = span.lower().split()
    if any(w.strip(",.") == _WEEKDAYS[base.weekday()] for w in words) and not {"last", "next"} & set(words):
        out.append((base.date(), base.date()))
    return tuple(sorted(set(out)))


@lru_cache(maxsize=1 << 14)
def _resolve(span: str, base: dt.date | None) -> tuple[tuple[dt.date, dt.date], ...] | None:
    probes = [_readings(span, p) for p in _PROBES]
    if not probes[0]:
        return None
    if probes[0] == probes[1]:
        return probes[0]  # absolute: the same whatever the reference date
    if base is None:
        return None
    return _readings(span, dt.datetime(base.year, base.month, base.day)) or None


_LEAD = re.compile(r"(?:(?:the|on|in|at|of|by|and)\s+)+", re.IGNORECASE)
_FIGURE_LEAD = re.compile(r"[\d,.]+\s+(?:on|in|at|by|this|last|next)\s+", re.IGNORECASE)
_TRAIL = re.compile(r"(?:\s+(?:the|on|in|at|of|by|and))+\s*$", re.IGNORECASE)


@lru_cache(maxsize=1 << 14)
def _search(text: str) -> tuple[tuple[str, int, int], ...]:
    from dateparser.search import search_dates

    found = search_dates(text, languages=["en"], settings={"RELATIVE_BASE": _PROBES[0]}) or []
    out, pos = [], 0
    for span, _ in found:
        k = text.find(span, pos)
        if k < 0:
            k = text.find(span)
        if k >= 0 and _keep_span(span):
            lead = _LEAD.match(span)
            cut = lead.end() if lead else 0
            # "rose to 12 on Tuesday": dateparser takes the count for a month; "27 August 1968 in": a preposition
            figure = _FIGURE_LEAD.match(span, cut)
            cut = figure.end() if figure else cut
            trail = _TRAIL.search(span, cut)
            end = trail.start() if trail else len(span)
            if cut < end and _keep_span(span[cut:end]):
                out.append((span[cut:end], k + cut, k + end))
            pos = k + len(span)
    return tuple(out)


def time_mentions(text: str, base: dt.date | None = None) -> tuple[TimeMention, ...]:
    """The time expressions of ``text``, each resolved against ``base`` (the article's date) where relative."""
    if not has_time_words(text):
        return ()
    return tuple(TimeMention(span, s, e, _resolve(span, base)) for span, s, e in _search(text))


def mask_times(text: str, mentions: tuple[TimeMention, ...]) -> str:
    """``text`` with its time expressions (and a preposition right before one) removed."""
    out, pos = [], 0
    for m in sorted(mentions, key=lambda m: m.start):
        head = re.sub(r"\b(?:on|in|at|since|by|from|as early as|as soon as|until|till)\s*$", "", text[pos:m.start],
                      flags=re.IGNORECASE)
        out.append(head)
        pos = m.end
    out.append(text[pos:])
    return re.sub(r"\s{2,}", " ", re.sub(r"\s+([,.;:])", r"\1", "".join(out))).strip()


def _overlap(a: tuple[tuple[dt.date, dt.date], ...], b: tuple[tuple[dt.date, dt.date], ...]) -> bool:
    return any(x0 <= y1 and y0 <= x1 for x0, x1 in a for y0, y1 in b)


def compare_times(a: tuple[TimeMention, ...], b: tuple[TimeMention, ...]) -> TimeComparison:
    """Compare two claims' times; mentions worded the same on both sides are left out."""
    words_a = {m.text.lower() for m in a}
    words_b = {m.text.lower() for m in b}
    a = tuple(m for m in a if m.text.lower() not in words_b)
    b = tuple(m for m in b if m.text.lower() not in words_a)
    if not a or not b:
        return TimeComparison("unknown", "times compared: only one side states a time")
    said = f"times compared: {', '.join(m.describe() for m in a)} vs {', '.join(m.describe() for m in b)}"
    if any(m.days is None for m in a + b):
        # Without a date to resolve against, a weekday still fixes something: one day never has two names.
        wa, wb = _weekdays(a), _weekdays(b)
        if wa and wb and not wa & wb:
            return TimeComparison("differ", "dates differ (different weekdays): " + said.removeprefix("times compared: "))
        return TimeComparison("unknown", said)
    days_a = tuple(d for m in a for d in m.days or ())
    days_b = tuple(d for m in b for d in m.days or ())
    if _overlap(days_a, days_b):
        return TimeComparison("same", said)
    return TimeComparison("differ", "dates differ: " + said.removeprefix("times compared: "))


def _weekdays(mentions: tuple[TimeMention, ...]) -> frozenset[int] | None:
    """The weekdays every mention allows (0 = Monday), when each names one or resolves to single days; else None."""
    allowed: set[int] | None = None
    for m in mentions:
        named = {k for k, day in enumerate(_WEEKDAYS) if re.search(rf"\b{day}\b", m.text, re.IGNORECASE)}
        if not named and m.days is not None and all(x == y for x, y in m.days):
            named = {x.weekday() for x, _ in m.days}
        if not named:
            return None
        allowed = named if allowed is None else allowed & named
    return frozenset(allowed) if allowed is not None else None


def parse_date(value: str | None) -> dt.date | None:
    """An article's ``date`` field (ISO or free text) as a date, or None."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        pass
    from dateparser import parse

    got = parse(value, languages=["en"], settings={"REQUIRE_PARTS": ["day", "month", "year"]})
    return got.date() if got else None


# A dateline or byline date near the top: "By Ken Bredemeier January 27, 2022", "MOSCOW, Jan 28, 2022 (Reuters) -".
_FULL_DATE = re.compile(
    r"\b(?:(?:" + "|".join(_MONTHS) + r")\.?\s+\d{1,2},?\s+(?:19|20)\d\d|\d{1,2}\s+(?:" + "|".join(_MONTHS)
    + r")\.?,?\s+(?:19|20)\d\d|(?:19|20)\d\d-\d\d-\d\d)\b", re.IGNORECASE)


def dateline_date(text: str, head: int = 600) -> dt.date | None:
    """The first full date (day, month and year) in the first ``head`` characters of the raw text."""
    m = _FULL_DATE.search(text[:head])
    return parse_date(m.group(0)) if m else None


def article_date(date_field: str | None, raw_text: str = "") -> dt.date | None:
    """An article's date: its ``date`` (JSON field, HTML metadata, leading "date ..." line), else a dateline."""
    return parse_date(date_field) or (dateline_date(raw_text) if raw_text else None)
