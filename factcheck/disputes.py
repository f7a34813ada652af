"""The story view: group a cluster's findings into disputed facts, each with its sides. No models here.

A newsroom reader wants "which facts are disputed, and which outlet says what", not a list of sentence
pairs: one dispute between four outlets is up to four contradiction findings. Here:

- claims (one per article sentence) linked by contradiction stand on opposite sides; claims whose
  two directions entail each other (or that are worded the same) stand on the same side. Links are
  taken strongest first into a union-find that tracks sides (parity); a link that would put a claim
  on both sides of its own dispute is left out;
- a claim in another article that entails a side's claim joins that side; one that agrees with
  both sides, one that a side's claim merely entails (a weaker statement), or one that was compared
  with a side and took neither, leaves its article *silent*;
- each dispute gets a label (the words in which its two strongest claims differ), a score (its
  strongest contradiction), its findings, and its minority side when one side has fewer articles.

Disputes are ranked by score weighted by how many articles take a side (``score * log2(1 + n)``,
where an article in the dispute's own findings counts 1 and one that joined a side by entailment 0.5).
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace

from factcheck.report.schema import Claim, Dispute, DisputeSide

__all__ = ["Link", "build_disputes", "differing_spans"]

CONTRADICTION, MUTUAL, ENTAILS, OTHER = "contradiction", "mutual", "entails", "other"


@dataclass(frozen=True)
class Link:
    """A scored claim pair, as the dispute builder needs it.

    ``a`` and ``b`` identify claims (e.g. ``(article, start, end)``); ``kind`` is ``contradiction``,
    ``mutual`` (each entails the other, or same wording), ``entails`` (``a`` entails ``b``) or
    ``other``; ``finding`` is the pair's index in the report's findings, if it is reported.
    """

    a: Hashable
    b: Hashable
    claim_a: Claim
    claim_b: Claim
    kind: str
    score: float
    finding: int | None = None


class _Sides:
    """Union-find with parity: ``side(x)`` is x's root and whether x stands opposite the root."""

    def __init__(self) -> None:
        self.parent: dict[Hashable, Hashable] = {}
        self.flip: dict[Hashable, int] = {}

    def find(self, x: Hashable) -> tuple[Hashable, int]:
        if x not in self.parent:
            self.parent[x], self.flip[x] = x, 0
            return x, 0
        path, parity = [], 0
        while self.parent[x] != x:
            path.append(x)
            x = self.parent[x]
        root = x
        # Compress: each node on the path points at the root with its total parity.
        for node in reversed(path):
            parent = self.parent[node]
            if parent != root:
                self.flip[node] ^= self.flip[parent]
            self.parent[node] = root
        return root, self.flip[path[0]] if path else 0

    def join(self, a: Hashable, b: Hashable, opposite: int) -> bool:
        """Put ``a`` and ``b`` on opposite (1) or the same (0) side; False when that contradicts the sides so far."""
        ra, pa = self.find(a)
        rb, pb = self.find(b)
        if ra == rb:
            return (pa ^ pb) == opposite
        self.parent[rb] = ra
        self.flip[rb] = pa ^ pb ^ opposite
        return True


_TOKEN = re.compile(r"\w+(?:['’-]\w+)*|[^\w\s]")
_FILLER = frozenset("a an the of to in on at for and or that this is are was were be been by with as it its".split())


def _stems(tokens: Sequence[str]) -> set[str]:
    return {t.casefold()[:5] for t in tokens if re.match(r"\w", t)}


def _novel(part: Sequence[str], other: set[str]) -> int:
    """Content words of ``part`` whose stem the other claim lacks (a reordered word is no difference)."""
    return sum(1 for t in part if re.match(r"\w", t) and t.casefold() not in _FILLER and t.casefold()[:5] not in other)


def differing_spans(a: str, b: str, max_words: int = 8) -> tuple[str, str]:
    """What ``a`` says where ``b`` says something else: the differing run with most new content words.

    A replacement ("denied offering" / "offered") is preferred to a run only one side has (an
    addition such as ", a radio report said"); words both claims hold elsewhere do not count.
    """
    ta, tb = _TOKEN.findall(a), _TOKEN.findall(b)
    sa, sb = _stems(ta), _stems(tb)
    matcher = difflib.SequenceMatcher(a=[t.casefold() for t in ta], b=[t.casefold() for t in tb], autojunk=False)
    best, best_key = None, (-1, -1, -1)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        novelty = _novel(ta[i1:i2], sb) + _novel(tb[j1:j2], sa)
        key = (op == "replace" and novelty > 0, novelty, -(i2 - i1 + j2 - j1))
        if key > best_key:
            best, best_key = (i1, i2, j1, j2), key

    def words(tokens: list[str], lo: int, hi: int) -> str:
        part = [t for t in tokens[lo:hi] if re.match(r"\w", t)] or tokens[lo:hi]
        return (" ".join(part[:max_words]) + (" …" if len(part) > max_words else "")) or "—"

    if best is None:
        return words(ta, 0, len(ta)), words(tb, 0, len(tb))
    i1, i2, j1, j2 = best
    return words(ta, i1, i2), words(tb, j1, j2)


def _overlap(link: Link) -> float:
    a, b = _stems(_TOKEN.findall(link.claim_a.text)), _stems(_TOKEN.findall(link.claim_b.text))
    return len(a & b) / max(1, len(a | b))


def build_disputes(links: Sequence[Link], articles: Sequence[str]) -> tuple[Dispute, ...]:
    """The disputes in ``links`` (all scored pairs of one cluster), strongest first; ``articles`` in report order."""
    sides = _Sides()
    # Contradictions and paraphrases, strongest first: a weaker link that would put a claim on both
    # sides of its own dispute is left out.
    strong = sorted((l for l in links if l.kind in (CONTRADICTION, MUTUAL)), key=lambda l: (-l.score, l.kind != CONTRADICTION))
    kept = [l for l in strong if sides.join(l.a, l.b, 1 if l.kind == CONTRADICTION else 0)]
    used = [l for l in kept if l.kind == CONTRADICTION]
    if not used:
        return ()
    disputed = {sides.find(l.a)[0] for l in used}
    in_dispute = {x for l in kept for x in (l.a, l.b) if sides.find(x)[0] in disputed}
    claim_of: dict[Hashable, Claim] = {}
    for l in kept:
        claim_of.setdefault(l.a, l.claim_a)
        claim_of.setdefault(l.b, l.claim_b)
    # One-way entailment with a disputed claim: a vote for that claim's side.
    votes: dict[Hashable, dict[tuple[Hashable, int], float]] = {}
    compared: dict[Hashable, set[tuple[Hashable, str]]] = {}
    for l in links:
        for inside, outside, claim in ((l.a, l.b, l.claim_b), (l.b, l.a, l.claim_a)):
            if inside in in_dispute and outside not in in_dispute:
                root, parity = sides.find(inside)
                # A claim that entails a side's claim says what it says; one the side's claim merely
                # entails is weaker (it mentions the fact) and takes no side.
                if l.kind == MUTUAL or (l.kind == ENTAILS and outside == l.a):
                    box = votes.setdefault(outside, {})
                    box[(root, parity)] = max(box.get((root, parity), 0.0), l.score)
                    claim_of.setdefault(outside, claim)
                elif l.kind in (ENTAILS, OTHER):
                    compared.setdefault(root, set()).add((outside, claim.article))
    members: dict[Hashable, list[tuple[Hashable, int]]] = {}
    for x in in_dispute:
        root, parity = sides.find(x)
        members.setdefault(root, []).append((x, parity))
    silent: dict[Hashable, set[str]] = {root: {art for _, art in compared.get(root, ())} for root in members}
    for x, box in votes.items():
        roots = {root for root, _ in box}
        for root in roots:
            picks = {p: s for (r, p), s in box.items() if r == root}
            if len(picks) == 1:
                members[root].append((x, next(iter(picks))))
            else:
                silent[root].add(claim_of[x].article)
    order = {a: k for k, a in enumerate(articles)}
    found = []
    for root, nodes in members.items():
        own = [l for l in used if sides.find(l.a)[0] == root]
        if not own:
            continue
        top = max(own, key=lambda l: l.score)
        top_parity = sides.find(top.a)[1]
        side_claims: list[list[Claim]] = [[], []]
        for x, parity in sorted(nodes, key=lambda n: (order.get(claim_of[n[0]].article, 1 << 30), claim_of[n[0]].start)):
            side_claims[parity ^ top_parity].append(claim_of[x])
        side_articles = [tuple(sorted({c.article for c in cs}, key=lambda a: order.get(a, 1 << 30))) for cs in side_claims]
        taking = set(side_articles[0]) | set(side_articles[1])
        quiet = tuple(sorted(silent.get(root, set()) - taking, key=lambda a: order.get(a, 1 << 30)))
        n0, n1 = len(side_articles[0]), len(side_articles[1])
        minority = None if n0 == n1 else (0 if n0 < n1 else 1)
        # The label compares the dispute's most alike pair of opposed claims: the cleanest contrast.
        clean = max(own, key=lambda l: (_overlap(l), l.score))
        first, second = ((clean.claim_a, clean.claim_b) if sides.find(clean.a)[1] == top_parity
                         else (clean.claim_b, clean.claim_a))
        span_a, span_b = differing_spans(first.text, second.text)  # side 0 is top.a's side
        # Articles in the dispute's own findings count fully, those that joined a side by entailment half.
        direct = {c.article for l in own for c in (l.claim_a, l.claim_b)}
        weight = top.score * math.log2(1 + len(direct) + 0.5 * len(taking - direct))
        found.append((weight, top.score, Dispute(
            id="", label=f"“{span_a}” vs “{span_b}”", score=round(top.score, 4),
            sides=(DisputeSide(side_articles[0], tuple(side_claims[0])),
                   DisputeSide(side_articles[1], tuple(side_claims[1]))),
            silent=quiet, findings=tuple(sorted(l.finding for l in own if l.finding is not None)),
            minority=minority)))
    found.sort(key=lambda t: (-t[0], -t[1], t[2].findings))
    return tuple(replace(d, id=f"D{k}") for k, (_, _, d) in enumerate(found, 1))
