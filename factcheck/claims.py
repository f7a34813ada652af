"""Stage 2: split a document's kept story spans into claims (sentences, plus clauses of long ones).

Sentences come from ``factcheck.sentences.split_sentences``, the project's one splitter. A long
compound sentence may also yield its clauses ("..., refusing to ban Ukraine from joining NATO,
and saying that allied deployments ... are non-negotiable") so that NLI compares sharper
statements; a clause claim keeps its offsets and records its parent sentence in ``sentence``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from factcheck.documents import Document
from factcheck.sentences import Span, split_sentences

__all__ = ["Claim", "ClaimSet", "extract_claim_set", "extract_claims", "clause_spans", "count_words"]

_WORD = re.compile(r"[^\W_]+(?:['’.,-][^\W_]+)*")

# Reporting/participle verbs that open a clause after a comma: ", and saying that ...".
_PARTICIPLES = (
    "saying adding noting warning insisting arguing stressing emphasizing emphasising claiming "
    "refusing rejecting repeating reiterating calling denying citing accusing urging vowing "
    "promising acknowledging conceding telling threatening"
).split()
# Split points (start, end) of the separator; the clause after it starts at the separator's end.
_PARTICIPLE = r"(?=(?:" + "|".join(_PARTICIPLES) + r")\b)"
_SEPARATORS = re.compile(
    r"\s*;\s+"
    r"|(?P<dash>\s+[—–]\s+)(?:and\s+|but\s+)?"
    r"|,[\"”’]?\s+(?:and\s+|while\s+|but\s+)?" + _PARTICIPLE
    + r"|\s+and\s+" + _PARTICIPLE
    + r"|,[\"”’]?\s+but\s+"
)
_OPENERS = "“‘«(["
_CLOSERS = "”’»)]"
_TRIM = " \t\n,;:—–-"


@dataclass(frozen=True)
class Claim:
    """A checkable statement: ``text == document.text[start:end]``.

    ``index`` numbers the article's claims in order; ``sentence`` is the index of the sentence
    it is (or, for a clause claim, belongs to) in ``ClaimSet.sentences``, so the pipeline can
    fetch the neighbouring sentences for context. ``clause`` marks a clause taken from inside
    a longer sentence.
    """

    article: str
    index: int
    text: str
    start: int
    end: int
    sentence: int
    clause: bool = False


@dataclass(frozen=True)
class ClaimSet:
    """Everything stage 2 produced for one article."""

    article: str
    claims: tuple[Claim, ...]
    sentences: tuple[Span, ...]
    short_fragments: int


def count_words(text: str) -> int:
    """Number of words (letters/digits, with inner apostrophes, dots or hyphens)."""
    return len(_WORD.findall(text))


def _depth_ok(text: str, start: int, pos: int) -> bool:
    """True when ``pos`` is outside quotes and brackets that open after ``start``."""
    depth = 0
    straight = 0
    for c in text[start:pos]:
        if c in _OPENERS:
            depth += 1
        elif c in _CLOSERS:
            depth = max(0, depth - 1)
        elif c == '"':
            straight ^= 1
    return depth == 0 and straight == 0


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in _TRIM:
        s += 1
    while e > s and text[e - 1] in _TRIM:
        e -= 1
    return s, e


def clause_spans(text: str, start: int, end: int, min_words: int = 6) -> list[tuple[int, int]]:
    """Clause offsets inside the sentence ``text[start:end]``, or [] when it should stay whole.

    Splits on "; ", a single spaced dash, ", but ..." and "(,) (and) saying/adding/refusing ..."
    outside quotes and brackets; a part shorter than ``min_words`` stays joined to its
    neighbour. Two dashes in one sentence are a parenthesis and are not split on.
    """
    sentence = text[start:end]
    cuts = []
    dashes = len(re.findall(r"\s[—–]\s", sentence))
    for m in _SEPARATORS.finditer(text, start, end):
        if m.group("dash") and dashes != 1:
            continue
        if _depth_ok(text, start, m.start()):
            cuts.append((m.start(), m.end()))
    if not cuts:
        return []
    parts: list[tuple[int, int]] = []
    cur = start
    for cut_start, cut_end in cuts:
        parts.append((cur, cut_start))
        cur = cut_end
    parts.append((cur, end))
    # A part that is too short joins the previous part (the first one joins the next).
    merged: list[tuple[int, int]] = []
    carry: int | None = None
    for s, e in parts:
        if carry is not None:
            s, carry = carry, None
        if count_words(text[s:e]) >= min_words:
            merged.append((s, e))
        elif merged:
            merged[-1] = (merged[-1][0], e)
        else:
            carry = s
    if len(merged) < 2:
        return []
    out = [_trim(text, s, e) for s, e in merged]
    return [(s, e) for s, e in out if e > s]


def extract_claim_set(
    doc: Document,
    min_words: int = 5,
    split_clauses: bool = True,
    min_clause_words: int = 6,
    clause_sentence_words: int = 20,
) -> ClaimSet:
    """Sentences of every kept span as claims, plus clause claims of long compound sentences.

    Fragments under ``min_words`` words are not claims (counted in ``short_fragments``) but stay
    in ``sentences`` for context. Clauses are tried only for sentences of at least
    ``clause_sentence_words`` words.
    """
    sentences: list[Span] = []
    claims: list[Claim] = []
    short = 0
    for span_start, span_end in doc.spans:
        for sent in split_sentences(doc.text, span_start, span_end):
            k = len(sentences)
            sentences.append(sent)
            n = count_words(sent.text)
            if n < min_words:
                short += 1
                continue
            whole = (sent.start, sent.end)
            claims.append(Claim(doc.id, len(claims), sent.text, sent.start, sent.end, k))
            if not split_clauses or n < clause_sentence_words:
                continue
            for s, e in clause_spans(doc.text, sent.start, sent.end, min_clause_words):
                if (s, e) != whole and count_words(doc.text[s:e]) >= max(min_words, min_clause_words):
                    claims.append(Claim(doc.id, len(claims), doc.text[s:e], s, e, k, clause=True))
    return ClaimSet(doc.id, tuple(claims), tuple(sentences), short)


def extract_claims(doc: Document, min_words: int = 5, split_clauses: bool = True) -> list[Claim]:
    """The claims of one document, in text order (a sentence, then its clauses)."""
    return list(extract_claim_set(doc, min_words=min_words, split_clauses=split_clauses).claims)
