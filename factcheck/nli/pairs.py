"""What the tokenized NLI backends share: each text tokenized once, pairs joined, batches padded from ids.

A claim appears in many aligned pairs, so ``_TokenizedNLI`` tokenizes each distinct text once and
joins the pairs by the tokenizer's pair template (``factcheck.runtime.tokens``), checked against whole-pair
encodings on every call; overlong pairs are re-encoded with the premise truncated. With
``prefetch_chunk`` the next chunk of pairs is tokenized on a thread while the model scores this one.
``_PairTokenizer`` calls a ``tokenizers`` tokenizer the way a transformers one is called, so the
plain-BERT and ONNX backends need no transformers import.
"""

from __future__ import annotations

import json
from abc import abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from factcheck.labels import LABELS
from factcheck.models import ModelInfo
from factcheck.nli.model import LabelMapping, NLIModel, Pair, _check_pairs, log, softmax
from factcheck.runtime.tokens import (PairTemplate, bucket_batches, bucket_width, infer_template, join_pairs, pack, pad_rows,
                              replace_rows)

__all__ = ["Tokens"]


@dataclass(frozen=True)
class Tokens:
    """Tokenized pairs, packed: row k is ``ids[offsets[k]:offsets[k] + lengths[k]]``; ``flags``: it was overlong."""

    ids: np.ndarray
    types: np.ndarray | None
    offsets: np.ndarray
    lengths: np.ndarray
    flags: np.ndarray

    def row(self, k: int, types: bool = False) -> list[int]:
        values = self.types if types else self.ids
        return values[self.offsets[k]:self.offsets[k] + self.lengths[k]].tolist()


class _TokenizedNLI(NLIModel):
    """Shared by backends that use a Hugging Face tokenizer: exact lengths, premise-first truncation."""

    def __init__(self, tokenizer, mapping: LabelMapping, info: ModelInfo, max_length: int) -> None:
        self.tokenizer = tokenizer
        self.mapping = mapping
        self.info = info
        self.max_length = max_length

    @abstractmethod
    def _logits(self, pairs: list[Pair]) -> np.ndarray:
        """``(b, k)`` raw logits in the model's own label order."""

    def _predict_batch(self, pairs: list[Pair]) -> np.ndarray:
        return self.mapping.apply(softmax(self._logits(pairs)))

    def token_lengths(self, pairs: Sequence[Pair]) -> np.ndarray:
        if not pairs:
            return np.zeros(0, dtype=np.int64)
        joined = self._joined(list(pairs), {})
        if joined is not None:
            return joined.lengths
        enc = self.tokenizer([p for p, _ in pairs], [h for _, h in pairs], truncation=False, verbose=False)
        return np.array([len(ids) for ids in enc["input_ids"]], dtype=np.int64)

    def _arrays_logits(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        """``(b, k)`` logits for padded int64 arrays (``input_ids``, ``attention_mask``, maybe ``token_type_ids``)."""
        raise NotImplementedError

    # Pairs tokenized per chunk on a background thread while the model scores the previous chunk
    # (the Rust tokenizer releases the GIL). None: one chunk (CPU, where both share the same cores).
    prefetch_chunk: int | None = None

    def predict_with_flags(
        self, pairs: Sequence[Pair], batch_size: int = 32, progress: Callable[[int], None] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """As ``NLIModel.predict_with_flags``, but every pair is tokenized once, in one parallel call per chunk.

        Batches are padded from the token ids (no second tokenization). With ``prefetch_chunk``, pairs
        (ordered by length) are tokenized chunk by chunk ahead of the model, so it never waits for the
        host. Overlong pairs are re-encoded with the premise truncated, as before.
        """
        pairs = _check_pairs(pairs)
        if not pairs:
            return np.zeros((0, len(LABELS)), dtype=np.float32), np.zeros(0, dtype=bool)
        chunk = self.prefetch_chunk
        if not chunk or len(pairs) <= chunk:
            probs, flags = self._score_tokenized(self._tokenize(pairs), batch_size, progress)
        else:
            from concurrent.futures import ThreadPoolExecutor

            # Chunks of similar length keep padding small, as one global length sort would.
            order = np.argsort([-(len(p) + len(h)) for p, h in pairs], kind="stable")
            pieces = [[pairs[i] for i in order[k:k + chunk]] for k in range(0, len(pairs), chunk)]
            parts = []
            cache: dict[str, list[int]] = {}  # text -> ids, shared by the chunks (one thread uses it)
            with ThreadPoolExecutor(max_workers=1) as pool:
                ahead = pool.submit(self._tokenize, pieces[0], cache)
                for k in range(len(pieces)):
                    tokens = ahead.result()
                    if k + 1 < len(pieces):
                        ahead = pool.submit(self._tokenize, pieces[k + 1], cache)
                    parts.append(self._score_tokenized(tokens, batch_size, progress))
            probs, flags = np.empty((len(pairs), len(LABELS)), dtype=np.float32), np.empty(len(pairs), dtype=bool)
            probs[order] = np.concatenate([pr for pr, _ in parts])
            flags[order] = np.concatenate([fl for _, fl in parts])
        if flags.any():
            log.warning(
                "%d of %d NLI pairs exceed %s's limit of %d tokens: scored on a truncated premise and flagged",
                int(flags.sum()), len(pairs), self.info.name, self.max_length,
            )
        return probs, flags

    def _tokenize(self, pairs: list[Pair], cache: dict[str, list[int]] | None = None) -> Tokens:
        """Token ids (and type ids) of each pair, packed, overlong ones truncated premise-first; and overlong flags.

        Each distinct text is tokenized once (``cache`` keeps them across chunks of one call) and the
        pairs are joined by the tokenizer's pair template, when it has one that the first pairs confirm.
        """
        tokens = self._joined(pairs, cache if cache is not None else {})
        if tokens is None:
            enc = self.tokenizer([p for p, _ in pairs], [h for _, h in pairs], truncation=False, verbose=False)
            ids, offsets = pack(enc["input_ids"])
            types = pack(enc["token_type_ids"])[0] if "token_type_ids" in enc else None
            tokens = Tokens(ids, types, offsets, np.diff(np.append(offsets, len(ids))), np.zeros(len(pairs), dtype=bool))
        flags = tokens.lengths > self.max_length
        if not flags.any():
            return tokens
        long_idx = np.flatnonzero(flags).tolist()
        cut = self._encode([pairs[i] for i in long_idx], None, padding=False)
        # Some tokenizers pad even when asked not to: keep the attended positions only.
        keep = [np.asarray(cut["attention_mask"][k], dtype=bool) if "attention_mask" in cut else slice(None)
                for k in range(len(long_idx))]
        ids, offsets, lengths = replace_rows(tokens.ids, tokens.offsets, tokens.lengths, long_idx,
                                             [np.asarray(cut["input_ids"][k])[m] for k, m in enumerate(keep)])
        types = None
        if tokens.types is not None:
            types = replace_rows(tokens.types, tokens.offsets, tokens.lengths, long_idx,
                                 [np.asarray(cut["token_type_ids"][k])[m] for k, m in enumerate(keep)])[0]
        return Tokens(ids, types, offsets, lengths, flags)

    _CHECKED_PAIRS = 4  # pairs encoded both ways on every call: the template must reproduce them

    def _pair_template(self) -> tuple[PairTemplate, bool] | None:
        """The tokenizer's pair template and whether it gives type ids, probed once; None if it has none."""
        if not hasattr(self, "_template_probe"):
            probe = ("The first probe sentence, with 12 words.", "A second one: shorter.")
            self._template_probe = None
            try:
                enc = self.tokenizer([probe[0]], [probe[1]], truncation=False, verbose=False)
                single = self._text_token_ids(list(probe))
                types = enc["token_type_ids"][0] if "token_type_ids" in enc else None
                template = infer_template(list(enc["input_ids"][0]), types, single[0], single[1])
                self._template_probe = (template, types is not None) if template else None
            except Exception:  # noqa: BLE001 - a tokenizer without single-text calls: pairs are encoded whole
                log.debug("no pair template for %s; tokenizing whole pairs", self.info.name, exc_info=True)
        return self._template_probe

    def _text_token_ids(self, texts: list[str]) -> list[list[int]]:
        return [list(x) for x in self.tokenizer(texts, add_special_tokens=False, truncation=False, verbose=False)["input_ids"]]

    def _joined(self, pairs: list[Pair], cache: dict[str, list[int]]) -> Tokens | None:
        """Pairs joined from per-text ids (untruncated), or None when the template is absent or disagrees."""
        probed = self._pair_template()
        if probed is None:
            return None
        template, with_types = probed
        index = {t: k for k, t in enumerate(dict.fromkeys(t for pair in pairs for t in pair))}
        new = [t for t in index if t not in cache]
        if new:
            cache.update(zip(new, self._text_token_ids(new)))
        text_flat, text_offsets = pack([cache[t] for t in index])
        text_lengths = np.fromiter((len(cache[t]) for t in index), dtype=np.int64, count=len(index))
        a = np.fromiter((index[p] for p, _ in pairs), dtype=np.int64, count=len(pairs))
        b = np.fromiter((index[h] for _, h in pairs), dtype=np.int64, count=len(pairs))
        ids, types, offsets, lengths = join_pairs(template, text_flat, text_offsets, text_lengths, a, b, with_types)
        tokens = Tokens(ids, types, offsets, lengths, np.zeros(len(pairs), dtype=bool))
        head = pairs[: self._CHECKED_PAIRS]
        enc = self.tokenizer([p for p, _ in head], [h for _, h in head], truncation=False, verbose=False)
        same = [list(x) for x in enc["input_ids"]] == [tokens.row(k) for k in range(len(head))]
        if with_types:
            same = same and "token_type_ids" in enc and [list(x) for x in enc["token_type_ids"]] == [
                tokens.row(k, types=True) for k in range(len(head))]
        if not same:
            log.warning("%s: pairs joined from per-text tokens differ from whole-pair tokens; tokenizing whole pairs",
                        self.info.name)
            self._template_probe = None
            return None
        return tokens

    def _score_tokenized(self, tokens: Tokens, batch_size: int, progress) -> tuple[np.ndarray, np.ndarray]:
        """Probabilities of the tokenized pairs, in batches of one padded width (``tokens.bucket_batches``).

        A pair's padded shape depends on its own length only, so its scores do not depend on the pairs
        it shares a batch with (``batch`` reproduces ``check``). With a pending (GPU) result the next
        batch is padded while the previous one runs.
        """
        pad_id = getattr(self.tokenizer, "pad_token_id", None) or 0
        left = getattr(self.tokenizer, "padding_side", "right") == "left"
        n = len(tokens.lengths)
        if n == 0:
            return np.zeros((0, len(LABELS)), dtype=np.float32), tokens.flags

        def batch(idx: np.ndarray):
            longest = int(tokens.lengths[idx].max())
            width = max(longest, min(bucket_width(longest), self.max_length))
            arrays = {}
            arrays["input_ids"], arrays["attention_mask"] = pad_rows(tokens.ids, tokens.offsets, tokens.lengths, idx,
                                                                     pad_id, left, width)
            if tokens.types is not None:
                arrays["token_type_ids"] = pad_rows(tokens.types, tokens.offsets, tokens.lengths, idx, 0, left, width)[0]
            return self._arrays_logits(arrays)

        logits: np.ndarray | None = None
        pending = None

        def finish(item) -> None:
            nonlocal logits
            out, idx = item
            out = np.asarray(self._resolve_logits(out), dtype=np.float32)
            if logits is None:
                logits = np.empty((n, out.shape[1]), dtype=np.float32)
            logits[idx] = out
            if progress is not None:
                progress(len(idx))

        for idx in bucket_batches(tokens.lengths, batch_size):
            out = (batch(idx), idx)
            if pending is not None:
                finish(pending)
            pending = out
        finish(pending)
        return self.mapping.apply(softmax(logits)), tokens.flags

    def _resolve_logits(self, pending):
        """Turn what ``_arrays_logits`` returned into a numpy array (a no-op unless it is still on a GPU)."""
        return pending

    def _encode(self, pairs: list[Pair], tensors: str | None, padding: bool = True):
        premises, hypotheses = [p for p, _ in pairs], [h for _, h in pairs]
        kwargs: dict[str, Any] = dict(padding=padding, max_length=self.max_length, return_tensors=tensors)
        try:
            return self.tokenizer(premises, hypotheses, truncation="only_first", **kwargs)
        except Exception:  # tokenizers raises a bare Exception when the hypothesis alone is too long
            return self.tokenizer(premises, hypotheses, truncation="longest_first", **kwargs)


class _PairTokenizer:
    """A ``tokenizers`` tokenizer called like a transformers one for (premise, hypothesis) batches.

    Only what ``_TokenizedNLI`` uses: exact lengths, and padded numpy batches truncated premise-first.
    """

    def __init__(self, tokenizer, model_max_length: int | None, pad_token_id: int = 0) -> None:
        from tokenizers import Tokenizer

        self.pad_token_id = pad_token_id
        self._plain = Tokenizer.from_str(tokenizer.to_str())
        self._plain.no_truncation()
        self._plain.no_padding()
        self._tok = tokenizer
        self.model_max_length = model_max_length

    @classmethod
    def from_dir(cls, model_dir: Path) -> _PairTokenizer:
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        declared = None
        cfg = model_dir / "tokenizer_config.json"
        if cfg.is_file():
            declared = json.loads(cfg.read_text(encoding="utf-8")).get("model_max_length")
        pad_id = tokenizer.token_to_id("[PAD]")
        pad_id = tokenizer.token_to_id("<pad>") if pad_id is None else pad_id
        pad_id = 0 if pad_id is None else pad_id
        tokenizer.enable_padding(pad_id=pad_id, pad_token=tokenizer.id_to_token(pad_id) or "[PAD]")
        return cls(tokenizer, declared if isinstance(declared, int) else None, pad_id)

    def __call__(self, premises: list[str], hypotheses: list[str] | None = None, truncation: bool | str = False,
                 padding: bool = False, max_length: int | None = None, return_tensors: str | None = None,
                 verbose: bool = True, add_special_tokens: bool = True) -> dict:
        if isinstance(premises, str):  # one text or pair, as transformers tokenizers take it
            batch = self([premises], None if hypotheses is None else [hypotheses], truncation, padding, max_length,
                         return_tensors, verbose, add_special_tokens)
            return {k: v[0] for k, v in batch.items()}
        if hypotheses is None:  # single texts, untruncated (the pieces pairs are joined from)
            encodings = self._plain.encode_batch(premises, add_special_tokens=add_special_tokens)
            return {"input_ids": [e.ids for e in encodings], "token_type_ids": [e.type_ids for e in encodings]}
        pairs = list(zip(premises, hypotheses))
        if not truncation:
            encodings = self._plain.encode_batch(pairs)
            return {"input_ids": [e.ids for e in encodings], "token_type_ids": [e.type_ids for e in encodings]}
        strategy = "only_first" if truncation == "only_first" else "longest_first"
        self._tok.enable_truncation(max_length=max_length or 512, strategy=strategy)
        encodings = self._tok.encode_batch(pairs)
        return {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
        }
