"""The edit functions of the synthetic news pairs: each ``(sentence, rng) -> str | None`` rewrites one
news sentence so that it contradicts it (numbers, dates, negation, modality, antonyms, swapped entities,
places) or keeps its meaning (clause dropped, reordering, attribution moved, hedged numbers, spellings,
paraphrase, syntax rewordings), with the word lists they draw on. ``EDITS`` maps each name to its
function and the label it produces. ``factcheck.training.synth`` turns them into training pairs.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass
from typing import Callable

from factcheck.labels import LABELS

__all__ = ["CONTRADICTION", "EDITS", "ENTAILMENT", "NEUTRAL", "Edit", "SynthPair", "article_split", "edit_syntax"]

ENTAILMENT, NEUTRAL, CONTRADICTION = LABELS

Edit = Callable[[str, random.Random], "str | None"]


@dataclass(frozen=True)
class SynthPair:
    """One generated pair: texts, gold label, the edit that made it, its article and that article's split."""

    premise: str
    hypothesis: str
    label: str
    edit: str
    article: str
    split: str


def article_split(article_id: str, test_fraction: float = 0.15) -> str:
    """Deterministic train/test assignment of a whole article by hash of its id."""
    h = int(hashlib.sha256(article_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "test" if h < test_fraction else "train"


# --------------------------------------------------------------------------- helpers


def _case_like(src: str, word: str) -> str:
    if src.isupper() and len(src) > 1:
        return word.upper()
    if src[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _replace_one(sentence: str, pattern: re.Pattern, repl: Callable[[re.Match], str | None],
                 rng: random.Random) -> str | None:
    """Apply ``repl`` to one randomly chosen match of ``pattern``; None if nothing changes."""
    matches = list(pattern.finditer(sentence))
    rng.shuffle(matches)
    for m in matches:
        new = repl(m)
        if new is not None and new != m.group(0):
            return sentence[: m.start()] + new + sentence[m.end():]
    return None


def _word_map_edit(pairs: dict[str, str], symmetric: bool = True) -> Edit:
    table = dict(pairs)
    if symmetric:
        table.update({v: k for k, v in pairs.items() if v not in table})
    keys = sorted(table, key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in keys) + r")\b", re.IGNORECASE)

    def edit(sentence: str, rng: random.Random) -> str | None:
        def repl(m: re.Match) -> str | None:
            target = table.get(m.group(0).lower())
            return None if target is None else _case_like(m.group(0), target)

        return _replace_one(sentence, pattern, repl, rng)

    return edit


# --------------------------------------------------------------------------- contradictions

_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w]|[.,]\d)")
_NUMBER_WORDS = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twelve",
                 "dozens", "hundreds", "thousands"]
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)


def _other_number(text: str, rng: random.Random) -> str:
    plain = text.replace(",", "")
    if "." in plain:
        value = float(plain)
        new = round(value * rng.choice([0.3, 0.5, 2.0, 3.0]) + rng.choice([1, 2, 5]), 1)
        return f"{new:g}"
    value = int(plain)
    if 1900 <= value <= 2030:  # a year
        return str(value + rng.choice([-5, -3, -2, -1, 1, 2, 3]))
    if value < 10:
        choices = [v for v in range(1, 13) if v != value]
        new = rng.choice(choices)
    else:
        factor = rng.choice([0.25, 0.4, 0.5, 2, 3, 4])
        new = max(1, int(round(value * factor)))
        if new == value:
            new = value + 7
        # keep the same "shape": round numbers stay round
        zeros = len(plain) - len(plain.rstrip("0"))
        if zeros:
            new = max(10**zeros, round(new, -zeros))
    return f"{new:,}" if "," in text else str(new)


def edit_number(sentence: str, rng: random.Random) -> str | None:
    def repl(m: re.Match) -> str | None:
        return _other_number(m.group(1), rng)

    out = _replace_one(sentence, _NUMBER, repl, rng)
    if out is not None:
        return out

    def repl_word(m: re.Match) -> str | None:
        word = m.group(0).lower()
        return _case_like(m.group(0), rng.choice([w for w in _NUMBER_WORDS if w != word]))

    return _replace_one(sentence, _NUMBER_WORD, repl_word, rng)


_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]
_DATE_WORD = re.compile(r"\b(" + "|".join(_WEEKDAYS + _MONTHS[:4] + _MONTHS[5:]) + r")\b"
                        r"(?! [A-Z])|\b(yesterday|today|tomorrow|last week|next week|last year|next year)\b")
_RELATIVE = {"yesterday": "tomorrow", "today": "last week", "tomorrow": "yesterday",
             "last week": "next week", "next week": "last week", "last year": "next year",
             "next year": "last year"}


def edit_date(sentence: str, rng: random.Random) -> str | None:
    def repl(m: re.Match) -> str | None:
        word = m.group(0)
        if word in _WEEKDAYS:
            return rng.choice([d for d in _WEEKDAYS if d != word])
        if word in _MONTHS:
            return rng.choice([d for d in _MONTHS if d not in (word, "May")])
        return _RELATIVE.get(word)

    return _replace_one(sentence, _DATE_WORD, repl, rng)


# Negation: insert or remove "not" after an auxiliary; main verbs via "did not" + lemma.
_AUX_NEG = {
    "is": "is not", "are": "are not", "was": "was not", "were": "were not", "has": "has not",
    "have": "have not", "had": "had not", "will": "will not", "would": "would not",
    "can": "cannot", "could": "could not", "should": "should not", "does": "does not",
    "did": "did not", "may": "may not", "might": "might not", "must": "must not",
}
_NEG_AUX = {
    "is not": "is", "isn't": "is", "are not": "are", "aren't": "are", "was not": "was",
    "wasn't": "was", "were not": "were", "weren't": "were", "has not": "has", "hasn't": "has",
    "have not": "have", "haven't": "have", "had not": "had", "hadn't": "had", "will not": "will",
    "won't": "will", "would not": "would", "wouldn't": "would", "cannot": "can", "can't": "can",
    "could not": "could", "couldn't": "could", "should not": "should", "shouldn't": "should",
    "may not": "may", "might not": "might", "must not": "must", "never": "ever",
}
_IRREGULAR_PAST = {
    "said": "say", "told": "tell", "made": "make", "took": "take", "gave": "give", "went": "go",
    "came": "come", "found": "find", "knew": "know", "saw": "see", "won": "win", "lost": "lose",
    "left": "leave", "sent": "send", "held": "hold", "met": "meet", "paid": "pay", "sold": "sell",
    "bought": "buy", "began": "begin", "brought": "bring", "thought": "think", "wrote": "write",
    "spoke": "speak", "led": "lead", "built": "build", "fell": "fall", "rose": "rise",
    "kept": "keep", "struck": "strike", "became": "become", "ran": "run", "shot": "shoot",
    "broke": "break", "chose": "choose", "drove": "drive", "flew": "fly", "hit": "hit",
}
_AUX_RE = re.compile(r"\b(" + "|".join(sorted(_AUX_NEG, key=len, reverse=True)) + r")\b(?! not\b|n't)")
_NEG_RE = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(_NEG_AUX, key=len, reverse=True)) + r")\b")
_DID_NOT = re.compile(r"\b(did not|didn't|does not|doesn't|do not|don't) (\w+)")
_PAST_VERB = re.compile(r"(?<=[a-z] )(" + "|".join(_IRREGULAR_PAST) + r"|[a-z]{3,}ed)\b(?= [a-z\"“])")


def _regular_lemma(past: str) -> str | None:
    if past in _IRREGULAR_PAST:
        return _IRREGULAR_PAST[past]
    if not past.endswith("ed") or past.endswith("eed"):
        return None
    stem = past[:-2]
    if stem.endswith("i"):
        return stem[:-1] + "y"
    if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
        return stem[:-1]
    if stem.endswith(("at", "iz", "us", "rg", "dg", "ur", "ag", "ov", "iv", "lv", "rv", "uc", "ic")):
        return stem + "e"
    return stem


def _did_not_to_past(verb: str) -> str:
    inverse = {v: k for k, v in _IRREGULAR_PAST.items()}
    if verb in inverse:
        return inverse[verb]
    if verb.endswith("e"):
        return verb + "d"
    if verb.endswith("y") and verb[-2:-1] not in "aeiou":
        return verb[:-1] + "ied"
    return verb + "ed"


def edit_negation(sentence: str, rng: random.Random) -> str | None:
    options: list[Callable[[], str | None]] = []
    options.append(lambda: _replace_one(sentence, _NEG_RE, lambda m: _case_like(m.group(0), _NEG_AUX[m.group(0).lower()]), rng))
    options.append(lambda: _replace_one(sentence, _AUX_RE, lambda m: _case_like(m.group(0), _AUX_NEG[m.group(0).lower()]), rng))
    options.append(lambda: _replace_one(sentence, _DID_NOT, lambda m: _did_not_to_past(m.group(2)), rng))

    def main_verb() -> str | None:
        def repl(m: re.Match) -> str | None:
            lemma = _regular_lemma(m.group(1))
            return None if lemma is None else f"did not {lemma}"

        return _replace_one(sentence, _PAST_VERB, repl, rng)

    options.append(main_verb)
    # Prefer removing an existing negation, then auxiliaries, then main verbs.
    for option in options:
        out = option()
        if out is not None:
            return out
    return None


# Modality/polarity of "-able" predicates: "is non-negotiable" <-> "can be negotiated".
_ABLE = re.compile(r"\b(is|are|was|were|remains?|remained)\s+(non-?|un)?([a-z]+?)(i?)able\b")
_CAN_BE = re.compile(r"\b(can|could|may|might)( not)? be ([a-z]+?)(i?)(at)?ed\b")


def edit_modality(sentence: str, rng: random.Random) -> str | None:
    def repl_able(m: re.Match) -> str | None:
        aux, neg, stem, i = m.group(1), m.group(2), m.group(3), m.group(4)
        verb = stem + ("iat" if i else "") + "ed"
        if len(stem) < 3 or not neg:
            return None  # "is available" has no safe "can be ..." form; positives go through _MODAL_WORDS
        if neg:  # "are non-negotiable" -> "can be negotiated"
            return f"{'could' if aux in ('was', 'were') else 'can'} be {verb}"
        return f"{'could' if aux in ('was', 'were') else 'cannot'}{' not' if aux in ('was', 'were') else ''} be {verb}"

    out = _replace_one(sentence, _ABLE, repl_able, rng)
    if out is not None:
        return out

    def repl_can(m: re.Match) -> str | None:
        modal, neg = m.group(1), m.group(2)
        word = m.group(0)
        if neg:
            return word.replace(" not", "", 1)
        return word.replace(modal, f"{modal} not", 1) if modal != "can" else word.replace("can", "cannot", 1)

    out = _replace_one(sentence, _CAN_BE, repl_can, rng)
    if out is not None:
        return out
    return _MODAL_WORDS(sentence, rng)


_MODAL_WORDS = _word_map_edit({
    "will": "will not", "must": "need not", "possible": "impossible", "likely": "unlikely",
    "allowed": "forbidden", "permitted": "prohibited", "mandatory": "optional", "required": "optional",
    "certain": "uncertain", "able": "unable", "legal": "illegal", "agreed to": "refused to",
    "ruled out": "left open", "always": "never", "negotiable": "non-negotiable",
})

_ANTONYMS = {
    "accepted": "rejected", "approved": "rejected", "increased": "decreased", "rose": "fell",
    "won": "lost", "confirmed": "denied", "agreed": "refused", "allowed": "banned",
    "opened": "closed", "higher": "lower", "more": "fewer", "before": "after", "alive": "dead",
    "guilty": "innocent", "supports": "opposes", "supported": "opposed", "support": "oppose",
    "true": "false", "raised": "lowered", "arrested": "released", "first": "last",
    "largest": "smallest", "began": "ended", "success": "failure", "strong": "weak",
    "majority": "minority", "win": "lose", "gained": "lost", "expanded": "reduced",
    "strengthened": "weakened", "launched": "halted", "lifted": "imposed", "ally": "enemy",
    "allies": "enemies", "victory": "defeat", "increase": "decrease", "rise": "fall",
    "cheaper": "more expensive", "safe": "dangerous", "peaceful": "violent", "legal": "illegal",
    "praised": "criticised", "welcomed": "condemned", "acquitted": "convicted", "survived": "died",
    "entered": "left", "joined": "quit", "hired": "fired", "boosted": "cut", "north": "south",
    "east": "west", "eastern": "western", "northern": "southern", "upper": "lower",
    "maximum": "minimum", "earlier": "later", "older": "younger", "best": "worst", "easy": "hard",
    "present": "absent", "public": "secret", "official": "unofficial", "voluntary": "forced",
    "optimistic": "pessimistic", "positive": "negative", "real": "fake", "found": "lost",
}
edit_antonym = _word_map_edit(_ANTONYMS)

# Named entities: runs of capitalised words not at the sentence start.
_ENTITY = re.compile(r"(?<=[a-z,] )((?:[A-Z][a-z]+|[A-Z]{2,})(?: (?:[A-Z][a-z]+|[A-Z]{2,}))*)\b")
_ENTITY_STOP = frozenset(_WEEKDAYS + _MONTHS + ["I", "The", "A", "An", "He", "She", "It", "They", "We"])


def _entities(sentence: str) -> list[re.Match]:
    return [m for m in _ENTITY.finditer(sentence) if m.group(1) not in _ENTITY_STOP]


def edit_entity_swap(sentence: str, rng: random.Random) -> str | None:
    """Swap two different named entities in one sentence (roles reversed)."""
    words = sentence.split()
    if sum(w[:1].isupper() for w in words) > 0.4 * len(words):
        return None  # headline-style title case: capitals don't mark entities
    ents = _entities(sentence)
    for _ in range(4):
        if len(ents) < 2:
            return None
        a, b = rng.sample(ents, 2)
        if a.group(1) == b.group(1) or a.group(1) in b.group(1) or b.group(1) in a.group(1):
            continue
        a, b = sorted((a, b), key=lambda m: m.start())
        between = sentence[a.end(): b.start()]
        if not re.search(r"\b(?!and\b|or\b|of\b|the\b)[a-z]{3,}\b", between):
            continue  # entities in a list: swapping them changes nothing
        return (sentence[: a.start()] + b.group(1) + sentence[a.end(): b.start()] + a.group(1)
                + sentence[b.end():])
    return None


_PLACES = [
    "Afghanistan", "Australia", "Brazil", "Britain", "Canada", "China", "Egypt", "France",
    "Germany", "India", "Iran", "Iraq", "Israel", "Italy", "Japan", "Mexico", "Nigeria",
    "North Korea", "Pakistan", "Poland", "Russia", "Saudi Arabia", "South Africa", "Spain",
    "Syria", "Turkey", "Ukraine", "London", "Paris", "Berlin", "Moscow", "Beijing", "Tokyo",
    "New York", "Washington", "California", "Texas", "Florida", "Baghdad", "Kabul", "Cairo",
    "Gaza", "Jerusalem", "Tehran", "Damascus", "Kyiv", "Sydney", "Toronto", "Chicago", "Boston",
    "Los Angeles", "Eastern Europe", "Western Europe", "Europe", "Asia", "Africa", "Scotland",
    "Ireland", "Greece", "Sweden", "Norway", "Yemen", "Libya", "Lebanon", "Jordan", "Qatar",
]
_PLACE_RE = re.compile(r"(?<!The )\b(" + "|".join(re.escape(p) for p in sorted(_PLACES, key=len, reverse=True)) + r")\b(?! [A-Z])")


def edit_place(sentence: str, rng: random.Random) -> str | None:
    present = set(_PLACE_RE.findall(sentence))
    return _replace_one(sentence, _PLACE_RE,
                        lambda m: rng.choice([p for p in _PLACES if p not in present]), rng)


# --------------------------------------------------------------------------- entailments

_TRAILING_CLAUSE = re.compile(
    r",\s+(?:which|who|where|according to|as|while|after|before|although|though|in a|in an|"
    r"adding|saying|citing|amid|despite|with|including|he said|she said|they said|officials said|"
    r"police said)\b[^,;]*?(?=[.!?][\"”’]?$)")
_LEADING_ADVERBIAL = re.compile(r"^(?:On|In|At|By|Last|Earlier|Later|Meanwhile|However|Also|But|And|So|"
                                r"According to [^,]{3,40})[^,]{0,40},\s+")


def edit_clause_drop(sentence: str, rng: random.Random) -> str | None:
    outs = []
    m = _TRAILING_CLAUSE.search(sentence)
    if m and m.start() > 30:
        outs.append(sentence[: m.start()] + sentence[m.end():])
    m = _LEADING_ADVERBIAL.match(sentence)
    if m and len(sentence) - m.end() > 30:
        rest = sentence[m.end():]
        outs.append(rest[:1].upper() + rest[1:])
    return rng.choice(outs) if outs else None


_FRONT_TIME = re.compile(r"^(On (?:" + "|".join(_WEEKDAYS) + r")|Last (?:week|month|year)|Earlier this (?:week|month|year)|"
                         r"On [A-Z][a-z]+ \d{1,2}|In \d{4}),\s+(.+?)([.!?])$")
_END_TIME = re.compile(r"^(.+?) (on (?:" + "|".join(_WEEKDAYS) + r")|last (?:week|month|year))([.!?])$")


def edit_reorder(sentence: str, rng: random.Random) -> str | None:
    m = _FRONT_TIME.match(sentence)
    if m:
        body = m.group(2)
        body = body[:1].upper() + body[1:]
        head = m.group(1)
        return f"{body} {head[:1].lower() + head[1:]}{m.group(3)}"
    m = _END_TIME.match(sentence)
    if m and len(m.group(1)) > 20 and not re.search(r"\b(the|in|of|at|for|by)$", m.group(1)):
        body = m.group(1)
        if not _is_proper_start(body):
            body = body[:1].lower() + body[1:]
        time = m.group(2)
        return f"{time[:1].upper() + time[1:]}, {body}{m.group(3)}"
    return None


def _is_proper_start(text: str) -> bool:
    first = text.split(" ", 1)[0]
    return first not in ("The", "A", "An", "It", "He", "She", "They", "We", "This", "That", "There")


_SAID_FRONT = re.compile(r"^((?:[A-Z][\w.'’-]*\s?){1,5}|(?:[Tt]he )?[a-z]+(?: [a-z]+)? (?:officials?|spokes(?:wo)?man|police|minister))\s+(said|says|told reporters|added|stated)(?: that)?\s+(.{25,}?)([.!?])$")
_SAID_BACK = re.compile(r"^(.{25,}?),\s+((?:[A-Z][\w.'’-]*\s?){1,5}|(?:[Tt]he )?[a-z]+(?: [a-z]+)? (?:officials?|spokes(?:wo)?man|police|minister))\s+(said|says|added)([.!?])$")


def edit_attribution(sentence: str, rng: random.Random) -> str | None:
    m = _SAID_FRONT.match(sentence)
    if m and '"' not in sentence and "“" not in sentence:
        who, verb, what, stop = m.group(1).strip(), m.group(2), m.group(3), m.group(4)
        what = what[:1].upper() + what[1:]
        if who in ("It", "He", "She", "They", "We"):
            who = who.lower()
        return f"{what}, {who} {verb}{stop}"
    m = _SAID_BACK.match(sentence)
    if m and '"' not in sentence and "“" not in sentence:
        what, who, verb, stop = m.group(1), m.group(2).strip(), m.group(3), m.group(4)
        if _is_proper_start(what):
            pass
        else:
            what = what[:1].lower() + what[1:]
        who = who[:1].upper() + who[1:]
        return f"{who} {verb} that {what}{stop}"
    return None


_HEDGES = ["about {n}", "around {n}", "roughly {n}", "some {n}", "nearly {n}", "approximately {n}"]
_HEDGEABLE = re.compile(r"(?<![\w.,$£€-])(?<!about )(?<!around )(?<!nearly )(?<!some )(?<!than )"
                        r"(?<!(?:uary|arch|pril| May|June|July|gust|mber|ober) )(\d{1,3}(?:,\d{3})+|\d{2,})(?![-–]\d)(?= [a-z])")


def edit_hedged_number(sentence: str, rng: random.Random) -> str | None:
    def repl(m: re.Match) -> str | None:
        text = m.group(1)
        value = int(text.replace(",", ""))
        if 1900 <= value <= 2030:
            return None
        if rng.random() < 0.35 and value >= 20:
            lower = int(value * 0.9)
            digits = len(str(lower)) - 1
            lower = (lower // 10**digits) * 10**digits if digits > 0 else lower
            if lower <= 0 or lower >= value:
                return None
            return f"more than {lower:,}" if "," in text else f"more than {lower}"
        return rng.choice(_HEDGES).format(n=text)

    return _replace_one(sentence, _HEDGEABLE, repl, rng)


_SPELLINGS = [
    ("Zelensky", "Zelenskyy", "Zelenskiy"), ("Kiev", "Kyiv"), ("Gaddafi", "Qaddafi", "Kadhafi"),
    ("U.S.", "US", "United States"), ("U.N.", "UN", "United Nations"), ("U.K.", "UK", "Britain"),
    ("Mohammed", "Muhammad", "Mohammad"), ("Anthony", "Antony"), ("Sergey", "Sergei"),
    ("al-Qaeda", "al-Qaida", "Al Qaeda"), ("ISIS", "ISIL", "Islamic State"), ("Kremlin", "Russian government"),
    ("non-negotiable", "nonnegotiable"), ("per cent", "percent"), ("Beijing", "the Chinese government"),
    ("Alexey", "Alexei"), ("Navalny", "Navalnyy"), ("Tchaikovsky", "Chaikovsky"), ("Hezbollah", "Hizbollah"),
    ("Osama bin Laden", "Usama bin Laden"), ("defence", "defense"), ("organisation", "organization"),
    ("criticised", "criticized"), ("build-up", "buildup"), ("e-mail", "email"),
    ("Pyongyang", "the North Korean government"), ("Washington", "the US government"),
]
_SPELLING_MAP = {v: [w for w in group if w != v] for group in _SPELLINGS for v in group}
_SPELLING_RE = re.compile(r"(?<![\w-])(" + "|".join(re.escape(k) for k in sorted(_SPELLING_MAP, key=len, reverse=True)) + r")(?![\w-])")

_SYNONYMS = {
    "said": "stated", "buy": "purchase", "big": "large", "help": "assist", "begin": "start",
    "started": "began", "shows": "indicates", "showed": "indicated",
    "attempt": "try", "killed": "slain", "enough": "sufficient", "kids": "children",
    "reported": "said", "told": "informed", "also": "additionally", "rapidly": "quickly",
    "announced": "declared", "significant": "considerable", "intends": "plans", "demand": "call",
    "residents": "locals", "injured": "wounded", "nation": "country", "town": "community",
}


def edit_spelling(sentence: str, rng: random.Random) -> str | None:
    out = _replace_one(sentence, _SPELLING_RE, lambda m: rng.choice(_SPELLING_MAP[m.group(1)]), rng)
    if out is not None:
        return out
    return _SYNONYM_EDIT(sentence, rng)


_SYNONYM_EDIT = _word_map_edit(_SYNONYMS, symmetric=False)


_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


def edit_identity(sentence: str, rng: random.Random) -> str | None:
    """The same sentence, possibly with typographic quotes straightened: identical claims must entail."""
    if rng.random() < 0.7:
        return None  # keep identical pairs a modest share of the entailments
    straight = sentence.translate(_QUOTES)
    return straight if straight != sentence and rng.random() < 0.5 else sentence


_MODIFIER = re.compile(
    r"(?:Russian|American|U\.S\.|US|British|Ukrainian|Chinese|French|German|Israeli|Iranian|Syrian|Iraqi|"
    r"Turkish|Indian|Japanese|Canadian|Australian|former|then-|senior|top|local|state|federal) (?=[A-Z])")
_METONYMS = [("Moscow", "Russia"), ("Kyiv", "Ukraine"), ("Washington", "the United States"),
             ("Beijing", "China"), ("Tehran", "Iran"), ("London", "Britain"), ("the Kremlin", "Moscow")]
_METONYM_MAP = {a: b for a, b in _METONYMS} | {b: a for a, b in _METONYMS}
# Only where the place stands for its government, as the subject of a statement or an action.
_METONYM_RE = re.compile(r"(?<![\w-])(?<!in )(?<!to )(?<!of )(?<!from )(?<!The )(?<!the )("
                         + "|".join(re.escape(k) for k in sorted(_METONYM_MAP, key=len, reverse=True))
                         + r")(?= (?:said|says|has|have|had|will|would|warned|rejected|accused|denied|wants|"
                           r"demanded|insists|insisted|responded|refused|agreed|announced|called)\b)")
_REPORTED = re.compile(r"\b(said|says|warned|added|insisted|argued|claimed)( (?:that )?(?:it|he|she|they|the \w+)) (will|would)\b")


def edit_paraphrase(sentence: str, rng: random.Random) -> str | None:
    """Near-identical wording with the same meaning: a modifier dropped before a name, a capital for its
    country, "said it will" <-> "said it would". Teaches that overlap alone is not contradiction."""
    options = []
    m = _MODIFIER.search(sentence)
    if m and m.start() > 0:
        options.append(sentence[: m.start()] + sentence[m.end():])
    out = _replace_one(sentence, _METONYM_RE, lambda m: _METONYM_MAP[m.group(1)], rng)
    if out is not None:
        options.append(out)
    m = _REPORTED.search(sentence)
    if m:
        other = "would" if m.group(3) == "will" else "will"
        options.append(sentence[: m.start(3)] + other + sentence[m.end(3):])
    return rng.choice(options) if options else None


# --------------------------------------------------------------------------- registry

EDITS: dict[str, tuple[Edit, str]] = {
    "number": (edit_number, CONTRADICTION),
    "date": (edit_date, CONTRADICTION),
    "negation": (edit_negation, CONTRADICTION),
    "modality": (edit_modality, CONTRADICTION),
    "antonym": (edit_antonym, CONTRADICTION),
    "entity_swap": (edit_entity_swap, CONTRADICTION),
    "place": (edit_place, CONTRADICTION),
    "clause_drop": (edit_clause_drop, ENTAILMENT),
    "reorder": (edit_reorder, ENTAILMENT),
    "attribution": (edit_attribution, ENTAILMENT),
    "hedged_number": (edit_hedged_number, ENTAILMENT),
    "spelling": (edit_spelling, ENTAILMENT),
    "identity": (edit_identity, ENTAILMENT),
    "paraphrase": (edit_paraphrase, ENTAILMENT),
}
# Entailment edits whose reverse direction is not an entailment (the hypothesis adds information).
_ONE_WAY = {"clause_drop", "hedged_number"}


# --------------------------------------------------------------------------- syntax paraphrases
# Rewordings that keep the meaning exactly, which articles quoting or translating the same statement
# differ by: "actions that undermine security" / "actions undermining security", "Russia's actions" /
# "the actions of Russia", a dash for a comma, "said that" / "said", "the concerns" / "concerns".

_REL_CLAUSE = re.compile(r"(?<=[a-z] )(?:(?<=[a-z]s )that|which|who) ((?!is\b|are\b|was\b|were\b|has\b|have\b|had\b|"
                         r"will\b|would\b|can\b|could\b|may\b|might\b|must\b|should\b|do\b|does\b|did\b)[a-z]{3,})"
                         r"(?= [a-z])")
_NON_VERBS = frozenset(
    "the its his her their our this that these those there one two three four five six seven eight nine ten many "
    "some all any each both more most many few not also only just never still even what when where how why if "
    "and but for with from into over under about after before than then have been being".split())
_SAYING = re.compile(r"\b(said|says|reports|claims|believes|thinks|knows|shows|suggests|warns|adds|insists|"
                     r"argues|means|hopes|fears|notes|states|denies|confirms|admits)\s+that\s+$")
_POSSESSIVE = re.compile(r"(?<![\w-])([A-Z][a-z]{2,}(?: [A-Z][a-z]+)?)['’]s ([a-z]{4,})(?![\w-])"
                         r"(?=[,.;:]|\s(?:that|which|who|to|in|on|at|for|and|or|but|is|are|was|were|has|have|had|"
                         r"will|would|could|can|with|from|by|as)\b)")
_SAID_THAT = re.compile(r"\b(said|says|told reporters|added|stated) that\b")
_SAID_NO_THAT = re.compile(r"\b(said|says|added|stated) (?=(?:the|it|he|she|they|a|an|there)\b)")
_SPACED_DASH = re.compile(r"\s[—–-]{1,2}\s")
_DET_PLURAL = re.compile(r"\b(?<=[a-z] )the ([a-z]{4,}s)\b(?= of\b)")


def _ing(verb: str) -> str:
    stem = verb[:-1] if verb.endswith("s") and not verb.endswith("ss") else verb
    if stem.endswith("ie"):
        return stem[:-2] + "ying"
    if stem.endswith("e") and not stem.endswith(("ee", "ye", "oe")):
        return stem[:-1] + "ing"
    return stem + "ing"


def edit_syntax(sentence: str, rng: random.Random, vocabulary: frozenset[str] | None = None) -> str | None:
    """One meaning-preserving syntactic rewording (see the comment above), or None.

    A relative clause becomes a participle only when ``vocabulary`` (lower-cased words of the
    corpus) holds the "-ing" form, so that "that soon" never becomes "sooning"."""
    options: list[str] = []
    m = _REL_CLAUSE.search(sentence)
    if (m and m.group(1) not in _NON_VERBS and not m.group(1).endswith(("ed", "ing", "ly"))
            and not _SAYING.search(sentence[: m.start() + 5])
            and vocabulary is not None and _ing(m.group(1)) in vocabulary):
        options.append(sentence[: m.start()] + _ing(m.group(1)) + sentence[m.end():])
    m = _POSSESSIVE.search(sentence)
    if m and m.start() > 0:
        options.append(sentence[: m.start()] + f"the {m.group(2)} of {m.group(1)}" + sentence[m.end():])
    if _SAID_THAT.search(sentence):
        options.append(_SAID_THAT.sub(lambda m: m.group(1), sentence, count=1))
    elif (m := _SAID_NO_THAT.search(sentence)):
        options.append(sentence[: m.end()] + "that " + sentence[m.end():])
    if _SPACED_DASH.search(sentence) and len(_SPACED_DASH.findall(sentence)) == 1:
        options.append(_SPACED_DASH.sub(", ", sentence))
    m = _DET_PLURAL.search(sentence)
    if m:
        options.append(sentence[: m.start()] + m.group(1) + sentence[m.end():])
    options = [o for o in options if o != sentence]
    if not options:
        return None
    out = rng.choice(options)
    if len(options) > 1 and rng.random() < 0.5:  # sometimes two rewordings at once
        second = edit_syntax(out, rng, vocabulary)
        out = second or out
    return out
