"""The project's one sentence splitter: rule-based, offset-preserving, no downloads.

Handles abbreviations ("U.S.", "U.N.", "Mr.", "Jan."), initials, decimals,
closing quotes and brackets after the final stop, and paragraph breaks. With ``max_words``, a
sentence longer than that (a run-on text without stops, a 3,000-word single sentence) is cut into
consecutive windows at commas, dashes or conjunctions where it can, so no text becomes one
oversized unit that a model would truncate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Span", "split_sentences", "split_windows"]

# Abbreviations that do not end a sentence when followed by a capitalised word.
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof sr jr st mt ft gen col lt sgt capt cmdr adm gov sen rep rev hon pres supt insp
    co corp inc ltd llc bros dept univ assn est no nos vol vols fig figs approx vs etc al cf ca
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    ave blvd rd hwy
    """.split()
)
# Words after which an initialism such as "U.S." is taken to end the sentence.
_SENTENCE_STARTERS = frozenset(
    """
    the a an he she it they we i you this that these those there his her its their our but and
    however meanwhile in on at after before while when if as so yet still also then now
    """.split()
)
_OPEN_QUOTES = "\"'“‘«(["
_CLOSE_QUOTES = "\"'”’»)]"

# A candidate boundary: terminal punctuation, optional closing quotes, whitespace.
_BOUNDARY = re.compile(r"([.!?…]+)([" + re.escape(_CLOSE_QUOTES) + r"]*)(\s+)")
_PARAGRAPH = re.compile(r"\n[ \t]*\n|\n(?=[ \t]*\S)")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")
_NEXT_WORD = re.compile(r"[" + re.escape(_OPEN_QUOTES) + r"]*([A-Za-z]+|\d)")
_TOKEN = re.compile(r"\S+")
# Where a window may end, best first: after a clause mark, before a conjunction, anywhere.
_CLAUSE_END = re.compile(r"[,;:)\]”’\"]$|^[—–-]+$")
_CLAUSE_START = frozenset(
    "and but or while whereas which who whom whose that because although though after before when as "
    "since until if saying adding said says according".split()
)


@dataclass(frozen=True)
class Span:
    """A sentence and its character offsets: ``text == source[start:end]``."""

    text: str
    start: int
    end: int


def _is_boundary(text: str, stop_start: int, stops: str, next_pos: int) -> bool:
    nxt = text[next_pos : next_pos + 40]
    if not nxt:
        return True
    m = _NEXT_WORD.match(nxt)
    if m is None:
        # A dash continues the sentence ("the U.S. — and NATO"); other symbols start a new one.
        return nxt[:1] not in "-–—"

    word = m.group(1)
    if word[0].islower():
        return False
    if stops != ".":
        return True
    before = _WORD_BEFORE.search(text[max(0, stop_start - 30) : stop_start])
    if before is None:
        return True
    token = before.group(1)
    bare = token.replace(".", "").lower()
    if "." in token or (len(token) == 1 and token.isupper()):
        # Initialism ("U.S", "U.N") or an initial ("J. Smith"): ends a sentence only
        # when a typical sentence starter follows.
        return word.lower() in _SENTENCE_STARTERS and len(bare) > 1
    if bare in _ABBREVIATIONS:
        if bare == "no" and not word[0].isdigit():
            return True
        return False
    return True


def _inside_brackets(text: str, start: int, stop: int, closers: str) -> bool:
    """True when a "(" or "[" opened since ``start`` is still open at ``stop`` and not closed right after it."""
    depth = 0
    for c in text[start:stop]:
        if c in "([":
            depth += 1
        elif c in ")]" and depth:
            depth -= 1
    return depth > closers.count(")") + closers.count("]")


def _split_block(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    cur = start
    for m in _BOUNDARY.finditer(text, start, end):
        # "(m. 1995)": a stop inside brackets before a number does not end the sentence.
        if m.group(1) == "." and text[m.end(3):m.end(3) + 1].isdigit() and _inside_brackets(text, cur, m.start(1), m.group(2)):
            continue
        if _is_boundary(text, m.start(1), m.group(1), m.end(3)):
            spans.append((cur, m.end(2)))
            cur = m.end(3)
    spans.append((cur, end))
    return spans


def _break_quality(tokens: list[re.Match[str]], k: int) -> int:
    """How good a window end is between token ``k - 1`` and token ``k`` (2 best, 0 any space)."""
    if _CLAUSE_END.search(tokens[k - 1].group()) or tokens[k].group() in ("—", "–", "-"):
        return 2
    return 1 if tokens[k].group().lower().strip("\"'“‘(") in _CLAUSE_START else 0


def split_windows(text: str, start: int, end: int, max_words: int) -> list[tuple[int, int]]:
    """Cut ``text[start:end]`` into windows of at most ``max_words`` whitespace-separated words.

    Windows are about equally long; each cut moves up to a quarter window to the nearest clause
    mark (comma, semicolon, dash) or conjunction. Returns ``[(start, end)]`` unchanged when short.
    """
    tokens = list(_TOKEN.finditer(text, start, end))
    if max_words < 1 or len(tokens) <= max_words:
        return [(start, end)]
    out: list[tuple[int, int]] = []
    first = 0
    while len(tokens) - first > max_words:
        remaining = len(tokens) - first
        size = -(-remaining // -(-remaining // max_words))  # ceil(remaining / ceil(remaining / max_words))
        slack = max(1, size // 4)
        lo, hi = max(first + 1, first + size - slack), min(first + max_words, first + size + slack)
        target = first + size
        cut = max(range(lo, hi + 1), key=lambda k: (_break_quality(tokens, k), -abs(k - target)))
        out.append((tokens[first].start(), tokens[cut - 1].end()))
        first = cut
    out.append((tokens[first].start(), tokens[-1].end()))
    return out


def split_sentences(text: str, start: int = 0, end: int | None = None, max_words: int | None = None) -> list[Span]:
    """Split ``text[start:end]`` into sentences whose offsets index ``text``.

    Leading/trailing whitespace is excluded from every span; empty spans are dropped. With
    ``max_words``, sentences longer than that are cut into windows (``split_windows``).
    """
    end = len(text) if end is None else end
    blocks: list[tuple[int, int]] = []
    cur = start
    for m in _PARAGRAPH.finditer(text, start, end):
        blocks.append((cur, m.start()))
        cur = m.end()
    blocks.append((cur, end))
    out: list[Span] = []
    for b_start, b_end in blocks:
        for s, e in _split_block(text, b_start, b_end):
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if s >= e:
                continue
            for ws, we in split_windows(text, s, e, max_words) if max_words else [(s, e)]:
                out.append(Span(text[ws:we], ws, we))
    return out
