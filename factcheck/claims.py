"""Stage 2: split a document's kept story spans into claims (sentences, plus clauses of long ones).

Sentences come from ``factcheck.sentences.split_sentences``, the project's one splitter. A long
compound sentence may also yield its clauses ("..., refusing to ban Ukraine from joining NATO,
and saying that allied deployments ... are non-negotiable") so that NLI compares sharper
statements; a clause claim keeps its offsets and records its parent sentence in ``sentence``.

Nothing is left silently unanalysed: a sentence too long for one claim (a text without stops, a
3,000-word single sentence) is cut into windows by the same splitter, and a fragment with too
few words, or made of numbers only, is counted. ``require_comparable`` refuses a run in which
fewer than two articles have claims, naming each article that lost everything and why.

Every sentence is exactly one of: a claim, a counted fragment (``short_fragments``,
``number_fragments``) or a counted claim in another language (``foreign``).

Fact lines. A line without a terminal stop that ``documents.fact_kind`` finds a fact in ("Born 27
August 1968", "Production: May 1993 – August 2002", "Police arrested two men") is a claim with
its own minimum: ``MIN_FACT_WORDS`` (3) words of which one has letters, instead of ``min_words``
(5) words of which ``MIN_LETTER_WORDS`` (3) have letters. A fact line is short by nature (an
infobox row, a caption) and its date, measure, label or verb already says it is a statement; a
short sentence with a stop ("No way, he said.") still needs ``min_words``.

Languages. Claims not in the NLI model's language (``language``, "en" by default; None compares
every language) are not claims: they are counted in ``foreign`` with their languages in
``foreign_languages``, and the article's language is ``ClaimSet.language`` (see
``factcheck.language`` for the rule that keeps short English lines English).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from factcheck.documents import MIN_FACT_WORDS, Document, is_fact_line
from factcheck.errors import InputError
from factcheck.language import article_language, language_name, sentence_language
from factcheck.sentences import Span, split_sentences

__all__ = [
    "Claim",
    "ClaimSet",
    "clause_spans",
    "count_words",
    "extract_claim_set",
    "extract_claims",
    "language_notice",
    "list_items",
    "no_claims_reason",
    "require_comparable",
]

_WORD = re.compile(r"[^\W_]+(?:['’.,-][^\W_]+)*")
_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")
_STOP = re.compile(r"[.!?…][\"'”’»)\]]*$")
# A claim needs this many words of letters: "12 14 16 18 20" or "3.4 | 5.6 | 7.8" is not a statement.
MIN_LETTER_WORDS = 3

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
    """A checkable statement: ``text == lead + document.text[start:end]`` (``lead`` is "" except for list items).

    ``index`` numbers the article's claims in order; ``sentence`` is the index of the sentence
    it is (or, for a clause claim, belongs to) in ``ClaimSet.sentences``, so the pipeline can
    fetch the neighbouring sentences for context. ``clause`` marks a clause taken from inside
    a longer sentence; ``item`` one item of a list in it, whose ``text`` is the item's words after the
    list's ``lead`` (the shared words before the items), so it reads as a sentence of its own.
    """

    article: str
    index: int
    text: str
    start: int
    end: int
    sentence: int
    clause: bool = False
    lead: str = ""  # a list item's carried lead-in ("Russia has launched drills: "); text == lead + words
    item: bool = False  # one item of a list inside the sentence (``list_items``)

    @property
    def words(self) -> str:
        """The claim's own words in the article: ``words == document.text[start:end]``."""
        return self.text[len(self.lead):]


@dataclass(frozen=True)
class ClaimSet:
    """Everything stage 2 produced for one article."""

    article: str
    claims: tuple[Claim, ...]
    sentences: tuple[Span, ...]
    short_fragments: int
    number_fragments: int = 0  # fragments long enough but with under MIN_LETTER_WORDS words of letters
    windowed: int = 0  # sentences too long for one claim, cut into windows
    foreign: int = 0  # sentences that would be claims but are not in the NLI model's language
    foreign_languages: tuple[str, ...] = ()  # their languages (ISO 639-1), most frequent first
    language: str | None = None  # the article's language; None when not detected (language=None)
    target_language: str | None = None  # the language claims are kept in (the NLI model's)
    fact_lines: int = 0  # claims without a terminal stop (fact lines, see documents.fact_kind)

    @property
    def wholly_foreign(self) -> bool:
        """True when the article is in another language than the model's and none of it is compared."""
        return bool(self.foreign) and not self.claims and self.language != self.target_language


def count_words(text: str) -> int:
    """Number of words (letters/digits, with inner apostrophes, dots or hyphens)."""
    return len(_WORD.findall(text))


def _depth_ok(text: str, start: int, pos: int) -> bool:
    """True when ``pos`` is outside quotes and brackets that open after ``start``.

    A ’ or ‘ between two letters is an apostrophe ("Russia’s"), not a quote.
    """
    depth = 0
    straight = 0
    for i in range(start, pos):
        c = text[i]
        if c in "’‘" and 0 < i < len(text) - 1 and text[i - 1].isalpha() and text[i + 1].isalpha():
            continue
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


# List items ("X: A, B, and C"). A word counts as a verb when it is a lower-case auxiliary, a common
# irregular past form or a word ending in "-ed" after anything but a determiner or preposition.
_AUXILIARIES = frozenset(
    "is are was were has have had will would can could may might must shall should did does do "
    "said says told took made sent went came met held began flew fought struck hit shot left led won lost "
    "fell rose saw gave brought built caught drove ran sold spoke stood threw wrote kept found paid put "
    "set cut sank swam became grew knew".split()
)
_NOT_VERBS = frozenset("hundred red bed need seed speed feed breed shed sacred naked wicked".split())
_NOT_BEFORE_VERB = frozenset(
    "the a an of in on at to for with by from into onto over under its their his her our your my this that "
    "these those some many several two three four five six seven eight nine ten dozens hundreds thousands "
    "newly heavily lightly well-".split()
)
# Words after which a list of noun phrases starts ("drills involving A, B, and C").
_INTRODUCERS = re.compile(r"\b(?:including|involving|include[sd]?|involve[sd]?|such as|among them|namely)\s+")
_ITEM_WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*")
_LIST_SEP = {",": re.compile(r",\s+"), ";": re.compile(r";\s+")}
_CONJ = re.compile(r"(?:and|or)\s+")
# An item needs this many words of its own: "France, Germany and Italy signed" is one fact, not a list.
MIN_ITEM_WORDS = 3


def _verb_at(words: list[str]) -> int | None:
    """Index of the first word that reads as a verb (see ``_AUXILIARIES``), or None.

    An "-ed" word after a determiner or preposition is an adjective ("of armed men"), and so is one
    opening the words before a noun ("motorized infantry"); opening them before "a", "the", "in"
    ("seized a car", "arrived in Belarus") it is a verb.
    """
    for k, w in enumerate(words):
        if not w.islower():
            continue
        if w in _AUXILIARIES:
            return k
        if len(w) <= 4 or not w.endswith("ed") or w in _NOT_VERBS:
            continue
        if k == 0:
            nxt = words[1].lower() if len(words) > 1 else ""
            if not nxt or nxt in _NOT_BEFORE_VERB or nxt[0].isdigit() or nxt.endswith(("ly", "ing")):
                return k
        elif words[k - 1].lower() not in _NOT_BEFORE_VERB:
            return k
    return None


def _kind(text: str) -> str:
    """"verb" (the item opens with its verb: "seized a car"), "clause" (a verb after its subject:
    "warships sailed into the Baltic") or "phrase" (no verb: "warplanes in Kaliningrad")."""
    words = _ITEM_WORD.findall(text)
    k = _verb_at(words)
    return "phrase" if k is None else "verb" if k == 0 else "clause"


def _segments(text: str, start: int, end: int, sep: str) -> list[tuple[int, int]]:
    """``text[start:end]`` cut at ``sep`` outside quotes and brackets, each part trimmed."""
    out: list[tuple[int, int]] = []
    cur = start
    for m in _LIST_SEP[sep].finditer(text, start, end):
        if _depth_ok(text, start, m.start()):
            out.append((cur, m.start()))
            cur = m.end()
    out.append((cur, end))
    return [_trim(text, s, e) for s, e in out]


def _drop_conjunction(text: str, s: int, e: int) -> tuple[int, int]:
    m = _CONJ.match(text, s, e)
    return (m.end(), e) if m else (s, e)


def _word_offsets(text: str, s: int, e: int) -> list[re.Match[str]]:
    return list(_ITEM_WORD.finditer(text, s, e))


_Offsets = tuple[int, int]


def list_items(text: str, start: int, end: int) -> tuple[_Offsets | None, list[_Offsets]] | None:
    """The list in the sentence ``text[start:end]``: ``(lead, items)`` as offsets, or None.

    ``items`` are the list's items; ``lead`` is the span of the shared words an item needs to read
    as a sentence, or None when each item is a clause of its own ("warships sailed into the
    Baltic"). Only verb phrases ("police" before "arrested two men, seized a car, and closed the
    road") and noun phrases ("Russia has launched drills involving" before "warplanes in
    Kaliningrad, ...") carry a lead. A list is found, conservatively, when
    - items are split by semicolons after a colon, or by commas with "and"/"or" opening the last
      item (an Oxford-comma list; "A, B and C" is left whole, its last part is ambiguous);
    - there are at least three items, or two split by semicolons after a colon;
    - every item has ``MIN_ITEM_WORDS`` words (so "France, Germany, and Italy signed", "Paris, France"
      and "1,000" are no lists) and the items are of one kind: clauses, verb phrases sharing the first
      item's subject, or noun phrases after a colon or "including"/"involving";
    - every separator is outside quotes and brackets.
    """
    colon = next((m.end() for m in re.finditer(r":\s+", text[start:end]) if _depth_ok(text, start, start + m.start())), None)
    semis = len(_segments(text, start, end, ";")) > 1
    if colon is not None:
        colon += start
        segs = _segments(text, colon, end, ";" if semis else ",")
        if len(segs) < (2 if semis else 3) or (not semis and not _CONJ.match(text, segs[-1][0])):
            return None
        items = [_drop_conjunction(text, s, e) for s, e in segs]
        if any(_n_words(text, span) < MIN_ITEM_WORDS for span in items):
            return None
        clauses = {_kind(text[s:e]) for s, e in items} <= {"clause", "verb"} and _kind(text[slice(*items[0])]) == "clause"
        return (None if clauses else (start, colon)), items
    if semis:  # semicolon parts without a colon are clause claims already (clause_spans)
        return None
    segs = _segments(text, start, end, ",")
    last = next((k for k in range(len(segs) - 1, 0, -1) if _CONJ.match(text, segs[k][0])), None)
    if last is None:
        return None
    # What follows the last item (", the ministry said.") stays with it.
    segs = segs[:last] + [_drop_conjunction(text, segs[last][0], segs[-1][1])]
    # The items run back from the last one while they have enough words.
    run = len(segs) - 1
    while run > 0 and _n_words(text, segs[run - 1]) >= MIN_ITEM_WORDS:
        run -= 1
    body = segs[run:]
    if len(body) < 3 or _n_words(text, body[-1]) < MIN_ITEM_WORDS:
        return None
    kinds = [_kind(text[s:e]) for s, e in body]
    k = 0  # clauses may follow parts without a verb ("As part of the exercise,"): those are left out
    while k < len(body) - 1 and kinds[k] == "phrase":
        k += 1
    rest = set(kinds[k + 1:])
    if kinds[k] == "clause" and "clause" in rest and rest <= {"clause", "verb"} and len(body) - k >= 3:
        return None, body[k:]
    s0, e0 = body[0]
    rest = set(kinds[1:])
    if rest == {"verb"} and kinds[0] == "clause":  # a shared subject: "police arrested ..., seized ..."
        words = _word_offsets(text, s0, e0)
        item0 = (words[_verb_at([w.group() for w in words]) or 0].start(), e0)
        lead = (s0, item0[0])
    elif rest == {"phrase"}:  # noun phrases after "including", "involving", ...
        intro = [m for m in _INTRODUCERS.finditer(text, s0, e0) if _depth_ok(text, start, m.start())]
        if not intro:
            return None
        item0 = (intro[-1].end(), e0)
        lead = (start, item0[0])
    else:
        return None
    if item0[0] <= s0 or _n_words(text, item0) < MIN_ITEM_WORDS:
        return None
    return lead, [item0] + body[1:]


def _n_words(text: str, span: tuple[int, int]) -> int:
    return len(_word_offsets(text, *span))

def extract_claim_set(
    doc: Document,
    min_words: int = 5,
    split_clauses: bool = True,
    min_clause_words: int = 6,
    clause_sentence_words: int = 20,
    max_sentence_words: int = 60,
    run_on_words: int = 20,
    language: str | None = "en",
    split_lists: bool = True,
    list_sentence_words: int = 12,
) -> ClaimSet:
    """Sentences of every kept span as claims, plus clause claims of long compound sentences and
    item claims of lists.

    Fragments under ``min_words`` words, or with fewer than ``MIN_LETTER_WORDS`` words of letters,
    are not claims (counted in ``short_fragments`` / ``number_fragments``) but stay in
    ``sentences`` for context. Clauses are tried only for sentences of at least
    ``clause_sentence_words`` words. A sentence over ``max_sentence_words`` words, or a text with
    no sentence stop over ``run_on_words`` words, is cut into windows that are claims of their own.
    A line without a stop that carries a fact needs ``MIN_FACT_WORDS`` words (module docstring).
    With ``language``, sentences in another language are counted in ``foreign``, not claims.
    With ``split_clauses`` and ``split_lists``, a sentence of at least ``list_sentence_words`` words
    that lists facts (``list_items``) also yields one claim per item, the list's lead carried into
    it; a clause with the same words as an item claim is left out for it.
    """
    sentences: list[Span] = []
    claims: list[Claim] = []
    short = numbers = windowed = facts = 0
    short_at: list[int] = []  # sentences under the minimum words, taken after all when nothing else is a claim
    foreign: dict[str, int] = {}
    article = article_language((doc.text[s:e] for s, e in doc.spans), language) if language else None
    for span_start, span_end in doc.spans:
        spans, cut = _sentences(doc.text, span_start, span_end, max_sentence_words, run_on_words)
        windowed += cut
        for sent in spans:
            k = len(sentences)
            sentences.append(sent)
            n = count_words(sent.text)
            unstopped = not _STOP.search(sent.text)
            fact = unstopped and is_fact_line(sent.text)
            if n < (min(min_words, MIN_FACT_WORDS) if fact else min_words):
                short += 1
                short_at.append(k)
                continue
            if len(_LETTER_WORD.findall(sent.text)) < (1 if fact else MIN_LETTER_WORDS):
                numbers += 1
                continue
            if language:
                lang = sentence_language(sent.text, language, article)
                if lang != language:
                    foreign[lang] = foreign.get(lang, 0) + 1
                    continue
            facts += unstopped
            whole = (sent.start, sent.end)
            claims.append(Claim(doc.id, len(claims), sent.text, sent.start, sent.end, k))
            if not split_clauses:
                continue
            items = _item_claims(doc, sent, k, min_words) if split_lists and n >= list_sentence_words else []
            said = {" ".join(c.text.split()) for c in items}
            if n >= clause_sentence_words:
                for s, e in clause_spans(doc.text, sent.start, sent.end, min_clause_words):
                    if ((s, e) != whole and count_words(doc.text[s:e]) >= max(min_words, min_clause_words)
                            and (s, e) not in {(c.start, c.end) for c in items}
                            and " ".join(doc.text[s:e].split()) not in said):
                        claims.append(Claim(doc.id, len(claims), doc.text[s:e], s, e, k, clause=True))
            claims += [replace(c, index=len(claims) + j) for j, c in enumerate(items)]
    if not claims and not foreign:
        # A short text ("Wildfire near Athens", a four-word tweet) is still what the article says:
        # its fragments of MIN_FACT_WORDS words or more are its claims ("Yes. No." stays counted).
        # A fragment in another language is counted as such, so the article's reason says so.
        for k in short_at:
            sent = sentences[k]
            if not _LETTER_WORD.search(sent.text):
                continue
            lang = sentence_language(sent.text, language, article) if language else None
            if language and lang != language:
                foreign[lang] = foreign.get(lang, 0) + 1
            elif count_words(sent.text) >= MIN_FACT_WORDS:
                claims.append(Claim(doc.id, len(claims), sent.text, sent.start, sent.end, k))
            else:
                continue
            short -= 1
    languages = tuple(sorted(foreign, key=lambda c: (-foreign[c], c)))
    return ClaimSet(doc.id, tuple(claims), tuple(sentences), short, numbers, windowed,
                    foreign=sum(foreign.values()), foreign_languages=languages, language=article,
                    target_language=language, fact_lines=facts)


def _item_claims(doc: Document, sent: Span, k: int, min_words: int) -> list[Claim]:
    """One claim per item of a list in ``sent`` (``list_items``), read after the list's lead if it has one.

    Indexes are left at 0 for the caller to number.
    """
    found = list_items(doc.text, sent.start, sent.end)
    if not found:
        return []
    span, items = found
    lead = " ".join(doc.text[span[0]:span[1]].split()) + " " if span else ""
    out = []
    for s, e in items:
        text = lead + doc.text[s:e]
        if (s, e) != (sent.start, sent.end) and count_words(text) >= min_words:
            out.append(Claim(doc.id, 0, text, s, e, k, clause=True, lead=lead, item=True))
    return out


def _sentences(text: str, start: int, end: int, max_words: int, run_on_words: int) -> tuple[list[Span], int]:
    """The splitter's sentences, overlong ones as windows (a stop-less run-on gets smaller ones),
    and how many sentences were cut."""
    out: list[Span] = []
    cut = 0
    for sent in split_sentences(text, start, end):
        limit = max_words if _STOP.search(sent.text) else min(max_words, run_on_words)
        parts = split_sentences(text, sent.start, sent.end, max_words=limit)
        cut += len(parts) > 1
        out.extend(parts)
    return out, cut


def no_claims_reason(doc: Document, claim_set: ClaimSet) -> str:
    """Why an article has no claims, in a few words: what was dropped and what was too short."""
    if not doc.spans:
        reasons: dict[str, int] = {}
        for s, e, r in doc.dropped:
            reasons[r] = reasons.get(r, 0) + e - s
        what = ", ".join(f"{r} {n}" for r, n in sorted(reasons.items(), key=lambda x: -x[1]))
        return f"all {doc.dropped_chars} characters were dropped as page furniture ({what} characters)"
    if claim_set.wholly_foreign:
        return (f"in {language_name(claim_set.language or '')}, not compared ({claim_set.foreign} claim(s); "
                f"the NLI model reads {language_name(claim_set.target_language or '')})")
    parts = []
    if claim_set.foreign:
        names = ", ".join(language_name(c) for c in claim_set.foreign_languages)
        parts.append(f"{claim_set.foreign} claim(s) in {names}, not compared")
    if claim_set.short_fragments:
        parts.append(f"{claim_set.short_fragments} fragment(s) under the minimum words")
    if claim_set.number_fragments:
        parts.append(f"{claim_set.number_fragments} fragment(s) of numbers without words")
    return f"{doc.kept_chars} characters kept, but only {' and '.join(parts) if parts else 'no sentence'}"


def language_notice(claim_set: ClaimSet) -> str | None:
    """One line for an article in another language than the NLI model's, else None.

    "in Spanish, not compared (12 claim(s))", or, when some of it is still compared,
    "in Spanish: 11 of 12 claim(s) not compared".
    """
    if not claim_set.language or claim_set.language == claim_set.target_language:
        return None
    name = language_name(claim_set.language)
    if not claim_set.claims:
        return f"in {name}, not compared ({claim_set.foreign} claim(s))"
    return f"in {name}: {claim_set.foreign} of {claim_set.foreign + len(claim_set.claims)} claim(s) not compared"


def require_comparable(documents: Sequence[Document], claim_sets: Sequence[ClaimSet], within: bool) -> None:
    """InputError unless there is something to compare: claims in two articles (or two claims with ``within``).

    The message names every article that lost all its text and says why, in one line.
    """
    empty = [(d, cs) for d, cs in zip(documents, claim_sets) if not cs.claims]
    with_claims = len(documents) - len(empty)
    total = sum(len(cs.claims) for cs in claim_sets)
    if (with_claims >= 2) or (within and total >= 2):
        return
    lost = "; ".join(f"{d.source}: {no_claims_reason(d, cs)}" for d, cs in empty)
    if within:
        need = f"need at least two claims to compare, found {total}"
    else:
        need = (f"need claims in at least two articles to compare, {with_claims} of {len(documents)} "
                "article(s) have any (or use --within for one article)")
    raise InputError(f"nothing to compare: {need}" + (f"; no claims in {lost}" if lost else ""))


def extract_claims(doc: Document, min_words: int = 5, split_clauses: bool = True,
                   language: str | None = "en") -> list[Claim]:
    """The claims of one document, in text order (a sentence, then its clauses)."""
    return list(extract_claim_set(doc, min_words=min_words, split_clauses=split_clauses, language=language).claims)
