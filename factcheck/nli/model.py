"""The NLI model interface: ``NLIModel.predict`` gives P(entailment, neutral, contradiction) per pair.

Output columns always follow ``LABELS``, whatever the model's own label order: labels are mapped by
name from the model's ``config.id2label`` (``label_permutation``). Pure; tested without models. The
backends are in ``factcheck.nli.hf`` and ``factcheck.nli.onnx_backend``, the registry and
``load_nli`` in ``factcheck.nli``.
"""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

import numpy as np

from factcheck.runtime.batching import run_batched
from factcheck.errors import InputError, ModelError
from factcheck.labels import LABELS
from factcheck.models import ModelInfo

__all__ = ["Backend", "LABELS", "LabelMapping", "NLIModel", "Pair", "TWO_WAY_RULE", "label_permutation", "softmax"]

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

    # ---- the judge interface: every NLI model, single or a cascade, answers the pipeline the same way

    def judge_settings(self, settings):
        """``settings`` as this judge runs them (a single model takes no verifier: ``verify`` set is an error)."""
        if getattr(settings, "verify", None):
            from factcheck.errors import InputError

            raise InputError(f"verify={settings.verify!r} needs a cascade: pass "
                             "factcheck.nli.cascade.load_cascade(nli, verify) as the NLI model")
        return settings

    def review(self, aligned: Sequence, decided: Sequence, settings, progress=None) -> list:
        """The verdicts after this judge's second look (``decided``: per cluster, its pairs and stats).
        A single model has decided already; a cascade's verifier re-scores its candidates here."""
        return list(decided)

    def report_models(self) -> dict[str, ModelInfo]:
        """The models a report records for this judge, by role."""
        return {"nli": self.info}

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


def judge(model, method: str):
    """``model``'s judge method ``method`` (``judge_settings``, ``review``, ``report_models``); a duck-typed model
    (anything with ``predict``, not an ``NLIModel``) gets the single model's."""
    found = getattr(model, method, None)
    return found if found is not None else getattr(NLIModel, method).__get__(model)

