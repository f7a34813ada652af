"""factcheck.tokens: pair templates and packed padding, pure, without models."""

from __future__ import annotations

import numpy as np
import pytest

from factcheck.tokens import PairTemplate, infer_template, pack, pad_rows


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
