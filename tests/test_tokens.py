"""factcheck.runtime.tokens: pair templates and packed padding, pure, without models."""

from __future__ import annotations

import numpy as np
import pytest

from factcheck.runtime.tokens import PairTemplate, gather_segments, infer_template, join_pairs, pack, pad_rows, replace_rows


def test_bert_template_is_read_off_one_pair() -> None:
    t = infer_template([101, 7, 8, 102, 9, 102], [0, 0, 0, 0, 1, 1], [7, 8], [9])
    assert t == PairTemplate((101,), (102,), (102,), (0,), (0,), (1,), 0, 1)
    assert t.join([1, 2, 3], [4]) == [101, 1, 2, 3, 102, 4, 102]
    assert t.join_types(3, 1) == [0, 0, 0, 0, 0, 1, 1]
    assert t.special == 3


def test_roberta_template_has_a_double_separator_and_no_types() -> None:
    t = infer_template([0, 5, 2, 2, 6, 7, 2], None, [5], [6, 7])
    assert (t.prefix, t.mid, t.suffix) == ((0,), (2, 2), (2,))
    assert t.join([9], [9]) == [0, 9, 2, 2, 9, 2]


@pytest.mark.parametrize("pair, types, a, b", [
    ([101, 7, 8, 102, 9, 102], None, [7, 3], [9]),       # A changed inside the pair (context-dependent)
    ([101, 9, 102, 7, 8, 102], None, [7, 8], [9]),       # B before A
    ([101, 7, 8, 102, 9, 102], [0, 0, 1, 0, 1, 1], [7, 8], [9]),  # A's types not constant
    ([101, 102], None, [], [9]),                          # empty side: nothing to locate
])
def test_no_template_when_the_pair_is_not_its_parts(pair, types, a, b) -> None:
    assert infer_template(pair, types, a, b) is None


def test_pack_and_pad_rows_right_and_left() -> None:
    rows = [[1, 2, 3], [4], [5, 6]]
    flat, offsets = pack(rows)
    assert flat.tolist() == [1, 2, 3, 4, 5, 6] and offsets.tolist() == [0, 3, 4]
    lengths = np.array([3, 1, 2])
    values, mask = pad_rows(flat, offsets, lengths, [2, 1], pad=0)
    assert values.tolist() == [[5, 6], [4, 0]] and mask.tolist() == [[1, 1], [1, 0]]
    values, mask = pad_rows(flat, offsets, lengths, [1, 0], pad=-1, left=True)
    assert values.tolist() == [[-1, -1, 4], [1, 2, 3]] and mask.tolist() == [[0, 0, 1], [1, 1, 1]]


def test_pack_of_nothing() -> None:
    flat, offsets = pack([])
    assert flat.size == 0 and offsets.size == 0


def test_gather_segments() -> None:
    pool = np.arange(10) * 10
    assert gather_segments(pool, np.array([3, 0, 7]), np.array([2, 0, 3])).tolist() == [30, 40, 70, 80, 90]
    assert gather_segments(pool, np.array([1]), np.array([0])).size == 0


def test_join_pairs_equals_joining_row_by_row() -> None:
    t = PairTemplate((101,), (102,), (102,), (0,), (0,), (1,), 0, 1)
    texts = [[7, 8], [9], [4, 5, 6], []]
    flat, offsets = pack(texts)
    lengths = np.array([len(x) for x in texts])
    a, b = np.array([0, 2, 1, 3, 0]), np.array([1, 0, 2, 0, 3])
    ids, types, offs, lens = join_pairs(t, flat, offsets, lengths, a, b)
    rows = [t.join(texts[i], texts[j]) for i, j in zip(a, b)]
    assert lens.tolist() == [len(r) for r in rows]
    assert [ids[o:o + n].tolist() for o, n in zip(offs, lens)] == rows
    assert [types[o:o + n].tolist() for o, n in zip(offs, lens)] == [t.join_types(len(texts[i]), len(texts[j]))
                                                                      for i, j in zip(a, b)]
    assert join_pairs(t, flat, offsets, lengths, a, b, types=False)[1] is None


def test_replace_rows() -> None:
    flat, offsets = pack([[1, 2], [3, 4, 5], [6]])
    lengths = np.array([2, 3, 1])
    out, offs, lens = replace_rows(flat, offsets, lengths, [1], [[9, 9]])
    assert [out[o:o + n].tolist() for o, n in zip(offs, lens)] == [[1, 2], [9, 9], [6]]
    assert replace_rows(flat, offsets, lengths, [], [])[0] is flat


def test_bucket_batches_never_mix_padded_widths() -> None:
    from factcheck.runtime.tokens import bucket_batches, bucket_width

    lengths = [3, 17, 9, 16, 8, 1, 24, 25, 16, 9]
    batches = bucket_batches(lengths, batch_size=2, step=8)
    assert sorted(i for b in batches for i in b.tolist()) == list(range(len(lengths)))
    assert all(len(b) <= 2 for b in batches)
    widths = [{bucket_width(lengths[i], 8) for i in b} for b in batches]
    assert all(len(w) == 1 for w in widths)
    assert [b.tolist() for b in batches] == [[7], [6, 1], [3, 8], [2, 9], [4, 0], [5]]  # longest first, stable
    assert [w.pop() for w in widths] == [32, 24, 16, 16, 8, 8]
    with pytest.raises(ValueError):
        bucket_batches(lengths, 0)


def test_pad_rows_to_a_given_width() -> None:
    flat, offsets = pack([[5, 6, 7], [8]])
    lengths = np.array([3, 1])
    values, mask = pad_rows(flat, offsets, lengths, [1, 0], pad=0, width=8)
    assert values.tolist() == [[8, 0, 0, 0, 0, 0, 0, 0], [5, 6, 7, 0, 0, 0, 0, 0]]
    assert mask.sum(axis=1).tolist() == [1, 3]
    with pytest.raises(ValueError, match="shorter"):
        pad_rows(flat, offsets, lengths, [0], pad=0, width=2)
