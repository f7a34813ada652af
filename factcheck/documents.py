"""Stage 1: read articles (folder, files or stdin) and separate the story from page furniture.

``Document.text`` is the text as read: a .txt/.md file's decoded text, the main text that
trafilatura extracts from an .html page (offsets refer to that extracted text, not to the HTML),
or the ``text`` field of a .json/.jsonl record. ``spans`` are the kept story paragraphs and
``dropped`` says what was left out and why, so nothing disappears silently. Every offset
indexes ``text``: ``text[start:end]`` is always the kept or dropped region itself.

The one exception to "as read": a hard-wrapped plain-text file (short lines broken inside
paragraphs) has each line break inside a paragraph replaced by a space. That is one character
for one character, so offsets still index the file's decoded text.

Which lines are story. First the furniture patterns (``_RULES``: credits, bylines, navigation,
"Read more", share bars, cookie notices, timestamps, ...) drop a line with their reason. A line
left over is story when it reads as prose (a finished sentence, or a long paragraph without its
stop) or when it is a *fact line* (``fact_kind``): a line without a terminal stop that carries a
fact, "Born 27 August 1968" (a date beside a word), "Height 1.85 m" (a number with a unit),
"Production: May 1993 – August 2002" (a label with a value) or "Police arrested two men" (a few
words with a verb). Everything else is dropped as "no-sentence" (headings, names alone, menus).
Three or more unstopped headline-like lines in a row are a list of related headlines
(navigation). A fact line needs ``MIN_FACT_WORDS`` words; ``factcheck.claims`` makes it a claim
with that minimum instead of the sentence minimum.

Titles only where the format says so: a record's ``title`` field, an HTML page's ``<title>``/``<h1>``
(trafilatura's metadata; the extracted main text is never searched for one), or, in plain text (.txt,
.md, stdin, a record's ``text`` without ``title``), a headline-like line above the first story
paragraph (a Markdown heading, or a line of 3 to 30 words, not all capitals, not an infobox row).
A line is dropped as the title only when another line of the text is kept: the only line of a text
is never its title. When every line of a text would be dropped, its lines with words are kept after
all (lines without a sentence first; furniture-patterned lines only when they read as a sentence or a
fact), so an article loses everything only when it is empty, numbers only or page chrome alone.
"""

from __future__ import annotations

import json
import logging
import re
import stat
import sys
import unicodedata
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Iterator, Sequence, TextIO

from factcheck.errors import InputError

__all__ = [
    "Document",
    "DropReason",
    "InputFiles",
    "SUPPORTED_SUFFIXES",
    "collect_files",
    "document_from_record",
    "document_from_text",
    "fact_kind",
    "is_fact_line",
    "read_documents",
]

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".json", ".jsonl")
STDIN = "-"


class DropReason(str, Enum):
    """Why a region of the text is not part of the story."""

    TITLE = "title"
    METADATA = "metadata"
    NAVIGATION = "navigation"
    ADVERTISEMENT = "advertisement"
    PROMO = "promo"
    CREDIT = "credit"
    CAPTION = "caption"
    COPYRIGHT = "copyright"
    NO_SENTENCE = "no-sentence"


@dataclass(frozen=True)
class Document:
    """One article: its text, the kept story spans and the dropped furniture (offsets into text)."""

    id: str
    source: str
    title: str
    text: str
    spans: tuple[tuple[int, int], ...]
    url: str | None = None
    date: str | None = None
    dropped: tuple[tuple[int, int, str], ...] = ()

    @property
    def kept_chars(self) -> int:
        return sum(e - s for s, e in self.spans)

    @property
    def dropped_chars(self) -> int:
        return sum(e - s for s, e, _ in self.dropped)


@dataclass(frozen=True)
class InputFiles:
    """The files an input list resolves to, and the folder entries that were skipped."""

    files: tuple[Path | str, ...]
    skipped: tuple[Path, ...]


# --------------------------------------------------------------------------- furniture rules

_WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*")
# A sentence ends in . ! ? … (then closing quotes/brackets), or in a truncation mark "[…]".
_TERMINAL = re.compile(r"(?:[.!?…][\"'”’»)\]]*|\[(?:…|\.\.\.)\])$")
# Prose without its final stop is still prose once it is this long.
_LONG_LINE_WORDS = 25
_STANDFIRST_WORDS = 12
# One breadcrumb label: up to five words without separators ("Home", "World News", "Europe").
_CRUMB = r"[^>»›|\s]+(?:[ \t]+[^>»›|\s]+){0,4}"
# Words of two or more letters; a line made mostly of numbers (a table, a list of scores) is not prose.
_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")
# Leading metadata such as "date 2022-01-28 " glued to the first sentence (used with .match).
_META_PREFIX = re.compile(
    r"(?:date|published|updated|posted)\s*:?\s*(\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?)\s+",
    re.IGNORECASE,
)
# Furniture glued to the end of a story paragraph: an agency tag '... Kozak. (AP)' or a bracketed
# related-story link '... in Huntsville. [Crater Possibly Caused by Meteorite (Video)]'.
_SUFFIXES: tuple[tuple[re.Pattern[str], DropReason], ...] = (
    (re.compile(r"(?<=[.!?\"”’])\s*\((?:[A-Z][A-Za-z]{1,9}|[A-Z]{2,6}(?:/[A-Z]{2,6})?)\)$"), DropReason.CREDIT),
    (re.compile(r"(?<=[.!?\"”’])\s*\[[^\[\]]{3,160}\]$"), DropReason.NAVIGATION),
)


@dataclass(frozen=True)
class _Rule:
    reason: DropReason
    pattern: re.Pattern[str]
    max_words: int


def _rule(reason: DropReason, pattern: str, max_words: int, flags: int = re.IGNORECASE) -> _Rule:
    return _Rule(reason, re.compile(pattern, flags), max_words)


# Page furniture, as general patterns over one line (first match wins). ``max_words`` keeps each
# pattern off real paragraphs that happen to contain the same words.
_RULES: tuple[_Rule, ...] = (
    _rule(
        DropReason.METADATA,
        r"^\W*(?:(?:first |last )?(?:published|updated|posted|modified)|last update|updated? at|date(?: created)?"
        r"|modified date|update\W*$)\b(?!.*[.!?]$)",
        15,
    ),
    _rule(DropReason.COPYRIGHT, r"^\W*(?:©|\(c\)\s*\d{4}|copyright\b)|\ball rights reserved\b", 25),
    _rule(DropReason.ADVERTISEMENT, r"\badvertis|^\W*(?:ads?|sponsored)\b(?: by\b| content\b|\W*$)", 10),
    _rule(
        DropReason.CAPTION,
        r"^[^(\[].*\((?:(?:ap|afp|reuters|getty|epa|efe)\W+)?(?:photo|image|picture|video|credit|screengrab)s?\b[^()]*\)\W*$",
        80,
    ),
    _rule(
        DropReason.CREDIT,
        r"^\W*(?:photo|image|picture|video|graphic|source|credit|caption|illustration)s?\s*(?::|\bby\b|\bvia\b|\bcourtesy\b)"
        r"|^\W*(?:additional reporting|reporting|writing|editing|edited|compiled) by\b"
        r"|\bcontributed (?:to )?(?:this|reporting)\b|\bmaterial (?:in|for) this (?:report|story|article)\b"
        r"|\bappeared first on\b"
        r"|^\W*this (?:article|story|report|post|piece) (?:was )?(?:originally|first) (?:appeared|published)\b"
        r"|^\W*with (?:news )?wire services\W*$",
        40,
    ),
    _rule(
        DropReason.CREDIT,
        r"^[(\[].*\b(?:photo|image|picture|video|courtesy|via|screengrab|source)\b.*[)\]]$",
        20,
    ),
    _rule(DropReason.CREDIT, r"^By\s+[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|and|&)){0,6}(?:,|\s+\w+\s+\d|$)", 12, 0),
    _rule(
        DropReason.NAVIGATION,
        # Breadcrumbs: three or more short labels (at most five words each) between separators, and
        # no sentence stop at the end, so prose written with " | " between its parts stays.
        r"^(?!.*[.!?…][\"'”’»)\]]*$)" + _CRUMB + r"(?:\s+[>»›|]\s+" + _CRUMB + r"){2,}$"
        r"|^\W*(?:read more|see more|see also|also read|read next|related(?: articles| stories| coverage| content)?"
        r"|see all related|more from|more on this|continue reading|story continues|click here|tap here|back to top|skip to"
        r"|scroll down for|view (?:the )?original article|you are viewing an accelerated mobile"
        r"|(?:video|poll|page|content)?\s*loading|please enable javascript)\b"
        r"|^\W*(?:watch|video|photos?|gallery|listen|more|read(?: this| next)?|(?:see|watch) (?:video|photos|more)"
        r"|in pictures|related|pictured)\s*[:|]",
        25,
    ),
    _rule(
        DropReason.PROMO,
        r"^\W*(?:sign up|subscribe|join (?:the|our)|share (?:this|on)|donate|download (?:the|our)"
        r"|want to discuss|please (?:read our|share|subscribe|sign|log in))\b"
        r"|^\W*follow\b.*(?:twitter|facebook|instagram|@)"
        r"|\b(?:newsletter|mailing list|donation|commenting policy|comment policy|recent comments"
        r"|leave a comment|comments? (?:are|is) closed|(?:we|this (?:site|website)) uses? cookies|cookie (?:policy|settings|preferences|notice)"
        r"|accept (?:all )?cookies|manage (?:your )?(?:cookies|preferences|consent)|privacy policy|terms of (?:use|service))\b",
        15,
    ),
)


# --------------------------------------------------------------------------- fact lines
#
# A line without a terminal stop is furniture unless it carries a fact (see fact_kind).

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DATE = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?\.?\s+(?:of\s+)?{_MONTH}|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b|{_MONTH},?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}|(?:1[0-9]|20)\d{2}s?"
    r"|(?:on|last|next|this|since|until|by|from)\s+(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b",
    re.IGNORECASE,
)
# A number with a unit of measure, of time, of money or of scale ("1.85 m", "12 per cent", "$4.2bn").
_MEASURE = re.compile(
    r"[$£€¥]\s?\d|\d(?:[\d,.]*\d)?\s*(?:%|°|per ?cent\b|percent\b|(?:k?m|cm|mm|mi|ft|in|kg|g|lbs?|oz|mph|kph|km/h"
    r"|km2|m2|sq|ha|l|ml)\b|(?:kilo|centi|milli)?met(?:re|er)s?\b|miles?\b|feet\b|foot\b|inch(?:es)?\b|acres?\b"
    r"|hectares?\b|(?:kilo)?grams?\b|pounds?\b|tonnes?\b|tons?\b|litres?\b|liters?\b|gallons?\b|degrees?\b"
    r"|seconds?\b|minutes?\b|hours?\b|days?\b|weeks?\b|months?\b|years?\b|decades?\b|centuries\b"
    r"|thousand\b|million\b|billion\b|trillion\b|bn\b|mn\b|dollars?\b|euros?\b|yuan\b|rubles?\b|roubles?\b)",
    re.IGNORECASE,
)
# Words that only say when (or are empty), so "Friday 28 January 2022 10:32 GMT" has no fact.
_WHEN_WORDS = frozenset(
    """
    january february march april may june july august september october november december jan feb mar apr jun jul
    aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur
    thurs fri sat sun am pm gmt utc bst cet est edt pst pdt et ist msk st nd rd th of on at the and to in
    today yesterday ago hours hour minutes mins min last week
    """.split()
)
# "Label: value" (an infobox row, a caption) unless the label is page chrome.
_LABEL = re.compile(r"^(?P<label>[^\W\d_][\w’'()./&-]*(?:[ \t]+[\w’'()./&-]+){0,3})[ \t]*:[ \t]+(?P<value>\S.*)$")
_CHROME_LABELS = re.compile(
    r"^(?:tags?|topics?|filed(?: under)?|categor(?:y|ies)|sections?|keywords?|subjects?|share|email|e-mail|tel|"
    r"phone|fax|contact|posted|published|updated|last updated?|modified|date|time|by|authors?|writers?|sources?|"
    r"credits?|(?:photo|image|picture|video)s?|watch|listen|read|more|see|related|follow|comments?|print|"
    r"warning|note|editor'?s note|disclaimer|contributing|information from|click|download|menu|search|"
    r"language|edition|subscribe|log ?in|sign ?in|home|trending|advertisement|sponsored|via|h/t|hat tip)$",
    re.IGNORECASE,
)
# Social-media embeds, links and code are never fact lines ("— Name (@handle) January 5, 2022").
_NOT_FACT = re.compile(r"@\w|https?://|www\.|\S@\S|pic\.twitter|[{}<>;=|]|^\W*[—–]|\bago\b|:\W*$")
# Finite verbs a short line can show without a tagger: auxiliaries, modals, copulas, frequent
# irregular past forms, "-ed" forms, and a third-person "-s" form after a word that is not a
# determiner, preposition or quantifier ("Key witness speaks out", not "latest news").
_AUX = frozenset(
    """
    is are was were be been being am born isn't aren't wasn't weren't has have had hasn't haven't hadn't will won't would
    wouldn't shall should shouldn't can can't cannot could couldn't may might must do does did don't doesn't didn't
    said says told tells took takes made makes gave gives came comes went goes saw sees got gets won wins lost
    left leaves met meets held holds led leads fell falls rose rises hit hits shot shoots put puts set sets cut
    began begins became becomes found finds brought brings bought sold sent spent built kept paid struck stood
    broke broke spoke wrote drove flew grew knew threw drew chose stole wore hid fled fought caught taught sought
    felt meant heard quit spread beat withdrew overtook ran runs sank swore wept woke won
    """.split()
)
_NOT_SUBJECT = frozenset(
    """
    the a an of in on at for with and or to from by as his her their its our my your this that these those some
    many all more most other new latest top best few several no any each every into over under about after
    before between against during without two three four five
    """.split()
)
_ED = re.compile(r"^[a-z]{2,}(?:ed|en)$")
_S = re.compile(r"^[a-z]{3,}(?<![su'’])s$")
# A verb line needs this many words; dated, measured and labelled lines need MIN_FACT_WORDS.
VERB_LINE_WORDS = 4
MIN_FACT_WORDS = 3
_BULLET = re.compile(r"^[-•*·▪‣]\s")


_TOKEN = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*|[^\w\s]")


def _has_verb(line: str) -> bool:
    raw = _TOKEN.findall(line)
    for k, r in enumerate(raw):
        w = r.lower()
        if w in _AUX or (r == w and _ED.match(w) and w not in _WHEN_WORDS):
            return True
        # "-s" after a subject word, and not inside a list ("news, rumours and spoilers").
        if r == w and _S.match(w) and k > 0 and raw[k - 1][0].isalpha() and raw[k - 1].lower() not in _NOT_SUBJECT \
                and (k + 1 == len(raw) or raw[k + 1] not in (",", "and", "or")):
            return True
    return False


def fact_kind(line: str) -> str | None:
    """What fact a line without a terminal stop carries: "label", "dated", "verb", or None.

    - "label": "Label: value" (an infobox row or caption such as "Production: May 1993 – August
      2002"), unless the label is page chrome (Tags, Share, Updated, Photo, Source, ...);
    - "dated": a date or a number with a unit beside at least one word that is not a date word
      ("Born 27 August 1968", "Height 1.85 m"), unless it is only capitalised names beside the date
      (a byline such as "Jane Doe | 28 January 2022");
    - "verb": at least ``VERB_LINE_WORDS`` words, three of them words of letters, in sentence case
      (not a Title Case or all-capitals headline) with a finite verb.

    Every kind needs ``MIN_FACT_WORDS`` words. None may be a Title Case headline of six words or
    more or an all-capitals line, hold a link, an @handle, an e-mail address, code or "... ago",
    open with a dash (a quote's attribution, a tweet's signature) or end in a colon (it introduces
    what follows).
    """
    n = _words(line)
    if n < MIN_FACT_WORDS or _NOT_FACT.search(line):
        return None
    letter_words = _LETTER_WORD.findall(line)
    letters = [c for c in line if c.isalpha()]
    # A Title Case or all-capitals line of six words or more is a headline (often a related link).
    if not letter_words or (len(letter_words) >= 6 and _is_title_case(line)) or (
            len(letter_words) >= 3 and all(c.isupper() for c in letters)):
        return None
    m = _LABEL.match(line)
    if m and not _CHROME_LABELS.match(m.group("label").strip()) and _LETTER_WORD.search(m.group("label")):
        if _words(m.group("value")) >= 1 and _words(m.group("label")) <= 4:
            return "label"
    if _DATE.search(line) or _MEASURE.search(line):
        content = [w for w in letter_words if w.lower() not in _WHEN_WORDS]
        names_only = len(content) >= 2 and all(w[0].isupper() and w.lower() not in _AUX and not _ED.match(w.lower())
                                               for w in content)
        if content and not names_only:
            return "dated"
    if n >= VERB_LINE_WORDS and len(letter_words) >= 3 and not _is_title_case(_BULLET.sub("", line)) and _has_verb(line):
        return "verb"
    return None


def is_fact_line(line: str) -> bool:
    """True when a line without a terminal stop carries a fact (``fact_kind``) and is a claim."""
    return fact_kind(line) is not None


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _is_title_case(line: str) -> bool:
    words = [w for w in _WORD.findall(line) if w[0].isalpha()]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.6 * len(words)


def _is_prose(line: str) -> bool:
    """True when the line reads as running text (at least one sentence), not a label."""
    n = _words(line)
    if n >= 5 and len(_LETTER_WORD.findall(line)) < max(3, 0.3 * n):
        return False
    if n >= _LONG_LINE_WORDS:
        return True
    letters = [c for c in line if c.isalpha()]
    if _TERMINAL.search(line):
        # A short all-capitals line ("BREAKING NEWS.") is a label even with a stop.
        return n >= 2 and not (n <= 8 and letters and all(c.isupper() for c in letters))
    # A long sentence-case line without its stop (a standfirst) is prose; a headline is not.
    return n >= _STANDFIRST_WORDS and not _is_title_case(line)


def _is_body(line: str) -> bool:
    """Prose that unmistakably starts the story: a finished sentence or a long paragraph."""
    return bool(_TERMINAL.search(line)) or _words(line) >= _LONG_LINE_WORDS


def _classify(line: str) -> DropReason | None:
    """The furniture reason for one stripped line, or None when it belongs to the story."""
    n = _words(line)
    for rule in _RULES:
        if n <= rule.max_words and rule.pattern.search(line):
            return rule.reason
    return None if _is_prose(line) or is_fact_line(line) else DropReason.NO_SENTENCE


def _lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each non-blank line, surrounding whitespace excluded."""
    for m in re.finditer(r"[^\n]+", text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            yield s, e


def _headline(line: str) -> str:
    return line.lstrip("#").strip()


def _same_title(a: str, b: str) -> bool:
    norm = lambda s: " ".join(_WORD.findall(s.lower()))  # noqa: E731
    return bool(norm(a)) and norm(a) == norm(b)


def _is_hard_wrapped(text: str) -> bool:
    """Plain text broken into short lines inside paragraphs (e-mail / 72-column style).

    Most long lines stop mid-sentence and many of them continue on the next line in lower case
    (a list of headlines also lacks stops, but each starts with a capital).
    """
    lines = [text[s:e] for s, e in _lines(text)]
    long_lines = [k for k, ln in enumerate(lines) if len(ln) >= 40]
    if len(long_lines) < 3 or max(len(ln) for ln in lines) > 100:
        return False
    open_ended = [k for k in long_lines if not _TERMINAL.search(lines[k])]
    continued = [k for k in open_ended if k + 1 < len(lines) and lines[k + 1][:1].islower()]
    return len(open_ended) >= 0.5 * len(long_lines) and len(continued) >= 0.3 * len(open_ended)


def _unwrap(text: str) -> str:
    """Replace each line break inside a paragraph by a space (same length, offsets unchanged)."""
    return re.sub(r"(?<=\S)([ \t]*)\r?\n(?=[ \t]*\S)", lambda m: m.group(0).replace("\r", " ").replace("\n", " "), text)


def _infobox_like(line: str) -> bool:
    return not _is_prose(line) and fact_kind(line) in ("label", "dated") and _words(line) < 6


# This many unstopped sentence-like lines in a row are a list of headlines (related stories).
_HEADLINE_RUN = 3


def _drop_headline_lists(text: str, lines: list[tuple[int, int, DropReason | None]]) -> None:
    """Mark runs of ``_HEADLINE_RUN`` or more unstopped sentence-like lines (six words or more, a verb,
    no "Label:") as navigation: a list of related headlines, not the story.

    Bulleted lines ("- ...", "• ...") are list items of the story and stay.
    """
    def headline(k: int) -> bool:
        s, e, r = lines[k]
        line = text[s:e]
        return (r is None and not _is_prose(line) and not _BULLET.match(line) and _words(line) >= 6
                and fact_kind(line) in ("verb", "dated") and _has_verb(line))

    k = 0
    while k < len(lines):
        j = k
        while j < len(lines) and headline(j):
            j += 1
        if j - k >= _HEADLINE_RUN:
            for m in range(k, j):
                lines[m] = (lines[m][0], lines[m][1], DropReason.NAVIGATION)
        k = max(j, k + 1)


@dataclass(frozen=True)
class _Layout:
    title: str
    spans: tuple[tuple[int, int], ...]
    dropped: tuple[tuple[int, int, str], ...]
    date: str | None


def _is_headline(lines: list[tuple[int, int, DropReason | None]], k: int, text: str) -> bool:
    """Whether line ``k`` (before the story) reads like a headline: 3 to 30 words, not all
    capitals, and not the first row of an infobox (a "Label: value" line above another short one)."""
    s, e, _ = lines[k]
    cand = _headline(text[s:e])
    letters = [c for c in cand if c.isalpha()]
    if not 3 <= _words(cand) <= 30 or all(c.isupper() for c in letters):
        return False
    if fact_kind(cand) == "label" and k + 1 < len(lines):
        row = text[lines[k + 1][0]:lines[k + 1][1]]
        return _is_prose(row) or fact_kind(row) != "label"
    return True


def _layout(text: str, title: str | None, guess_title: bool = True) -> _Layout:
    """Split ``text`` into kept story spans and dropped furniture; find the headline.

    Without ``title``, a headline is looked for in the text only when ``guess_title`` (plain
    text). A line is dropped as the title only when some other line of the text is kept: the only
    line of a text is never its title. When every line would be dropped, the lines are kept
    after all (module docstring), so a text loses everything only when it has no words.
    """
    dropped: list[tuple[int, int, str]] = []
    lines: list[tuple[int, int, DropReason | None]] = []
    date: str | None = None
    for s, e in _lines(text):
        m = _META_PREFIX.match(text, s, e)
        if m:
            date = date or m.group(1)
            dropped.append((s, s + len(m.group(0).rstrip()), DropReason.METADATA.value))
            s = m.end()
            if s >= e:
                continue
        for pattern, reason in _SUFFIXES:
            tail = pattern.search(text, s, e)
            if tail and _is_prose(text[s : tail.start()]):
                dropped.append((e - len(tail.group(0).lstrip()), e, reason.value))
                e = tail.start()
        lines.append((s, e, _classify(text[s:e])))
    patterned = [r not in (None, DropReason.NO_SENTENCE) for _, _, r in lines]
    _drop_headline_lists(text, lines)

    # Lines before the first finished story paragraph that are not patterned furniture may be
    # the headline; the last one is (it sits right above the story, below the site's chrome).
    body = next((k for k, (s, e, r) in enumerate(lines) if r is None and _is_body(text[s:e])), len(lines))
    # An infobox row or a dated line ("Born 27 August 1968") is a fact, not a headline.
    candidates = [k for k in range(body) if lines[k][2] is DropReason.NO_SENTENCE
                  or (lines[k][2] is None and not _infobox_like(text[lines[k][0]:lines[k][1]]))]
    found = title or ""
    if title or guess_title:
        for k in reversed(candidates):
            s, e, _ = lines[k]
            hit = _same_title(_headline(text[s:e]), title) if title else _is_headline(lines, k, text)
            if hit:
                if any(r is None for j, (_, _, r) in enumerate(lines) if j != k):
                    found = found or _headline(text[s:e])
                    lines[k] = (s, e, DropReason.TITLE)
                break

    if not any(r is None for _, _, r in lines):
        # Nothing left of the story: keep the lines after all; the claim splitter decides what
        # is a claim and says why when nothing is (no words, numbers only, another language).
        # Lines without a sentence first; else furniture lines that read as a sentence or a fact
        # (a pattern that misfired on a one-paragraph story). Chrome alone ("Share this:") stays dropped.
        # Lines of numbers alone stay dropped either way.
        worded = [k for k, (s, e, _) in enumerate(lines) if _LETTER_WORD.search(text[s:e])]
        first = [k for k in worded if not patterned[k]] or [
            k for k in worded if _is_prose(text[lines[k][0]:lines[k][1]]) or is_fact_line(text[lines[k][0]:lines[k][1]])]
        for k in first:
            lines[k] = (lines[k][0], lines[k][1], None)

    spans = tuple((s, e) for s, e, r in lines if r is None)
    dropped.extend((s, e, r.value) for s, e, r in lines if r is not None)
    dropped.sort()
    return _Layout(found, spans, tuple(dropped), date)


def document_from_text(
    text: str,
    id: str,
    source: str,
    title: str | None = None,
    url: str | None = None,
    date: str | None = None,
    guess_title: bool = True,
) -> Document:
    """Build a Document from already decoded text: find the headline, drop the furniture.

    Without ``title`` the headline is looked for in the text (plain text) unless ``guess_title``
    is False (extracted HTML main text, whose headline is the page's own ``<title>``/``<h1>``).
    """
    if not text.strip():
        raise InputError(f"{source}: no text; give the article text")
    if _is_hard_wrapped(text):
        text = _unwrap(text)
    lay = _layout(text, title, guess_title)
    return Document(
        id=id,
        source=source,
        title=title or lay.title,
        text=text,
        spans=lay.spans,
        url=url,
        date=date or lay.date,
        dropped=lay.dropped,
    )


# --------------------------------------------------------------------------- decoding

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _decode(data: bytes, source: str, declared: str | None = None) -> str:
    """Decode UTF-8 (with or without BOM), BOM-marked UTF-16, or the charset an HTML page declares.

    Anything else is refused with the offset of the first bad byte; nothing is guessed.
    """
    if not data.strip():
        raise InputError(f"{source}: file is empty; give a file with the article text")
    if data.startswith(_UTF16_BOMS):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(f"{source}: broken UTF-16 at byte {exc.start}; re-save it as UTF-8") from None
    else:
        if b"\x00" in data[:65536]:
            raise InputError(f"{source}: looks like a binary file (NUL bytes); give a text, HTML or JSON file")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            text = _decode_declared(data, declared)
            if text is None:
                bad = data[exc.start]
                raise InputError(
                    f"{source}: not UTF-8 text (byte 0x{bad:02x} at offset {exc.start}); re-save it as UTF-8"
                ) from None
            log.info("%s: decoded with its declared charset %s", source, declared)
    sample = text[:65536]
    control = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v")
    if control > 0.05 * len(sample):
        raise InputError(f"{source}: looks like a binary file (control characters); give a text, HTML or JSON file")
    if not text.strip():
        raise InputError(f"{source}: file is empty; give a file with the article text")
    return text


def _decode_declared(data: bytes, declared: str | None) -> str | None:
    if not declared:
        return None
    try:
        return data.decode(declared)
    except (LookupError, UnicodeDecodeError):
        return None


_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


# --------------------------------------------------------------------------- per format


def _read_text(path: Path, data: bytes) -> list[Document]:
    return [document_from_text(_decode(data, str(path)), id=path.stem, source=str(path))]


def _read_html(path: Path, data: bytes) -> list[Document]:
    import trafilatura

    declared = _CHARSET.search(data[:4096])
    # Same refusals as text files (empty, binary, undecodable), but a declared charset is honoured.
    html = _decode(data, str(path), declared.group(1).decode("ascii") if declared else None)
    doc = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=False, include_images=False
    )
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or not text.strip():
        raise InputError(f"{path}: no article text found in the HTML; save the page's text as .txt instead")
    return [
        document_from_text(
            text,
            id=path.stem,
            source=str(path),
            title=(doc.title or None),
            url=(doc.url or None),
            date=(doc.date or None),
            guess_title=False,
        )
    ]


def _record(obj: object, where: str, default_id: str) -> Document:
    if not isinstance(obj, dict):
        raise InputError(f"{where}: expected a JSON object with a 'text' field")
    text = obj.get("text")
    if text is None:
        raise InputError(f"{where}: missing 'text' field; each record needs 'text' (and optionally id, title, url, date)")
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"{where}: 'text' must be a non-empty string")
    rid = obj.get("id")
    opt = {k: (str(obj[k]) if obj.get(k) not in (None, "") else None) for k in ("title", "url", "date")}
    return document_from_text(
        text, id=str(rid) if rid not in (None, "") else default_id, source=where, **opt
    )


def document_from_record(obj: object, where: str, default_id: str) -> Document:
    """A Document from a JSON record ``{"text", "id"?, "title"?, "url"?, "date"?}``; ``where`` names it in errors."""
    return _record(obj, where, default_id)


def _read_json(path: Path, data: bytes) -> list[Document]:
    raw = _decode(data, str(path))
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    if isinstance(obj, list):
        if not obj:
            raise InputError(f"{path}: empty JSON list, no records; give objects with a 'text' field")
        return [_record(item, f"{path}[{k}]", f"{path.stem}-{k}") for k, item in enumerate(obj)]
    return [_record(obj, str(path), path.stem)]


def _read_jsonl(path: Path, data: bytes) -> list[Document]:
    raw = _decode(data, str(path))
    docs = []
    for lineno, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{lineno}: malformed JSON (column {exc.colno}: {exc.msg})") from None
        docs.append(_record(obj, f"{path}:{lineno}", f"{path.stem}-{lineno}"))
    if not docs:
        raise InputError(f"{path}: no records; give one JSON object per line")
    return docs


_READERS = {
    ".txt": _read_text,
    ".md": _read_text,
    ".html": _read_html,
    ".htm": _read_html,
    ".json": _read_json,
    ".jsonl": _read_jsonl,
}


# --------------------------------------------------------------------------- entry points


def collect_files(inputs: Sequence[str | Path]) -> InputFiles:
    """Resolve folders and files to the files to read (``"-"`` stays as stdin).

    A folder contributes its supported files, sorted by name; its other entries (not hidden
    ones) are returned as ``skipped``. A file named explicitly is read whatever its suffix
    (unknown suffixes as plain text).
    """
    if not inputs:
        raise InputError("no input given; pass a folder, files, or - for stdin")
    files: list[Path | str] = []
    skipped: list[Path] = []
    for item in inputs:
        if str(item) == STDIN:
            if STDIN in files:
                raise InputError("- (standard input) is given more than once; it can be read only once, pass it once")
            files.append(STDIN)
            continue
        if isinstance(item, str) and _URL.match(item):
            raise InputError(
                f"{item}: URLs are not fetched (factcheck works offline); save the page, e.g. "
                "curl -o page.html URL, and pass the file"
            )
        path = Path(item)
        if path.is_symlink() and not path.exists():
            raise InputError(f"{path}: broken symbolic link or a symlink loop; point it at a file or folder")
        if path.is_dir():
            try:
                entries = sorted(p for p in path.iterdir() if not p.name.startswith("."))
            except OSError as exc:
                raise InputError(f"{path}: cannot list folder ({exc.strerror}); check its permissions") from None
            found = [p for p in entries if p.is_file() and p.suffix.lower() in _READERS]
            skipped.extend(p for p in entries if p not in found)
            if not found:
                raise InputError(
                    f"{path}: no supported files in folder; expected {', '.join(SUPPORTED_SUFFIXES)}"
                )
            files.extend(found)
        elif path.is_file() or _is_fifo(path):  # a pipe: factcheck check <(some command) b.txt
            if any(isinstance(f, Path) and f.resolve() == path.resolve() for f in files):
                raise InputError(f"{path}: given more than once; pass each file once")
            files.append(path)
        elif path.exists():
            raise InputError(f"{path}: not a regular file or folder (a device or socket); pass an article file")
        else:
            raise InputError(f"{path}: no such file or folder; check the path")
    return InputFiles(tuple(files), tuple(skipped))


def _is_fifo(path: Path) -> bool:
    try:
        return stat.S_ISFIFO(path.stat().st_mode)
    except OSError:
        return False


def read_documents(inputs: Sequence[str | Path], stdin: TextIO | None = None) -> list[Document]:
    """Read every article in ``inputs`` (folders, files, ``"-"`` for plain text on stdin).

    Skipped folder entries are logged as a warning (``collect_files`` returns them). Duplicate
    article ids, and every unreadable input, raise InputError naming the file.
    """
    found = collect_files(inputs)
    if found.skipped:
        log.warning(
            "skipped %d unsupported file(s): %s", len(found.skipped), ", ".join(str(p) for p in found.skipped)
        )
    docs: list[Document] = []
    for item in found.files:
        if item == STDIN:
            stream = stdin if stdin is not None else sys.stdin
            # Bytes where the stream has them, so stdin gets the same refusals as a file (binary, not UTF-8).
            buffer = getattr(stream, "buffer", None)
            data = buffer.read() if buffer is not None else stream.read().encode("utf-8", "surrogateescape")
            if not data.strip():
                raise InputError("<stdin>: no text on standard input; pipe in the article text")
            text = _decode(data, "<stdin>")
            docs.append(document_from_text(text, id="stdin", source="<stdin>"))
            continue
        path = Path(item)
        reader = _READERS.get(path.suffix.lower(), _read_text)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"{path}: cannot read ({exc.strerror}); check its permissions") from None
        docs.extend(reader(path, data))
    seen: dict[str, str] = {}
    for doc in docs:
        if doc.id in seen:
            raise InputError(
                f"duplicate article id {doc.id!r} in {seen[doc.id]} and {doc.source}; rename a file or give distinct 'id' fields"
            )
        seen[doc.id] = doc.source
    return docs
