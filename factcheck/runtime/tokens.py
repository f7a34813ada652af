"""Token-id plumbing for pair models, pure and tested without models.

A claim appears in many aligned pairs, so NLI tokenizes each distinct text once and joins the
pairs from the pieces: a fast tokenizer encodes a pair as ``prefix + A + mid + B + suffix`` (e.g.
``[CLS] A [SEP] B [SEP]``), with the two texts tokenized independently. ``infer_template`` reads
that template off one encoded probe pair; the caller verifies it on real pairs before trusting it.
Pairs are joined (``join_pairs``) and batches padded (``pad_rows``) on flat id arrays with offsets,
vectorized, never row by row in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain
from typing import Sequence

import numpy as np

__all__ = ["PAD_STEP", "PairTemplate", "bucket_batches", "bucket_width", "gather_segments", "infer_template", "join_pairs",
           "pack", "pad_rows", "replace_rows"]

# Rows are padded to a multiple of this many tokens, and a batch holds one padded width only: a row's
# padded shape then depends on its own length alone, never on the rows it is batched with. In bf16 the
# fused attention kernel's result moves with the padded length, so without this `batch` (clusters
# sharing batches) would not reproduce `check`.
PAD_STEP = 8


@dataclass(frozen=True)
class PairTemplate:
    """Special tokens around and between a pair's two sequences, and the type id of every position."""

    prefix: tuple[int, ...]
    mid: tuple[int, ...]
    suffix: tuple[int, ...]
    prefix_types: tuple[int, ...] = ()
    mid_types: tuple[int, ...] = ()
    suffix_types: tuple[int, ...] = ()
    type_a: int = 0
    type_b: int = 1

    @property
    def special(self) -> int:
        """Number of special tokens a pair adds."""
        return len(self.prefix) + len(self.mid) + len(self.suffix)

    def join(self, a: Sequence[int], b: Sequence[int]) -> list[int]:
        return [*self.prefix, *a, *self.mid, *b, *self.suffix]

    def join_types(self, len_a: int, len_b: int) -> list[int]:
        return [*self.prefix_types, *([self.type_a] * len_a), *self.mid_types, *([self.type_b] * len_b),
                *self.suffix_types]


def _find(seq: Sequence[int], part: Sequence[int], start: int) -> int:
    """First index >= ``start`` where ``part`` occurs in ``seq`` (-1 if nowhere)."""
    n = len(part)
    for i in range(start, len(seq) - n + 1):
        if list(seq[i:i + n]) == list(part):
            return i
    return -1


def infer_template(pair_ids: Sequence[int], pair_types: Sequence[int] | None, a_ids: Sequence[int],
                   b_ids: Sequence[int]) -> PairTemplate | None:
    """The template that turns ``a_ids`` and ``b_ids`` into ``pair_ids`` (and ``pair_types``), or None.

    None when the pair is not the two sequences, unchanged and in order, with fixed tokens around
    them, or when the type ids are not constant within each sequence.
    """
    if not a_ids or not b_ids:
        return None
    i = _find(pair_ids, a_ids, 0)
    j = _find(pair_ids, b_ids, i + len(a_ids)) if i >= 0 else -1
    if j < 0:
        return None
    ia, ib = i + len(a_ids), j + len(b_ids)
    types = list(pair_types) if pair_types is not None else [0] * len(pair_ids)
    if len(types) != len(pair_ids) or len(set(types[i:ia])) != 1 or len(set(types[j:ib])) != 1:
        return None
    template = PairTemplate(tuple(pair_ids[:i]), tuple(pair_ids[ia:j]), tuple(pair_ids[ib:]), tuple(types[:i]),
                            tuple(types[ia:j]), tuple(types[ib:]), types[i], types[j])
    if template.join(a_ids, b_ids) != list(pair_ids):
        return None
    return template


def pack(rows: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ids as one flat int64 array and each row's start offset."""
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    flat = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=int(lengths.sum()))
    return flat, _starts(lengths)


def bucket_width(length: int, step: int = PAD_STEP) -> int:
    """The padded width of a row of ``length`` tokens: ``length`` rounded up to a multiple of ``step``."""
    return -(-int(length) // step) * step


def bucket_batches(lengths: Sequence[int], batch_size: int, step: int = PAD_STEP) -> list[np.ndarray]:
    """Index batches, longest first (stable), of at most ``batch_size`` rows that share one padded width."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    lengths = np.asarray(lengths, dtype=np.int64)
    order = np.argsort(-lengths, kind="stable")
    widths = -(-lengths[order] // step)
    batches = []
    for width in dict.fromkeys(widths.tolist()):  # widths in descending order of first appearance
        rows = order[widths == width]
        batches += [rows[k:k + batch_size] for k in range(0, len(rows), batch_size)]
    return batches


def pad_rows(flat: np.ndarray, offsets: np.ndarray, lengths: np.ndarray, idx: Sequence[int], pad: int,
             left: bool = False, width: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``idx`` of a packed array, padded to ``width`` (default: the longest of them): ``(values, attention_mask)``."""
    idx = np.asarray(idx, dtype=np.int64)
    n = lengths[idx][:, None]
    longest = int(n.max()) if len(idx) else 0
    if width is not None and width < longest:
        raise ValueError(f"width {width} is shorter than the longest row ({longest})")
    width = longest if width is None else width
    cols = np.arange(width, dtype=np.int64)[None, :]
    first = (width - n) if left else np.zeros_like(n)
    mask = (cols >= first) & (cols < first + n)
    positions = np.where(mask, offsets[idx][:, None] + cols - first, 0)
    values = np.where(mask, flat[positions] if flat.size else 0, pad)
    return values.astype(np.int64), mask.astype(np.int64)


def _starts(lengths: np.ndarray) -> np.ndarray:
    out = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(lengths[:-1], out=out[1:])
    return out


def gather_segments(pool: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``pool[starts[k]:starts[k] + lengths[k]]`` for every k, concatenated."""
    lengths = np.asarray(lengths, dtype=np.int64)
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=pool.dtype)
    index = np.repeat(np.asarray(starts, dtype=np.int64) - _starts(lengths), lengths) + np.arange(total, dtype=np.int64)
    return pool[index]


def join_pairs(template: PairTemplate, text_flat: np.ndarray, text_offsets: np.ndarray, text_lengths: np.ndarray,
               a: np.ndarray, b: np.ndarray, types: bool = True
               ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]:
    """Pairs (``a[k]``, ``b[k]``) of packed texts joined by ``template``: ``(ids, type_ids, offsets, lengths)``, packed."""
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    n = len(a)
    lp, lm, ls = len(template.prefix), len(template.mid), len(template.suffix)
    base = len(text_flat)
    pool = np.concatenate([text_flat.astype(np.int64), np.array(template.prefix + template.mid + template.suffix,
                                                                 dtype=np.int64)])
    seg_lengths = np.stack([np.full(n, lp), text_lengths[a], np.full(n, lm), text_lengths[b], np.full(n, ls)], axis=1)
    seg_starts = np.stack([np.full(n, base), text_offsets[a], np.full(n, base + lp), text_offsets[b],
                           np.full(n, base + lp + lm)], axis=1)
    ids = gather_segments(pool, seg_starts.ravel(), seg_lengths.ravel())
    lengths = seg_lengths.sum(axis=1)
    type_ids = None
    if types:
        # Runs of type_a and type_b as long as the longest text, then the special tokens' own types.
        run = int(text_lengths.max()) if len(text_lengths) else 0
        type_pool = np.concatenate([np.full(run, template.type_a), np.full(run, template.type_b),
                                    np.array(template.prefix_types + template.mid_types + template.suffix_types)]
                                   ).astype(np.int64)
        type_starts = np.stack([np.full(n, 2 * run), np.zeros(n, dtype=np.int64), np.full(n, 2 * run + lp),
                                np.full(n, run), np.full(n, 2 * run + lp + lm)], axis=1)
        type_ids = gather_segments(type_pool, type_starts.ravel(), seg_lengths.ravel())
    return ids, type_ids, _starts(lengths), lengths


def replace_rows(flat: np.ndarray, offsets: np.ndarray, lengths: np.ndarray, rows: Sequence[int],
                 new: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The packed rows with ``rows[k]`` replaced by ``new[k]``: ``(flat, offsets, lengths)``."""
    if not len(rows):
        return flat, offsets, lengths
    new_flat, new_offsets = pack(new)
    starts, lengths = offsets.copy(), lengths.copy()
    rows = np.asarray(rows, dtype=np.int64)
    starts[rows] = new_offsets + len(flat)
    lengths[rows] = [len(r) for r in new]
    out = gather_segments(np.concatenate([flat, new_flat]), starts, lengths)
    return out, _starts(lengths), lengths
