"""Stage 3b: pick which claim pairs go to NLI, from their embeddings alone (numpy, no model).

For every claim ``i`` and every other article, the ``top_k`` most similar claims of that article
whose cosine similarity reaches ``min_similarity`` become candidates; the union is deduplicated
into unordered pairs ``i < j`` and sorted by similarity (highest first). Taking neighbours per
article, not over all claims, keeps one long or repetitive article from crowding out the rest.

Cost grows with claims, not with articles squared:
- ``keys``: rows with the same key (e.g. the same normalised text: syndicated copy) are one claim.
  Only the first row of each key (its representative) is aligned; a representative may pair with
  any article one of its copies is in. The caller reports the finding for every copy.
- ``max_per_claim``: a global cap, the best ``max_per_claim`` selections of each claim over all
  other articles, so a large cluster scores about ``max_per_claim`` pairs per claim at most.

Memory: similarities are computed ``block_size`` rows at a time, so peak extra memory is about
``block_size * n * 5`` bytes (1024 rows x 10,000 claims = 50 MB), never a dense n x n matrix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Candidate", "align", "count_possible_pairs", "expand_copies", "representatives"]


@dataclass(frozen=True)
class Candidate:
    """An unordered claim pair (``i < j``, indices into the embedding rows) and its cosine similarity."""

    i: int
    j: int
    similarity: float


def _group_ids(groups: Sequence[str]) -> tuple[np.ndarray, int]:
    names: dict[str, int] = {}
    ids = np.fromiter((names.setdefault(g, len(names)) for g in groups), dtype=np.int64, count=len(groups))
    return ids, len(names)


def _unit_rows(embeddings: np.ndarray) -> np.ndarray:
    x = np.asarray(embeddings, dtype=np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), np.float32(1e-12))


def _top_k_mask(scores: np.ndarray, k: int) -> np.ndarray:
    """Boolean mask of each row's ``k`` highest scores; ties at the cut go to the lowest columns."""
    if scores.shape[1] <= k:
        return np.ones(scores.shape, dtype=bool)
    kth = -np.partition(-scores, k - 1, axis=1)[:, k - 1 : k]
    above = scores > kth
    at = scores == kth
    room = k - above.sum(axis=1, keepdims=True)
    crowded = np.flatnonzero(at.sum(axis=1, keepdims=True)[:, 0] > room[:, 0])
    if crowded.size:
        at[crowded] &= np.cumsum(at[crowded], axis=1) <= room[crowded]
    return above | at


def _selected(scores: np.ndarray, k: int, floor: float) -> np.ndarray:
    """Mask of each row's top ``k`` scores among those at or above ``floor``."""
    keep = scores >= floor
    heavy = np.flatnonzero(keep.sum(axis=1) > k)
    if heavy.size:
        keep[heavy] = _top_k_mask(np.where(keep[heavy], scores[heavy], -np.inf), k)
    return keep


def representatives(keys: Sequence[object]) -> np.ndarray:
    """``rep[i]``: the first row whose key equals ``keys[i]`` (``rep[i] == i`` for representatives)."""
    first: dict[object, int] = {}
    return np.fromiter((first.setdefault(k, i) for i, k in enumerate(keys)), dtype=np.int64, count=len(keys))


def align(
    embeddings: np.ndarray,
    groups: Sequence[str],
    top_k: int = 5,
    min_similarity: float = 0.55,
    within: bool = False,
    exclude: set[tuple[int, int]] | None = None,
    parents: Sequence[int] | None = None,
    block_size: int = 1024,
    keys: Sequence[object] | None = None,
    max_per_claim: int | None = None,
) -> list[Candidate]:
    """Candidate pairs of rows of ``embeddings`` (one row per claim, ``groups[i]`` its article).

    Pairs join claims of different articles; with ``within`` also claims of the same article.
    A claim is never paired with itself, nor with a claim of the same article that has the same
    ``parents`` value (a clause and its own sentence, or two clauses of one sentence), nor as any
    pair in ``exclude`` (either order). Rows are L2-normalised here, so cosine = dot product.
    Ties at the top-k cut go to the lower index (similarities equal only up to float rounding
    may fall either way).

    With ``keys``, rows sharing a key are collapsed onto their first row (``representatives``):
    pairs only ever name representatives, never two copies of one key. A representative with
    copies in several articles counts as a member of each of them. ``max_per_claim`` keeps, per
    claim, only its ``max_per_claim`` best selections over all other articles.
    """
    if np.ndim(embeddings) != 2:
        raise ValueError(f"embeddings must be a 2-D array, got shape {np.shape(embeddings)}")
    x = _unit_rows(embeddings)
    n = x.shape[0]
    if len(groups) != n:
        raise ValueError(f"{len(groups)} groups for {n} embedding rows")
    if parents is not None and len(parents) != n:
        raise ValueError(f"{len(parents)} parents for {n} embedding rows")
    if keys is not None and len(keys) != n:
        raise ValueError(f"{len(keys)} keys for {n} embedding rows")
    if top_k < 1:
        raise ValueError(f"top_k must be at least 1, got {top_k}")
    if max_per_claim is not None and max_per_claim < 1:
        raise ValueError(f"max_per_claim must be at least 1, got {max_per_claim}")
    if n < 2:
        return []

    gid, n_groups = _group_ids(groups)
    rep = representatives(keys) if keys is not None else np.arange(n)
    reps = np.flatnonzero(rep == np.arange(n))
    # A representative whose key also occurs in another article belongs to several articles.
    multi = np.zeros(n, dtype=bool)
    multi[rep[gid != gid[rep]]] = True
    position = np.full(n, -1, dtype=np.int64)
    position[reps] = np.arange(len(reps))
    # Columns (positions among representatives) that count as members of each article.
    members = [np.unique(position[rep[gid == g]]) for g in range(n_groups)]
    par = np.asarray(parents, dtype=np.int64) if parents is not None else None
    banned: dict[int, list[int]] = {}
    for a, b in exclude or ():
        a, b = int(rep[a]), int(rep[b])
        banned.setdefault(a, []).append(int(position[b]))
        banned.setdefault(b, []).append(int(position[a]))

    xr, gr, mr = x[reps], gid[reps], multi[reps]
    pr = par[reps] if par is not None else None
    found_i: list[np.ndarray] = []
    found_j: list[np.ndarray] = []
    found_s: list[np.ndarray] = []
    for start in range(0, len(reps), block_size):
        pos = np.arange(start, min(start + block_size, len(reps)))
        rows = reps[pos]
        sims = xr[pos] @ xr.T  # (block, representatives)
        diagonal = (np.arange(len(pos)), pos)
        # A copy in another article takes one of that article's top-k places, as it would uncollapsed;
        # the pair with itself is dropped after selection.
        sims[diagonal] = np.where(mr[pos], np.inf, -np.inf)
        if within and pr is not None:
            # Only claims found in one and the same article (and nowhere else) share a sentence.
            same = (gr[pos][:, None] == gr[None, :]) & ~mr[pos][:, None] & ~mr[None, :]
            sims[same & (pr[pos][:, None] == pr[None, :])] = -np.inf
        for r, i in enumerate(rows.tolist() if banned else ()):
            for other in banned.get(i, ()):
                sims[r, other] = -np.inf
        chosen = np.zeros(sims.shape, dtype=bool)
        # Article g's columns stand for the copies in g: a claim found only in g does not look there.
        home = np.where(mr[pos], -1, gr[pos])
        for g, cols in enumerate(members):
            sub = sims[:, cols]
            if not within:
                sub[home == g] = -np.inf
            chosen[:, cols] |= _selected(sub, top_k, min_similarity)
        chosen[diagonal] = False
        if max_per_claim is not None:
            crowded = np.flatnonzero(chosen.sum(axis=1) > max_per_claim)
            if crowded.size:
                chosen[crowded] &= _top_k_mask(np.where(chosen[crowded], sims[crowded], -np.inf), max_per_claim)
        rr, cc = np.nonzero(chosen)
        found_i.append(rows[rr])
        found_j.append(reps[cc])
        found_s.append(sims[rr, cc])
    if not found_i:
        return []
    a, b = np.concatenate(found_i), np.concatenate(found_j)
    sim = np.concatenate(found_s).astype(np.float64)
    if a.size == 0:
        return []
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    # Best first, then by pair: the first row of each pair is its highest similarity.
    order = np.lexsort((hi, lo, -sim))
    lo, hi, sim = lo[order], hi[order], sim[order]
    _, first = np.unique(lo * n + hi, return_index=True)
    first.sort()
    return [Candidate(int(i), int(j), float(v)) for i, j, v in zip(lo[first], hi[first], sim[first])]


def _pair_similarities(x: np.ndarray, lo: np.ndarray, hi: np.ndarray, block_size: int) -> np.ndarray:
    """Cosine of each (lo, hi) row pair, computed as ``align`` does without keys (same row blocks, the
    larger of the two directions), so copies tie and order exactly as they would uncollapsed."""
    out = np.full(len(lo), -np.inf)
    for first, second in ((lo, hi), (hi, lo)):
        for start in range(0, x.shape[0], block_size):
            pick = np.flatnonzero((first >= start) & (first < start + block_size))
            if pick.size:
                block = x[start:start + block_size] @ x.T
                out[pick] = np.maximum(out[pick], block[first[pick] - start, second[pick]])
    return out.astype(np.float64)


# Up to this many copy pairs per representative pair, every pair of copies is listed (what aligning
# the copies one by one gives); above it, each copy once, so output stays linear in the copies.
FULL_EXPANSION = 64


def expand_copies(
    candidates: Sequence[Candidate],
    embeddings: np.ndarray,
    groups: Sequence[str],
    keys: Sequence[object],
    within: bool = False,
    parents: Sequence[int] | None = None,
    block_size: int = 1024,
) -> list[Candidate]:
    """Turn representative pairs from ``align(keys=...)`` back into pairs of concrete rows.

    Each pair (u, v) becomes pairs of u's and v's copies in allowed article pairs (as ``align``
    allows them); copies of one key are paired with each other too (they agree by wording). Up to
    ``FULL_EXPANSION`` copy pairs, all of them; above, every copy once (with the first allowed
    partner), so 200 syndicated copies give about 200 pairs, not 20,000. Sorted like ``align``.
    """
    rep = representatives(keys)
    n = len(rep)
    if n == 0:
        return []
    x = _unit_rows(embeddings)
    gid, _ = _group_ids(groups)
    par = np.asarray(parents, dtype=np.int64) if parents is not None else None
    copies: dict[int, list[int]] = {}
    for i, r in enumerate(rep.tolist()):
        copies.setdefault(r, []).append(i)

    def allowed(a: int, b: int) -> bool:
        if a == b:
            return False
        if gid[a] != gid[b]:
            return True
        return within and (par is None or par[a] != par[b])

    def between(cu: list[int], cv: list[int]) -> list[tuple[int, int]]:
        if len(cu) * len(cv) <= FULL_EXPANSION:
            return [(a, b) for a in cu for b in cv if allowed(a, b)]
        out = [(a, next((b for b in cv if allowed(a, b)), -1)) for a in cu]
        out += [(next((a for a in cu if allowed(a, b)), -1), b) for b in cv]
        return [(a, b) for a, b in out if a >= 0 and b >= 0]

    found: set[tuple[int, int]] = set()
    for c in candidates:
        for a, b in between(copies[c.i], copies[c.j]):
            found.add((min(a, b), max(a, b)))
    for cs in copies.values():
        if len(cs) < 2:
            continue
        if len(cs) * (len(cs) - 1) // 2 <= FULL_EXPANSION:
            same = [(a, b) for k, a in enumerate(cs) for b in cs[k + 1:] if allowed(a, b)]
        else:
            same = [(a, next((b for b in cs if allowed(a, b)), -1)) for a in cs]
        found.update((min(a, b), max(a, b)) for a, b in same if b >= 0)
    if not found:
        return []
    lo, hi = np.array(sorted(found)).T
    sim = _pair_similarities(x, lo, hi, block_size)
    order = np.lexsort((hi, lo, -sim))
    return [Candidate(int(lo[k]), int(hi[k]), float(sim[k])) for k in order]


def count_possible_pairs(groups: Sequence[str], within: bool = False, parents: Sequence[int] | None = None) -> int:
    """How many unordered pairs ``align`` could consider: the all-pairs baseline to report against.

    Cross-article pairs, plus same-article pairs with ``within`` (minus same-``parents`` pairs).
    """
    n = len(groups)
    total = n * (n - 1) // 2
    gid, n_groups = _group_ids(groups)
    same_group = sum(int(c) * (int(c) - 1) // 2 for c in np.bincount(gid, minlength=n_groups))
    if not within:
        return total - same_group
    if parents is None:
        return total
    keys: dict[tuple[int, int], int] = {}
    for g, p in zip(gid.tolist(), parents):
        keys[(g, int(p))] = keys.get((g, int(p)), 0) + 1
    return total - sum(c * (c - 1) // 2 for c in keys.values())
