"""The project's one sentence splitter: rule-based, offset-preserving, no downloads.

Handles abbreviations ("U.S.", "U.N.", "Mr.", "Jan."), initials, decimals,
closing quotes and brackets after the final stop, and paragraph breaks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Span", "split_sentences"]

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


def _split_block(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    cur = start
    for m in _BOUNDARY.finditer(text, start, end):
        if _is_boundary(text, m.start(1), m.group(1), m.end(3)):
            spans.append((cur, m.end(2)))
            cur = m.end(3)
    spans.append((cur, end))
    return spans


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Split ``text[start:end]`` into sentences whose offsets index ``text``.

    Leading/trailing whitespace is excluded from every span; empty spans are dropped.
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
            if s < e:
                out.append(Span(text[s:e], s, e))
    return out
