"""run_batched: length sorting, batch sizes, order restored, arrays vs lists."""

from __future__ import annotations

import numpy as np
import pytest

from factcheck.runtime.batching import run_batched


def test_batches_are_sorted_longest_first_and_order_is_restored() -> None:
    items = ["bb", "a", "dddd", "ccc", "eeeee", "f"]
    seen: list[list[str]] = []

    def fn(batch: list[str]) -> list[str]:
        seen.append(batch)
        return [s.upper() for s in batch]

    out = run_batched(items, fn, batch_size=2)
    assert out == [s.upper() for s in items]
    assert seen == [["eeeee", "dddd"], ["ccc", "bb"], ["a", "f"]]  # ties keep input order


def test_array_results_are_concatenated_in_input_order() -> None:
    items = [np.arange(n) for n in (3, 1, 4, 1, 5, 9, 2)]
    out = run_batched(items, lambda b: np.stack([[len(x), x.sum()] for x in b]), batch_size=3)
    assert isinstance(out, np.ndarray)
    np.testing.assert_array_equal(out, [[len(x), x.sum()] for x in items])


def test_batch_sizes_and_progress() -> None:
    sizes: list[int] = []
    progress: list[int] = []
    run_batched([str(i) for i in range(10)], lambda b: (sizes.append(len(b)), b)[1], batch_size=4, progress=progress.append)
    assert sizes == [4, 4, 2]
    assert progress == sizes


def test_key_none_keeps_order() -> None:
    seen: list[list[str]] = []
    run_batched(["a", "bbb", "cc"], lambda b: (seen.append(b), b)[1], batch_size=2, key=None)
    assert seen == [["a", "bbb"], ["cc"]]


def test_custom_key() -> None:
    lengths = {"x": 1, "y": 10, "z": 5}
    seen: list[list[str]] = []
    out = run_batched(list("xyz"), lambda b: (seen.append(b), b)[1], batch_size=1, key=lengths.__getitem__)
    assert seen == [["y"], ["z"], ["x"]]
    assert out == list("xyz")


def test_empty_input_never_calls_fn() -> None:
    assert run_batched([], lambda b: pytest.fail("called"), batch_size=4) == []


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_bad_batch_size(bad) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        run_batched(["a"], lambda b: b, batch_size=bad)


def test_wrong_result_count_is_an_error() -> None:
    with pytest.raises(ValueError, match="1 results for 2 items"):
        run_batched(["a", "b"], lambda b: b[:1], batch_size=2)


def test_resolve_runs_one_batch_behind_and_keeps_order():
    events = []

    def fn(batch):
        events.append(("launch", tuple(batch)))
        return ("pending", list(batch))

    def resolve(pending):
        events.append(("resolve", tuple(pending[1])))
        return [x * 10 for x in pending[1]]

    out = run_batched([3, 1, 2, 5, 4], fn, 2, key=lambda x: x, resolve=resolve)
    assert out == [30, 10, 20, 50, 40]
    # The second batch is launched before the first is resolved.
    assert [e[0] for e in events[:3]] == ["launch", "launch", "resolve"]
