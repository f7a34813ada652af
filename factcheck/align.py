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

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Candidate", "align", "align_copies", "count_possible_pairs", "lexical_candidates", "lexical_features",
           "representatives"]


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


def _check(embeddings, groups, parents, keys, top_k, max_per_claim) -> np.ndarray:
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
    return x


def _selections(x, gid, n_groups, rep, top_k, min_similarity, within, exclude, parents, block_size, max_per_claim):
    """Every selection ``(row, col, article, similarity)`` over representative rows.

    ``row`` picked ``col`` among the claims of ``article`` (so the pair is: a copy of ``row`` outside
    ``article`` with ``col``'s copy in it). ``row == col`` means the row's copy in that article took a
    place in its top-k, as it would uncollapsed.
    """
    n = x.shape[0]
    reps = np.flatnonzero(rep == np.arange(n))
    # A representative whose key also occurs in another article belongs to several articles.
    multi = np.zeros(n, dtype=bool)
    multi[rep[gid != gid[rep]]] = True
    position = np.full(n, -1, dtype=np.int64)
    position[reps] = np.arange(len(reps))
    # Columns (positions among representatives) that stand for each article's claims.
    members = [np.unique(position[rep[gid == g]]) for g in range(n_groups)]
    par = np.asarray(parents, dtype=np.int64) if parents is not None else None
    banned: dict[int, list[int]] = {}
    for a, b in exclude or ():
        a, b = int(rep[a]), int(rep[b])
        banned.setdefault(a, []).append(int(position[b]))
        banned.setdefault(b, []).append(int(position[a]))

    xr, gr, mr = x[reps], gid[reps], multi[reps]
    pr = par[reps] if par is not None else None
    out_r, out_c, out_g, out_s = [], [], [], []
    for start in range(0, len(reps), block_size):
        pos = np.arange(start, min(start + block_size, len(reps)))
        sims = xr[pos] @ xr.T  # (block, representatives)
        diagonal = (np.arange(len(pos)), pos)
        sims[diagonal] = np.where(mr[pos], np.inf, -np.inf)
        if within and pr is not None:
            # Only claims found in one and the same article (and nowhere else) share a sentence.
            same = (gr[pos][:, None] == gr[None, :]) & ~mr[pos][:, None] & ~mr[None, :]
            sims[same & (pr[pos][:, None] == pr[None, :])] = -np.inf
        for r, i in enumerate(reps[pos].tolist() if banned else ()):
            for other in banned.get(i, ()):
                sims[r, other] = -np.inf
        # A claim found only in article g does not look among g's claims (unless within).
        home = np.where(mr[pos], -1, gr[pos])
        rr, cc, gg = [], [], []
        for g, cols in enumerate(members):
            sub = sims[:, cols]
            if not within:
                sub[home == g] = -np.inf
            r_, c_ = np.nonzero(_selected(sub, top_k, min_similarity))
            rr.append(r_)
            cc.append(cols[c_])
            gg.append(np.full(len(r_), g, dtype=np.int64))
        rr, cc, gg = np.concatenate(rr), np.concatenate(cc), np.concatenate(gg)
        if max_per_claim is not None:
            chosen = np.zeros(sims.shape, dtype=bool)
            chosen[rr, cc] = True
            chosen[diagonal] = False
            crowded = np.flatnonzero(chosen.sum(axis=1) > max_per_claim)
            if crowded.size:
                chosen[crowded] &= _top_k_mask(np.where(chosen[crowded], sims[crowded], -np.inf), max_per_claim)
                keep = chosen[rr, cc] | (rr == cc - start)
                rr, cc, gg = rr[keep], cc[keep], gg[keep]
        out_r.append(reps[pos][rr])
        out_c.append(reps[cc])
        out_g.append(gg)
        out_s.append(sims[rr, cc])
    return (np.concatenate(out_r), np.concatenate(out_c), np.concatenate(out_g),
            np.concatenate(out_s).astype(np.float64))


def _sorted_unique(a: np.ndarray, b: np.ndarray, sim: np.ndarray, n: int) -> list[Candidate]:
    if a.size == 0:
        return []
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    # Best first, then by pair: the first row of each pair is its highest similarity.
    order = np.lexsort((hi, lo, -sim))
    lo, hi, sim = lo[order], hi[order], sim[order]
    _, first = np.unique(lo * n + hi, return_index=True)
    first.sort()
    return [Candidate(int(i), int(j), float(v)) for i, j, v in zip(lo[first], hi[first], sim[first])]


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
    pairs only ever name representatives, never two copies of one key (``align_copies`` gives the
    pairs of every copy). ``max_per_claim`` keeps, per claim, only its ``max_per_claim`` best
    selections over all other articles.
    """
    x = _check(embeddings, groups, parents, keys, top_k, max_per_claim)
    n = x.shape[0]
    if n < 2:
        return []
    gid, n_groups = _group_ids(groups)
    rep = representatives(keys) if keys is not None else np.arange(n)
    r, c, _, sim = _selections(x, gid, n_groups, rep, top_k, min_similarity, within, exclude, parents,
                               block_size, max_per_claim)
    real = r != c
    return _sorted_unique(r[real], c[real], sim[real], n)


def _pair_similarities(x: np.ndarray, lo: np.ndarray, hi: np.ndarray, block_size: int) -> np.ndarray:
    """Cosine of each (lo, hi) row pair, computed as ``align`` does without keys (same row blocks, the
    larger of the two directions), so copies tie and order as they would uncollapsed."""
    out = np.full(len(lo), -np.inf)
    for first, second in ((lo, hi), (hi, lo)):
        for start in range(0, x.shape[0], block_size):
            pick = np.flatnonzero((first >= start) & (first < start + block_size))
            if pick.size:
                block = x[start:start + block_size] @ x.T
                out[pick] = np.maximum(out[pick], block[first[pick] - start, second[pick]])
    return out.astype(np.float64)


# Up to this many copy pairs per representative pair, every pair the copies would give uncollapsed is
# listed; above it, each copy once, so the pairs of syndicated copy grow linearly with the copies.
FULL_EXPANSION = 64


def align_copies(
    embeddings: np.ndarray,
    groups: Sequence[str],
    keys: Sequence[object],
    top_k: int = 5,
    min_similarity: float = 0.55,
    within: bool = False,
    parents: Sequence[int] | None = None,
    block_size: int = 1024,
    max_per_claim: int | None = None,
) -> list[Candidate]:
    """``align`` with copies (rows sharing a key) aligned once, returning pairs of concrete rows.

    Each selection of the collapsed alignment becomes the pairs its copies would have given
    aligned one by one: for "u picked v among article g's claims", every copy of u outside g
    with v's copy in g (copies of one key pair up with each other the same way). Without copies
    this is exactly ``align``. When a representative pair stands for more than
    ``FULL_EXPANSION`` copy pairs, each copy is paired once instead (with a partner in another
    article), so 200 syndicated copies cost about 200 pairs, not 40,000. Sorted like ``align``.
    """
    x = _check(embeddings, groups, parents, keys, top_k, max_per_claim)
    n = x.shape[0]
    if n < 2:
        return []
    gid, n_groups = _group_ids(groups)
    rep = representatives(keys)
    par = np.asarray(parents, dtype=np.int64) if parents is not None else None
    r, c, g, _ = _selections(x, gid, n_groups, rep, top_k, min_similarity, within, None, parents,
                             block_size, max_per_claim)
    copies: dict[int, list[int]] = {}
    for i, k in enumerate(rep.tolist()):
        copies.setdefault(k, []).append(i)
    # Plain ints: the loops below compare one element at a time, where numpy scalars are slow.
    gid_list = gid.tolist()
    par_list = par.tolist() if par is not None else None

    def allowed(a: int, b: int) -> bool:
        if a == b:
            return False
        if gid_list[a] != gid_list[b]:
            return True
        return within and (par_list is None or par_list[a] != par_list[b])

    by_pair: dict[tuple[int, int], list[tuple[int, int, int]]] = {}
    for row, col, art in zip(r.tolist(), c.tolist(), g.tolist()):
        by_pair.setdefault((min(row, col), max(row, col)), []).append((row, col, art))
    found: set[tuple[int, int]] = set()
    for (u, v), picks in by_pair.items():
        size = sum(sum(gid_list[a] != art for a in copies[row]) * sum(gid_list[b] == art for b in copies[col])
                   for row, col, art in picks)
        if size <= FULL_EXPANSION:
            pairs = [(a, b) for row, col, art in picks for a in copies[row] if gid_list[a] != art or within
                     for b in copies[col] if gid_list[b] == art and allowed(a, b)]
        else:
            cu, cv = copies[u], copies[v]
            pairs = [(a, next((b for b in cv if allowed(a, b)), -1)) for a in cu]
            pairs += [(next((a for a in cu if allowed(a, b)), -1), b) for b in cv]
        found.update((min(a, b), max(a, b)) for a, b in pairs if a >= 0 and b >= 0)
    if not found:
        return []
    lo, hi = np.array(sorted(found)).T
    sim = _pair_similarities(x, lo, hi, block_size)
    order = np.lexsort((hi, lo, -sim))
    return [Candidate(i, j, v) for i, j, v in zip(lo[order].tolist(), hi[order].tolist(), sim[order].tolist())]


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


_ENTITY = re.compile(r"(?<!^)(?<![.!?]\s)\b(?:[A-Z][\w’'-]*[a-z][\w’'-]*|[A-Z]{2,})\b")
_MONTH = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December|"
                    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\b\.?")
_NUMBER = re.compile(r"\d")
_MONTHS = _MONTH.pattern.removeprefix(r"\b(?:").removesuffix(r")\b\.?")
_DAY_OF_MONTH = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:" + _MONTHS + r")\b|\b(?:" + _MONTHS + r")\.?\s+\d{1,2}(?:st|nd|rd|th)?\b")
_YEARISH = re.compile(r"\b(?:1[5-9]|20)\d\d\b")
_COMMON = frozenset("The A An This That These Those It He She They We I In On At For And But Or If As By Of To "
                    "Mr Mrs Ms Dr".split())


def lexical_features(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """What a claim is about and what kind of value it states: (entity words, value kinds).

    Entities are capitalised words and acronyms not opening the claim; value kinds are ``date``
    (a month or a year) and ``number`` (other digits).
    """
    entities = frozenset(m.group(0).strip("’'") for m in _ENTITY.finditer(text) if m.group(0) not in _COMMON
                         and not _MONTH.fullmatch(m.group(0)))
    kinds = set()
    if _MONTH.search(text) or _YEARISH.search(text):
        kinds.add("date")
    if _NUMBER.search(_YEARISH.sub("", _DAY_OF_MONTH.sub("", text))):
        kinds.add("number")
    return entities, frozenset(kinds)


def lexical_candidates(
    embeddings: np.ndarray,
    groups: Sequence[str],
    texts: Sequence[str],
    floor: float = 0.3,
    per_claim: int = 1,
    max_share: float = 0.2,
    exclude: set[tuple[int, int]] | None = None,
) -> list[Candidate]:
    """Pairs the cosine floor misses that name the same entity and state the same kind of value.

    Two claims of different articles sharing an entity word (one found in at most ``max_share`` of
    the claims, so "Russia" in a story about Russia does not count) and both stating a date, or
    both a number, are a candidate when their cosine reaches ``floor``: two passages giving
    different dates for the same campaign. Each claim keeps its ``per_claim`` most similar such
    partners, so the extra pairs grow with the claims, not their square. ``exclude`` holds pairs
    already chosen (``i < j``). Sorted like ``align``.
    """
    n = len(texts)
    if n < 2:
        return []
    x = _unit_rows(embeddings)
    feats = [lexical_features(t) for t in texts]
    index: dict[str, list[int]] = {}
    for i, (ents, kinds) in enumerate(feats):
        if kinds:
            for e in ents:
                index.setdefault(e, []).append(i)
    limit = max(2, int(max_share * n))
    gid, _ = _group_ids(groups)
    partners: dict[int, set[int]] = {}
    for members in index.values():
        if 2 <= len(members) <= limit:
            for i in members:
                partners.setdefault(i, set()).update(members)
    seen = exclude or set()
    found: dict[tuple[int, int], float] = {}
    for i, cands in partners.items():
        js = np.array(sorted(j for j in cands if gid[j] != gid[i] and feats[i][1] & feats[j][1]
                             and texts[i] != texts[j]), dtype=np.int64)
        if js.size == 0:
            continue
        sims = x[js] @ x[i]
        order = np.argsort(-sims, kind="stable")
        taken = 0
        for k in order:
            if sims[k] < floor or taken >= per_claim:
                break
            pair = (min(i, int(js[k])), max(i, int(js[k])))
            if pair not in seen:
                found[pair] = max(found.get(pair, -1.0), float(sims[k]))
            taken += 1
    return sorted((Candidate(i, j, s) for (i, j), s in found.items()), key=lambda c: (-c.similarity, c.i, c.j))
