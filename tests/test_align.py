"""align / count_possible_pairs: pure numpy, hand-made embedding matrices with exact expected pairs."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from factcheck.align import Candidate, align, count_possible_pairs


def unit(*rows: list[float]) -> np.ndarray:
    x = np.array(rows, dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def pairs(cands: list[Candidate]) -> list[tuple[int, int]]:
    return [(c.i, c.j) for c in cands]


# Two articles, A = rows 0-2, B = rows 3-5. 0~3 identical, 1~4 close, 2 and 5 unrelated to all.
X = unit(
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [1, 0, 0, 0],
    [0, 0.9, 0.1, 0],
    [0, 0, 0, 1],
)
G = ["A", "A", "A", "B", "B", "B"]


def test_cross_article_pairs_with_floor_sorted_by_similarity() -> None:
    out = align(X, G, top_k=5, min_similarity=0.5)
    assert pairs(out) == [(0, 3), (1, 4)]
    assert out[0].similarity == pytest.approx(1.0)
    assert out[1].similarity == pytest.approx(0.9 / np.hypot(0.9, 0.1))
    assert all(isinstance(c.similarity, float) for c in out)


def test_floor_is_inclusive_and_filters() -> None:
    sim_14 = float(X[1] @ X[4])
    assert pairs(align(X, G, min_similarity=sim_14)) == [(0, 3), (1, 4)]
    assert pairs(align(X, G, min_similarity=sim_14 + 1e-4)) == [(0, 3)]
    # Row 2 vs row 4 has similarity 0.11: present with a floor below it.
    assert (2, 4) in pairs(align(X, G, top_k=1, min_similarity=0.1))


def test_same_article_only_with_within() -> None:
    y = unit([1, 0], [1, 0.01], [0, 1], [0.01, 1])
    g = ["A", "A", "B", "B"]
    assert pairs(align(y, g, min_similarity=0.9)) == []
    out = align(y, g, min_similarity=0.9, within=True)
    assert sorted(pairs(out)) == [(0, 1), (2, 3)]


def test_never_a_claim_with_itself_even_when_duplicated() -> None:
    y = unit([1, 0], [1, 0])
    assert pairs(align(y, ["A", "A"], within=True, min_similarity=0.0)) == [(0, 1)]
    assert all(c.i != c.j for c in align(X, ["A"] * 6, within=True, min_similarity=-1.0))


def test_parents_keep_a_clause_from_its_own_sentence() -> None:
    # Rows 0 (sentence) and 1 (its clause) share parent 0; row 2 is another sentence of A.
    y = unit([1, 0, 0], [0.95, 0.05, 0], [0.9, 0.1, 0], [0, 0, 1])
    g = ["A", "A", "A", "B"]
    out = align(y, g, within=True, parents=[0, 0, 1, 0], min_similarity=0.5)
    assert sorted(pairs(out)) == [(0, 2), (1, 2)]
    # Parents only matter inside one article: B's row with parent 0 may still pair with A.
    z = unit([1, 0], [1, 0.01])
    assert pairs(align(z, ["A", "B"], parents=[0, 0], min_similarity=0.5)) == [(0, 1)]


def test_exclude_pairs_in_either_order() -> None:
    assert pairs(align(X, G, min_similarity=0.5, exclude={(3, 0)})) == [(1, 4)]
    assert pairs(align(X, G, min_similarity=0.5, exclude={(1, 4), (0, 3)})) == []


def test_top_k_is_per_other_article() -> None:
    # Query 0 in A; B and C each have three claims at similarities 0.9 > 0.8 > 0.7 to it.
    rows = [[1.0, 0.0, 0.0]]
    groups = ["A"]
    for g in ("B", "C"):
        for s in (0.9, 0.8, 0.7):
            other = np.sqrt(1 - s * s)
            rows.append([s, other, 0.0] if g == "B" else [s, 0.0, other])
            groups.append(g)
    # Each B/C claim gets an identical twin in A, so none of them picks the query itself.
    rows += rows[1:]
    groups += ["A"] * 6
    y = np.array(rows, dtype=np.float32)
    from_query = lambda k: sorted(p for p in pairs(align(y, groups, top_k=k, min_similarity=0.65)) if 0 in p)  # noqa: E731
    # The best of B (row 1) and the best of C (row 4); not B's second best though it beats C's third.
    assert from_query(1) == [(0, 1), (0, 4)]
    assert from_query(2) == [(0, 1), (0, 2), (0, 4), (0, 5)]


def test_pairs_are_the_union_of_both_directions() -> None:
    # A0's best B-neighbour is B2, but B3's best A-neighbour is A0: (0, 3) comes from B3's side.
    y = unit([1, 0], [0, 1], [1, 0], [0.9, np.sqrt(1 - 0.81)])
    g = ["A", "A", "B", "B"]
    out = align(y, g, top_k=1, min_similarity=0.0)
    assert pairs(out) == [(0, 2), (0, 3), (1, 3)]


def test_ties_go_to_the_lowest_index_deterministically() -> None:
    y = unit([1, 0], [1, 0], [1, 0], [1, 0])
    g = ["A", "B", "B", "B"]
    out = align(y, g, top_k=1, min_similarity=0.5)
    # 0 picks 1 (lowest of three ties); 1, 2 and 3 each pick 0.
    assert pairs(out) == [(0, 1), (0, 2), (0, 3)]


def _reference(x: np.ndarray, groups: list[str], top_k: int, floor: float, within: bool) -> set[tuple[int, int]]:
    """Brute force: for each i and each group, the top_k (ties: lowest index) js at or above floor."""
    n = len(groups)
    s = x @ x.T
    out = set()
    for i in range(n):
        for g in sorted(set(groups)):
            if g == groups[i] and not within:
                continue
            cands = [j for j in range(n) if groups[j] == g and j != i and s[i, j] >= floor]
            cands.sort(key=lambda j: (-s[i, j], j))
            out.update((min(i, j), max(i, j)) for j in cands[:top_k])
    return out


@pytest.mark.parametrize("within", [False, True])
@pytest.mark.parametrize("block_size", [1, 7, 1024])
def test_matches_brute_force_and_block_size_does_not_matter(within: bool, block_size: int) -> None:
    rng = np.random.default_rng(3)
    # Clusters of near-duplicates (exact ties are covered above: blocked matrix products may
    # differ in the last bit, so near-exact ties could break either way).
    base = rng.standard_normal((6, 8))
    x = (base[rng.integers(0, 6, 40)] + 0.3 * rng.standard_normal((40, 8))).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    groups = [f"g{k}" for k in rng.integers(0, 4, 40)]
    out = align(x, groups, top_k=3, min_similarity=0.3, within=within, block_size=block_size)
    assert set(pairs(out)) == _reference(x, groups, 3, 0.3, within)
    assert len(pairs(out)) == len(set(pairs(out)))
    assert all(c.i < c.j for c in out)
    sims = [c.similarity for c in out]
    assert sims == sorted(sims, reverse=True)


def test_embeddings_are_normalised_inside() -> None:
    assert pairs(align(X * 7.5, G, min_similarity=0.5)) == [(0, 3), (1, 4)]


def test_small_and_bad_inputs() -> None:
    assert align(np.zeros((0, 4), dtype=np.float32), []) == []
    assert align(unit([1, 0]), ["A"]) == []
    with pytest.raises(ValueError, match="2-D"):
        align(np.ones(4), ["A"] * 4)
    with pytest.raises(ValueError, match="groups"):
        align(X, G[:-1])
    with pytest.raises(ValueError, match="top_k"):
        align(X, G, top_k=0)
    with pytest.raises(ValueError, match="parents"):
        align(X, G, parents=[0])


def test_count_possible_pairs() -> None:
    groups = ["A"] * 3 + ["B"] * 2 + ["C"]
    n = len(groups)
    brute_cross = sum(1 for i, j in itertools.combinations(range(n), 2) if groups[i] != groups[j])
    assert count_possible_pairs(groups) == brute_cross == 11
    assert count_possible_pairs(groups, within=True) == 15
    parents = [0, 0, 1, 0, 1, 0]
    assert count_possible_pairs(groups, within=True, parents=parents) == 14
    assert count_possible_pairs([]) == 0


# --- duplicates collapse onto one representative; a global cap per claim --------------------


def test_keys_collapse_copies_onto_their_first_row() -> None:
    # Articles A, B, C each carry the same claim (rows 0, 2, 4); D has a near claim (row 6).
    y = unit([1, 0, 0], [0, 1, 0], [1, 0, 0], [0, 1, 0], [1, 0, 0], [0, 0, 1], [0.95, 0.05, 0])
    g = ["A", "A", "B", "B", "C", "C", "D"]
    keys = ["x", "y", "x", "y", "x", "z", "w"]
    out = align(y, g, min_similarity=0.5, keys=keys)
    # Only representatives (0, 1, 5, 6) appear; copies of one key are never paired together.
    assert pairs(out) == [(0, 6)]
    plain = align(y, g, min_similarity=0.5)
    assert len(plain) > len(out)


def test_copies_in_several_articles_still_pair_within_their_first_article() -> None:
    # Row 0 (A) and row 1 (A) differ; row 1's text also appears in B (row 2). 0-1 is a cross pair via B.
    y = unit([1, 0], [0.9, 0.1], [0.9, 0.1])
    assert pairs(align(y, ["A", "A", "B"], min_similarity=0.5, keys=["p", "q", "q"])) == [(0, 1)]
    assert pairs(align(y, ["A", "A", "B"], min_similarity=0.5, keys=["p", "q", "r"])) == [(1, 2), (0, 2)]


def test_keys_equal_to_rows_change_nothing() -> None:
    rng = np.random.default_rng(3)
    y = rng.normal(size=(40, 8))
    g = [f"a{i % 5}" for i in range(40)]
    assert align(y, g, top_k=2, min_similarity=0.0) == align(y, g, top_k=2, min_similarity=0.0, keys=list(range(40)))


def test_max_per_claim_caps_pairs_per_claim() -> None:
    rng = np.random.default_rng(0)
    n_articles, per = 100, 5
    base = rng.normal(size=(per, 16))
    y = np.concatenate([base + 0.3 * rng.normal(size=(per, 16)) for _ in range(n_articles)])
    g = [f"a{k // per}" for k in range(len(y))]
    capped = align(y, g, top_k=3, min_similarity=0.0, max_per_claim=10)
    uncapped = align(y, g, top_k=3, min_similarity=0.0)
    assert len(capped) <= 10 * len(y)
    assert len(uncapped) > 10 * len(y)
    # The cap keeps each claim's best: every capped pair is also an uncapped pair.
    assert set(pairs(capped)) <= set(pairs(uncapped))


def test_max_per_claim_that_does_not_bind_changes_nothing() -> None:
    assert align(X, G, top_k=5, min_similarity=0.0, max_per_claim=3) == align(X, G, top_k=5, min_similarity=0.0)


def test_two_hundred_copies_cost_what_two_do() -> None:
    article = unit([1, 0, 0, 0], [0, 1, 0, 0], [0, 0.7, 0.7, 0], [0, 0, 0, 1])
    keys = ["s0", "s1", "s2", "s3"]
    def run(copies: int) -> list[Candidate]:
        y = np.tile(article, (copies, 1))
        g = [f"c{k // 4}" for k in range(len(y))]
        return align(y, g, min_similarity=0.5, keys=keys * copies)
    assert pairs(run(200)) == pairs(run(2)) == [(1, 2)]


def test_a_copy_still_takes_its_place_in_the_top_k() -> None:
    # Uncollapsed, row 0's copy in B (row 2) is B's best match and takes one of top_k=2 places,
    # leaving room for row 3 only; collapsed, the same pairs come out (minus the copy pair).
    y = unit([1, 0, 0], [0, 0, 1], [1, 0, 0], [0.9, 0.1, 0], [0.8, 0.2, 0])
    g = ["A", "A", "B", "B", "B"]
    plain = pairs(align(y, g, top_k=2, min_similarity=0.5))
    collapsed = pairs(align(y, g, top_k=2, min_similarity=0.5, keys=["x", "y", "x", "p", "q"]))
    assert (0, 2) in plain
    assert collapsed == [p for p in plain if p != (0, 2)]


def test_align_copies_gives_back_what_aligning_every_copy_gives() -> None:
    from factcheck.align import align_copies

    # A and B carry the same claim (rows 0, 2); C has a near claim (row 4) and an unrelated one.
    y = unit([1, 0, 0], [0, 1, 0], [1, 0, 0], [0, 0, 1], [0.95, 0.05, 0], [0, 0.2, 1])
    g = ["A", "A", "B", "B", "C", "C"]
    keys = ["x", "y", "x", "z", "w", "v"]
    for k in (1, 2, 3):
        assert pairs(align_copies(y, g, keys, top_k=k, min_similarity=0.0)) == pairs(align(y, g, top_k=k, min_similarity=0.0))


def test_align_copies_per_article_competition_is_kept() -> None:
    from factcheck.align import align_copies

    # Row 4 (C) is near the shared claim; in A the shared claim (row 0) loses to row 1 for top_k=1,
    # in B its copy (row 2) wins: uncollapsed, only (2, 4) is a pair, and so it must stay.
    y = unit([1, 0, 0], [0.99, 0.01, 0], [1, 0, 0], [0, 0, 1], [0.995, 0.005, 0])
    g = ["A", "A", "B", "B", "C"]
    keys = ["x", "p", "x", "q", "r"]
    plain = pairs(align(y, g, top_k=1, min_similarity=0.5))
    assert (2, 4) in plain
    assert pairs(align_copies(y, g, keys, top_k=1, min_similarity=0.5)) == plain


def test_align_copies_stays_linear_for_many_copies() -> None:
    from factcheck.align import align_copies

    copies = 200
    article = unit([1, 0, 0], [0, 1, 0.2])
    other = unit([0.9, 0.1, 0])
    y = np.concatenate([np.tile(article, (copies, 1)), other])
    g = [f"c{k // 2}" for k in range(2 * copies)] + ["dissent"]
    keys = ["s0", "s1"] * copies + ["d"]
    assert pairs(align(y, g, min_similarity=0.5, keys=keys)) == [(0, 2 * copies)]
    found = align_copies(y, g, keys, min_similarity=0.5)
    # Every copy of s0 meets the dissenting article once, and each copy is linked to another copy.
    assert sum(1 for c in found if c.j == 2 * copies) == copies
    assert len(found) <= 3 * 2 * copies


def test_lexical_pairs_find_the_same_entity_and_attribute_below_the_cosine_floor():
    from factcheck.align import lexical_candidates, lexical_features

    texts = ["The Gallipoli campaign began on 17 February 1915.",     # a
             "Allied troops landed on the peninsula in April 1915, starting the Gallipoli campaign.",  # b
             "Allied troops were praised for their courage.",         # b: no value
             "The weather in Gallipoli was cold."]                    # c: no value
    groups = ["a", "b", "b", "c"]
    # Cosines below the usual 0.55 floor, above the lexical floor.
    emb = np.array([[1.0, 0.0], [0.4, 0.92], [0.45, 0.89], [0.5, 0.87]])
    assert lexical_features(texts[0]) == (frozenset({"Gallipoli"}), frozenset({"date"}))
    got = lexical_candidates(emb, groups, texts, floor=0.3)
    assert [(c.i, c.j) for c in got] == [(0, 1)]
    assert got[0].similarity == pytest.approx(0.4 / np.hypot(0.4, 0.92), abs=1e-6)
    assert lexical_candidates(emb, groups, texts, floor=0.5) == []
    assert lexical_candidates(emb, groups, texts, floor=0.3, exclude={(0, 1)}) == []


def test_lexical_pairs_grow_linearly_and_ignore_entities_every_claim_names():
    from factcheck.align import lexical_candidates

    n = 200
    texts = [f"Russia said {k} soldiers of unit Kilo{k % 20} moved." for k in range(n)]
    groups = [str(k % 10) for k in range(n)]
    emb = np.random.default_rng(0).normal(size=(n, 8))
    got = lexical_candidates(emb, groups, texts, floor=-1.0)
    assert len(got) <= n  # one partner per claim at most
    # "Russia" is in every claim: too common to pair on; "Kilo7" is shared by ten claims.
    assert all(texts[c.i].split()[-2] == texts[c.j].split()[-2] for c in got)
