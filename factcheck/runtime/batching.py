"""One batching helper for every model backend: sort by length, run in batches, restore order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np

__all__ = ["run_batched"]

T = TypeVar("T")


def run_batched(
    items: Sequence[T],
    fn: Callable[[list[T]], Any],
    batch_size: int,
    key: Callable[[T], float] | None = len,
    progress: Callable[[int], None] | None = None,
    resolve: Callable[[Any], Any] | None = None,
) -> np.ndarray | list:
    """Call ``fn`` on batches of ``items`` and return its results in the original item order.

    Items are sorted by ``key`` (longest first, stable) so each batch holds similar lengths and
    padding stays small; ``key=None`` keeps the given order. ``fn`` returns one result per item
    in its batch: an array whose first axis is the batch (results are concatenated into one
    array) or any sequence (results come back as a list). ``progress`` is called with the number
    of items finished after each batch (e.g. a rich ``Progress.advance``). Empty ``items`` give
    an empty list: callers that want a shaped empty array build it themselves.

    With ``resolve``, ``fn`` may return a pending result (e.g. a GPU tensor still being computed):
    ``resolve(pending)`` turns it into the result, one batch later, so the next batch is prepared
    while the previous one runs.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    n = len(items)
    if n == 0:
        return []
    if key is None:
        order = np.arange(n)
    else:
        # Stable sort on the negated key: longest first, ties keep their input order.
        order = np.argsort([-key(item) for item in items], kind="stable")

    outputs = []
    pending: tuple[Any, int] | None = None

    def finish(out: Any, size: int) -> None:
        out = resolve(out) if resolve is not None else out
        if len(out) != size:
            raise ValueError(f"batch function returned {len(out)} results for {size} items")
        outputs.append(out)
        if progress is not None:
            progress(size)

    for lo in range(0, n, batch_size):
        idx = order[lo : lo + batch_size]
        out = fn([items[i] for i in idx])
        if resolve is None:
            finish(out, len(idx))
            continue
        if pending is not None:
            finish(*pending)
        pending = (out, len(idx))
    if pending is not None:
        finish(*pending)

    inverse = np.empty(n, dtype=np.intp)
    inverse[order] = np.arange(n)
    if all(isinstance(out, np.ndarray) for out in outputs):
        return np.concatenate(outputs, axis=0)[inverse]
    flat = [result for out in outputs for result in out]
    return [flat[i] for i in inverse]
