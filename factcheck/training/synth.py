"""Synthetic news NLI pairs, FactCC-style: rule-based edits of real news sentences.

Contradictions come from meaning-flipping edits (numbers, dates, negation, modality, antonyms,
swapped entities or roles, changed places); entailments from meaning-preserving edits (clause
dropped, reordering, attribution moved, hedged compatible numbers, spelling variants of names);
neutrals from other sentences of the same article. Train/test are split by article.

Every edit is a function ``(sentence, rng) -> str | None`` in a registry keyed by name, with
the label it produces, so the evaluation can report recall per edit type.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Callable, Iterable, Iterator

from factcheck.errors import FactcheckError, InputError
from factcheck.evaluation.news_pairs import read_bodies
from factcheck.sentences import split_sentences
from factcheck.training.edits import SynthPair, article_split  # noqa: F401  (shared with news_families)
from factcheck.training.edits import (
    _ENTITY,
    _ENTITY_STOP,
    _ONE_WAY,
    CONTRADICTION,
    EDITS,
    ENTAILMENT,
    NEUTRAL,
    _is_proper_start,
    edit_syntax,
)

__all__ = ["GENERATORS", "SynthPair", "EDITS", "article_split", "generate_pairs", "read_news_bodies", "synth_to_file",
           "write_jsonl"]





# --------------------------------------------------------------------------- generation


# One reader of FNC-1 body CSVs for the workshop and evaluation (news pairs).
read_news_bodies = read_bodies




def _usable(sentence: str) -> bool:
    words = sentence.split()
    return (8 <= len(words) <= 60 and sentence[-1:] in ".!?\"”’" and sentence[:1].isupper()
            and "http" not in sentence and "@" not in sentence)


def _pairs_for_article(article: str, text: str, rng: random.Random, split: str,
                       contradictions: int, entailments: int, neutrals: int,
                       usage: Counter) -> Iterator[SynthPair]:
    sents = [s.text for s in split_sentences(text)]
    usable = [i for i, s in enumerate(sents) if _usable(s)]
    if len(usable) < 2:
        return
    contra_edits = [k for k, (_, lab) in EDITS.items() if lab == CONTRADICTION]
    entail_edits = [k for k, (_, lab) in EDITS.items() if lab == ENTAILMENT]

    def with_context(i: int, premise: str) -> str:
        # Sometimes the premise carries its preceding sentence, as the checker's premise side may.
        if i > 0 and rng.random() < 0.25 and _usable(sents[i - 1]):
            return f"{sents[i - 1]} {premise}"
        return premise

    def emit(names: list[str], label: str, budget: int) -> Iterator[SynthPair]:
        # Try the edit types used least so far first, so that common ones don't crowd out rare ones.
        made = 0
        order = usable[:]
        rng.shuffle(order)
        for i in order:
            if made >= budget:
                return
            sentence = sents[i]
            for name in sorted(names, key=lambda n: (usage[n], rng.random())):
                fn, _ = EDITS[name]
                edited = fn(sentence, rng)
                if edited is None or (edited == sentence and name != "identity"):
                    continue
                made += 1
                usage[name] += 1
                if label == CONTRADICTION:
                    if rng.random() < 0.5:
                        yield SynthPair(with_context(i, sentence), edited, label, name, article, split)
                    else:
                        yield SynthPair(edited, sentence, label, name, article, split)
                else:
                    yield SynthPair(with_context(i, sentence), edited, label, name, article, split)
                    if name in _ONE_WAY:
                        if rng.random() < 0.5:
                            yield SynthPair(edited, sentence, NEUTRAL, f"{name}_reverse", article, split)
                    elif rng.random() < 0.3:
                        yield SynthPair(edited, sentence, label, name, article, split)
                break

    yield from emit(contra_edits, CONTRADICTION, contradictions)
    yield from emit(entail_edits, ENTAILMENT, entailments)
    for _ in range(neutrals):
        i, j = rng.sample(usable, 2)
        yield SynthPair(sents[i], sents[j], NEUTRAL, "same_article", article, split)


def generate_pairs(bodies: dict[str, str], seed: int = 13, per_article: tuple[int, int, int] = (6, 6, 4),
                   test_fraction: float = 0.15) -> list[SynthPair]:
    """Generate synthetic pairs from news bodies; ``per_article`` = (contradictions, entailments, neutrals)."""
    out: list[SynthPair] = []
    usage: Counter = Counter()
    for article in sorted(bodies):
        rng = random.Random(f"{seed}:{article}")
        split = article_split(article, test_fraction)
        out.extend(_pairs_for_article(article, bodies[article], rng, split, *per_article, usage=usage))
    return out


def _join(first: str, second: str) -> str:
    """Two sentences as one compound sentence: "First, and second."."""
    first = first.rstrip(" .!?\"”’")
    if not second[:1].isupper() or _is_proper_start(second) is False:
        second = second[:1].lower() + second[1:]
    return f"{first}, and {second}"


def compound_pairs(bodies: dict[str, str], seed: int = 13, per_article: int = 3,
                   test_fraction: float = 0.15) -> list[SynthPair]:
    """Pairs where only part of a longer sentence conflicts or adds information.

    Real news pairs rarely differ in one word only: "..., refusing to ban Ukraine from joining NATO,
    and saying deployments are non-negotiable" against "..., adhering to the open door policy and
    saying deployments can be negotiated". NLI labels the pair by its conflicting part:
    contradiction when a flipped clause sits beside unrelated material on either side; neutral
    when the hypothesis only adds material; entailment when the premise holds the hypothesis.
    """
    contra = [k for k, (_, lab) in EDITS.items() if lab == CONTRADICTION]
    out: list[SynthPair] = []
    for article in sorted(bodies):
        rng = random.Random(f"{seed}:compound:{article}")
        split = article_split(article, test_fraction)
        sents = [s.text for s in split_sentences(bodies[article])]
        usable = [s for s in sents if _usable(s) and len(s.split()) <= 35]
        if len(usable) < 3:
            continue
        for _ in range(per_article):
            s_i, s_j, s_k = rng.sample(usable, 3)
            flipped = None
            for name in rng.sample(contra, len(contra)):
                flipped = EDITS[name][0](s_i, rng)
                if flipped and flipped != s_i:
                    break
            if not flipped or flipped == s_i:
                continue
            shape = rng.randrange(4)
            if shape == 0:    # both sides carry other material; the shared clause is flipped
                pair = (_join(s_j, s_i), _join(s_k, flipped), CONTRADICTION, f"compound_{name}")
            elif shape == 1:  # the hypothesis adds material beside the flipped clause
                pair = (s_i, _join(s_k, flipped), CONTRADICTION, f"compound_{name}")
            elif shape == 2:  # the premise carries other material
                pair = (_join(s_j, s_i), flipped, CONTRADICTION, f"compound_{name}")
            else:             # the hypothesis adds material but flips nothing
                pair = (s_i, _join(s_k, s_i), NEUTRAL, "compound_addition")
            out.append(SynthPair(pair[0], pair[1], pair[2], pair[3], article, split))
            if rng.random() < 0.5:  # and the entailment the same material gives
                out.append(SynthPair(_join(s_j, s_i), s_i, ENTAILMENT, "compound_part", article, split))
    return out


# "-able" adjectives with their negative prefix and past participle: "non-negotiable" means "cannot
# be negotiated", and contradicts "can be negotiated". (adjective, negative prefix, participle)
MODAL_LEXICON: tuple[tuple[str, str, str], ...] = (
    ("negotiable", "non-", "negotiated"), ("acceptable", "un", "accepted"), ("avoidable", "un", "avoided"),
    ("reversible", "ir", "reversed"), ("achievable", "un", "achieved"), ("predictable", "un", "predicted"),
    ("sustainable", "un", "sustained"), ("verifiable", "un", "verified"), ("explainable", "un", "explained"),
    ("enforceable", "un", "enforced"), ("justifiable", "un", "justified"), ("affordable", "un", "afforded"),
    ("replaceable", "ir", "replaced"), ("refundable", "non-", "refunded"), ("transferable", "non-", "transferred"),
    ("renewable", "non-", "renewed"), ("removable", "non-", "removed"), ("curable", "in", "cured"),
    ("repairable", "ir", "repaired"), ("recoverable", "un", "recovered"), ("identifiable", "un", "identified"),
    ("measurable", "im", "measured"), ("preventable", "un", "prevented"), ("solvable", "un", "solved"),
    ("winnable", "un", "won"), ("debatable", "in", "debated"), ("changeable", "un", "changed"),
    ("deniable", "un", "denied"), ("forgivable", "un", "forgiven"), ("detectable", "un", "detected"),
    ("controllable", "un", "controlled"), ("tolerable", "in", "tolerated"), ("defensible", "in", "defended"),
    ("excusable", "in", "excused"), ("manageable", "un", "managed"), ("readable", "un", "read"),
    ("returnable", "non-", "returned"), ("amendable", "non-", "amended"), ("revocable", "ir", "revoked"),
    ("extendable", "non-", "extended"),
)
# Adjectives whose pairs only go to the test split: the model must get them from the others.
MODAL_HELD_OUT = frozenset({"negotiable", "acceptable", "reversible", "verifiable", "preventable"})
_SUBJECT = re.compile(r"^((?:The|This|That|These|Those|Its|His|Her|Their|Our|Any|Such) [a-z][a-z' -]{2,45}?) "
                      r"(is|are|was|were)\b")
_SOURCES = ("officials", "the ministry", "a spokesman", "the statement", "diplomats", "the government",
            "the company", "the lawyers", "the alliance", "the report")


def _modal_predicate(form: str, cop: str, adj: tuple[str, str, str], rng: random.Random) -> str:
    word, prefix, participle = adj
    past = cop in ("was", "were")
    if form == "neg_adj":
        neg = prefix if prefix != "non-" or rng.random() < 0.7 else "non"
        return f"{cop} {neg}{word}"
    if form == "pos_adj":
        return f"{cop} {word}"
    if form == "can":
        return f"{'could' if past else rng.choice(['can', 'can'])} be {participle}"
    return f"{rng.choice(['could not', 'couldn’t']) if past else rng.choice(['cannot', 'can not', 'can’t'])} be {participle}"


_POLARITY = {"neg_adj": False, "pos_adj": True, "can": True, "cannot": False}


def _frame(subject: str, predicate: str, others: list[str], rng: random.Random) -> str:
    """The statement as a plain sentence, reported speech, a participial clause or inside a compound."""
    low = subject[:1].lower() + subject[1:]
    shape = rng.randrange(5)
    if shape == 0:
        return f"{subject} {predicate}."
    if shape == 1:
        return f"{rng.choice(_SOURCES).capitalize()} said {rng.choice(['', 'that '])}{low} {predicate}."
    if shape == 2:
        return f"{subject} {predicate}, {rng.choice(_SOURCES)} said."
    if shape == 3:
        return f"{rng.choice(['saying', 'adding', 'insisting'])} that {low} {predicate}."
    return _join(rng.choice(others), f"{rng.choice(['saying', 'adding'])} that {low} {predicate}.") if others \
        else f"{subject} {predicate}."


def modal_pairs(bodies: dict[str, str], seed: int = 13, per_adjective: int = 90) -> list[SynthPair]:
    """Polarity of "-able" predicates across forms: "X is non-negotiable" entails "X cannot be
    negotiated" and contradicts "X can be negotiated"; another subject makes the pair neutral.

    Subjects ("The deployment of troops", copula "is") come from the news bodies; each side is
    framed independently (plain, reported, participial clause, compound). Pairs of the
    adjectives in ``MODAL_HELD_OUT`` form the test split.
    """
    rng = random.Random(f"{seed}:modal")
    subjects: list[tuple[str, str]] = []
    others: list[str] = []
    seen: set[str] = set()
    for body in sorted(bodies):
        for sent in split_sentences(bodies[body]):
            m = _SUBJECT.match(sent.text)
            if m and m.group(1).lower() not in seen and 2 <= len(m.group(1).split()) <= 6:
                seen.add(m.group(1).lower())
                subjects.append((m.group(1), m.group(2)))
            elif _usable(sent.text) and len(sent.text.split()) <= 30 and rng.random() < 0.05:
                others.append(sent.text)
    if len(subjects) < 2:
        return []
    forms = list(_POLARITY)
    out: list[SynthPair] = []
    for adj in MODAL_LEXICON:
        split = "test" if adj[0] in MODAL_HELD_OUT else "train"
        for _ in range(per_adjective):
            (subj, cop), (subj2, cop2) = rng.sample(subjects, 2)
            fa, fb = rng.sample(forms, 2) if rng.random() < 0.8 else (rng.choice(forms),) * 2
            if rng.random() < 0.2:  # another subject: no relation, whatever the predicates say
                a = _frame(subj, _modal_predicate(fa, cop, adj, rng), others, rng)
                b = _frame(subj2, _modal_predicate(fb, cop2, adj, rng), others, rng)
                out.append(SynthPair(a, b, NEUTRAL, "modal_other_subject", adj[0], split))
                continue
            a = _frame(subj, _modal_predicate(fa, cop, adj, rng), others, rng)
            b = _frame(subj, _modal_predicate(fb, cop, adj, rng), others, rng)
            label = ENTAILMENT if _POLARITY[fa] == _POLARITY[fb] else CONTRADICTION
            if label == ENTAILMENT and " and saying" in b and " and saying" not in a:
                label = NEUTRAL  # b adds a whole other statement
            out.append(SynthPair(a, b, label, f"modal_{'same' if label != CONTRADICTION else 'flip'}", adj[0], split))
    return out


# --------------------------------------------------------------------------- syntax paraphrases
# (the rewording edit itself is factcheck.training.edits.edit_syntax)

def syntax_pairs(bodies: dict[str, str], seed: int = 13, per_article: int = 4,
                 test_fraction: float = 0.15) -> list[SynthPair]:
    """Syntactic rewordings as entailments (both ways), and their contradiction twins: the reworded
    sentence with one contradiction edit, so rewording alone is never what decides."""
    contra = ("negation", "antonym", "number", "modality", "date")
    vocabulary = frozenset(w.lower() for text in bodies.values() for w in re.findall(r"[A-Za-z]+", text))
    out: list[SynthPair] = []
    for article in sorted(bodies):
        rng = random.Random(f"{seed}:syntax:{article}")
        split = article_split(article, test_fraction)
        sents = [x.text for x in split_sentences(bodies[article]) if _usable(x.text)]
        rng.shuffle(sents)
        made = 0
        for sentence in sents:
            if made >= per_article:
                break
            reworded = edit_syntax(sentence, rng, vocabulary)
            if reworded is None:
                continue
            made += 1
            first, second = (sentence, reworded) if rng.random() < 0.5 else (reworded, sentence)
            out.append(SynthPair(first, second, ENTAILMENT, "syntax", article, split))
            if rng.random() < 0.5:
                continue
            for name in rng.sample(contra, len(contra)):
                flipped = EDITS[name][0](reworded, rng)
                if flipped and flipped != reworded:
                    pair = (sentence, flipped) if rng.random() < 0.5 else (flipped, sentence)
                    out.append(SynthPair(*pair, CONTRADICTION, f"syntax_{name}", article, split))
                    break
    return out


# --------------------------------------------------------------------------- negation forms
# The same demand or position with its negation in different places: "demands for the non-expansion
# of NATO" = "demands that NATO not expand" = "opposition to the expansion of NATO"; flipping the
# polarity contradicts, another actor or action is unrelated. (verb, noun)
NEGATION_LEXICON: tuple[tuple[str, str], ...] = (
    ("expand", "expansion"), ("deploy", "deployment"), ("withdraw", "withdrawal"), ("intervene", "intervention"),
    ("enlarge", "enlargement"), ("escalate", "escalation"), ("extend", "extension"), ("merge", "merger"),
    ("annex", "annexation"), ("relocate", "relocation"), ("retaliate", "retaliation"), ("resign", "resignation"),
    ("invade", "invasion"), ("participate", "participation"), ("rearm", "rearmament"), ("mobilize", "mobilization"),
    ("privatize", "privatization"), ("recognize", "recognition"), ("cooperate", "cooperation"), ("default", "default"),
    ("strike", "strike"), ("compete", "competition"), ("testify", "testimony"), ("retire", "retirement"),
)
# Actions whose pairs only go to the test split (the seed articles' "non-expansion" is among them).
NEGATION_HELD_OUT = frozenset({"expand", "deploy", "withdraw", "intervene"})
_ACTORS = ("Moscow", "the government", "the union", "critics", "the opposition", "Beijing", "the board",
           "protesters", "the ministry", "Washington", "the council", "the rebels")


def _negation_form(polarity: bool, verb: str, noun: str, who: str, rng: random.Random) -> str:
    """A demand (polarity True: that ``who`` does it; False: that it does not) in one of several forms."""
    forms = ([f"demands that {who} {verb}", f"demands for the {noun} of {who}", f"support for the {noun} of {who}",
              f"insistence that {who} should {verb}"] if polarity else
             [f"demands that {who} not {verb}", f"demands for the non-{noun} of {who}",
              f"opposition to the {noun} of {who}", f"insistence that {who} should not {verb}",
              f"rejection of any {noun} of {who}", f"demands that {who} refrain from any {noun}"])
    return rng.choice(forms)


def negation_form_pairs(bodies: dict[str, str], seed: int = 13, per_action: int = 100) -> list[SynthPair]:
    """Statements of one actor's position on an action by another, worded with negation in different
    places (see NEGATION_LEXICON); the parties come from named entities of the news bodies."""
    rng = random.Random(f"{seed}:negation_forms")
    names: set[str] = set()
    for body in sorted(bodies):
        names.update(m.group(1) for m in _ENTITY.finditer(bodies[body])
                     if m.group(1) not in _ENTITY_STOP and len(m.group(1)) > 2 and len(m.group(1).split()) <= 3)
    parties = sorted(names)
    if len(parties) < 4:
        return []
    frames = ("Those are {poss} {position}.", "{Actor} repeated its {position}.",
              "The letter set out {poss} {position}.", "{Actor} restated its {position}, officials said.")
    out: list[SynthPair] = []
    for verb, noun in NEGATION_LEXICON:
        split = "test" if verb in NEGATION_HELD_OUT else "train"
        for _ in range(per_action):
            actor = rng.choice(_ACTORS + tuple(rng.sample(parties, 3)))
            who, other = rng.sample(parties, 2)
            pa = rng.random() < 0.5
            pb = pa if rng.random() < 0.5 else not pa
            kind = "neutral" if rng.random() < 0.2 else "same"

            def say(polarity: bool, target: str) -> str:
                position = _negation_form(polarity, verb, noun, target, rng)
                if rng.random() < 0.3:
                    position = position.replace("demands", "demand", 1)
                poss = actor + ("’" if actor.endswith("s") else "’s")
                return rng.choice(frames).format(poss=poss, Actor=actor[:1].upper() + actor[1:], position=position)

            a = say(pa, who)
            b = say(pb, other if kind == "neutral" else who)
            if kind == "neutral":
                out.append(SynthPair(a, b, NEUTRAL, "negation_form_other_party", verb, split))
            else:
                label = ENTAILMENT if pa == pb else CONTRADICTION
                out.append(SynthPair(a, b, label, f"negation_form_{'same' if pa == pb else 'flip'}", verb, split))
    return out


def _news_families(bodies: dict[str, str], seed: int = 13) -> list[SynthPair]:
    from factcheck.training.news_families import news_family_pairs

    return news_family_pairs(bodies, seed=seed)


GENERATORS: dict[str, Callable[..., list[SynthPair]]] = {
    "edits": generate_pairs, "compound": compound_pairs, "modal": modal_pairs, "syntax": syntax_pairs,
    "negation-forms": negation_form_pairs, "news-families": _news_families,
}


def print_counts(pairs: Iterable[SynthPair]) -> None:
    """One tab-separated line per (split, label, edit) with its count."""
    counts = Counter((p.split, p.label, p.edit) for p in pairs)
    for key in sorted(counts):
        print(*key, counts[key], sep="\t")


def write_jsonl(pairs: Iterable[SynthPair], path: str | Path) -> int:
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        for p in pairs:
            fh.write(json.dumps(asdict(p), ensure_ascii=False) + "\n")
            n += 1
    return n


def synth_to_file(news: str | Path, out: str | Path, kind: str = "edits", seed: int = 13) -> int:
    """Write the ``kind`` family (a GENERATORS key) made from a news bodies CSV to ``out``; print its counts.

    Returns the rows written. `factcheck train synth` and ``python -m factcheck.training.synth`` run this.
    """
    if kind not in GENERATORS:
        raise InputError(f"unknown synthetic family {kind!r} (known: {', '.join(GENERATORS)})")
    pairs = GENERATORS[kind](read_news_bodies(news), seed=seed)
    n = write_jsonl(pairs, out)
    print_counts(pairs)
    return n


def main(argv: list[str] | None = None) -> None:
    """``python -m factcheck.training.synth``: the same as `factcheck train synth`; --modal etc. mean --kind modal."""
    parser = argparse.ArgumentParser(prog="python -m factcheck.training.synth",
                                     description="Write synthetic news NLI pairs made by rule-based edits of real sentences.")
    parser.add_argument("--news", required=True, type=Path, help="FNC-1 style bodies CSV (columns Body ID, articleBody)")
    parser.add_argument("--out", required=True, type=Path, help="output JSONL of labelled pairs")
    parser.add_argument("--kind", choices=list(GENERATORS), default="edits")
    for kind in ("compound", "modal", "syntax", "negation-forms"):
        parser.add_argument(f"--{kind}", dest="kind", action="store_const", const=kind, help=f"--kind {kind}")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    try:
        n = synth_to_file(args.news, args.out, args.kind, args.seed)
    except FactcheckError as exc:  # one line and exit code 2, as the CLI's
        print(f"factcheck: error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    print(f"wrote {n} pairs to {args.out}")


if __name__ == "__main__":
    main()
