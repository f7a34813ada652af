"""Shared test fixtures. Each section belongs to one module's tests; add sections, don't rewrite."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from factcheck.labels import LABELS

# --- The default judge (factcheck.nli.cascade.default_verifier) ---------------------------------------


@pytest.fixture(autouse=True)
def _small_judge_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run the judge they pass in: the CLI's default large verifier is off unless a test turns it on
    (subprocesses inherit it through the environment)."""
    monkeypatch.setenv("FACTCHECK_VERIFY", "none")


# --- NLI fakes (factcheck.nli) -----------------------------------------------------------------
from factcheck.models import ModelInfo
from factcheck.nli import NLIModel

_NEGATION = re.compile(r"\b(?:not|no|never)\b|n't\b|\bnon-", re.IGNORECASE)


class FakeNLI(NLIModel):
    """Rule-based NLI for tests, no model files.

    Entailment when the texts are equal ignoring case and surrounding whitespace; contradiction
    when exactly one side has a negation ("not", "no", "never", "n't", "non-"); else neutral.
    The chosen label gets probability 0.9, the other two 0.05 each. ``calls`` records the
    batches it was given.
    """

    def __init__(self, max_length: int = 512) -> None:
        self.info = ModelInfo(name="fake-nli", source="tests/conftest.py", backend="fake", revision="0")
        self.max_length = max_length
        self.calls: list[list[tuple[str, str]]] = []

    @staticmethod
    def label(premise: str, hypothesis: str) -> str:
        """The label the rules give a pair."""
        if premise.strip().lower() == hypothesis.strip().lower():
            return "entailment"
        if bool(_NEGATION.search(premise)) != bool(_NEGATION.search(hypothesis)):
            return "contradiction"
        return "neutral"

    def _predict_batch(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        self.calls.append(list(pairs))
        out = np.full((len(pairs), len(LABELS)), 0.05, dtype=np.float32)
        for row, (premise, hypothesis) in enumerate(pairs):
            out[row, LABELS.index(self.label(premise, hypothesis))] = 0.9
        return out


@pytest.fixture
def fake_nli() -> FakeNLI:
    """A fresh rule-based ``FakeNLI`` (see its docstring for the rules)."""
    return FakeNLI()


# --- evaluation fakes (factcheck.evaluation) ---------------------------------------------------


class GradedFakeNLI(FakeNLI):
    """``FakeNLI`` with varied confidences and containment-based entailment, for evaluation tests.

    Entailment when the hypothesis (without its final stop) occurs inside the premise, so a
    premise window that holds the sentence entails it; else FakeNLI's negation rule. The chosen
    label gets a probability between 0.55 and 0.95 that depends on the text lengths (so ROC
    curves and calibration have something to work with); the other two share the rest.
    """

    def __init__(self, max_length: int = 512, name: str = "graded-fake-nli", source: str = "tests/conftest.py") -> None:
        super().__init__(max_length)
        self.info = ModelInfo(name=name, source=source, backend="fake", revision="0", local_dir=source)

    @staticmethod
    def label(premise: str, hypothesis: str) -> str:
        needle = hypothesis.strip().rstrip(".").lower()
        if needle and needle in premise.lower():
            return "entailment"
        return FakeNLI.label(premise, hypothesis)

    def _predict_batch(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        self.calls.append(list(pairs))
        out = np.zeros((len(pairs), len(LABELS)), dtype=np.float64)
        for row, (premise, hypothesis) in enumerate(pairs):
            chosen = LABELS.index(self.label(premise, hypothesis))
            conf = 0.55 + 0.4 * ((len(premise) * 31 + len(hypothesis) * 17) % 11) / 10
            others = [i for i in range(len(LABELS)) if i != chosen]
            out[row, chosen] = conf
            out[row, others[0]] = (1 - conf) * 0.7
            out[row, others[1]] = (1 - conf) * 0.3
        return out


_SUBJECTS = ["The minister", "The army", "The company", "The court", "The mayor", "The union", "The bank", "The team"]
_VERBS = [("signed", "sign"), ("left", "leave"), ("raised", "raise"), ("closed", "close"), ("won", "win"), ("met", "meet")]
_OBJECTS = ["the deal", "the city", "prices", "the plant", "the vote", "the envoy"]
_WHEN = ["on Monday", "on Friday", "in March", "last week", "after the storm", "before the election"]


def make_nli_rows(n: int, seed: int = 0, noise: float = 0.25) -> list[dict]:
    """``n`` premise/hypothesis/label rows (label: entailment/neutral/contradiction).

    The fakes get a row right unless its gold label was swapped (probability ``noise``).
    """
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        subject, obj, when = (str(rng.choice(x)) for x in (_SUBJECTS, _OBJECTS, _WHEN))
        past, base = _VERBS[int(rng.integers(len(_VERBS)))]
        premise = f"{subject} {past} {obj} {when}."
        kind = LABELS[i % 3]
        hypothesis = {
            "entailment": premise,
            "neutral": f"{subject} was praised {when}.",
            "contradiction": f"{subject} did not {base} {obj} {when}.",
        }[kind]
        gold = str(rng.choice([x for x in LABELS if x != kind])) if rng.random() < noise else kind
        rows.append({"id": f"r{seed}-{i}", "premise": premise, "hypothesis": hypothesis, "label": gold})
    return rows


@pytest.fixture
def graded_nli() -> GradedFakeNLI:
    """A fresh ``GradedFakeNLI``."""
    return GradedFakeNLI()


# --- embedder fakes (factcheck.embed) ----------------------------------------------------------

import zlib

from factcheck.embed import Embedder

_FAKE_WORD = re.compile(r"[a-z0-9]+")


class FakeEmbedder(Embedder):
    """Hashed bag-of-words vectors: deterministic, no model files; shared words make texts near.

    Each lower-cased word adds +1 or -1 (by its CRC32) to one of ``dim`` slots. ``calls`` records
    the batches it was given.
    """

    def __init__(self, dim: int = 256) -> None:
        self.info = ModelInfo(name="fake-embedder", source="tests/conftest.py", backend="fake", revision="0")
        self.dim = dim
        self.calls: list[list[str]] = []

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _FAKE_WORD.findall(text.lower()):
                h = zlib.crc32(word.encode())
                out[row, h % self.dim] += 1.0 if (h >> 16) & 1 else -1.0
        return out


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    """A fresh ``FakeEmbedder``."""
    return FakeEmbedder()


# ---- training workshop (test_training_resume.py, test_distill.py): a tiny random encoder and fixture data

_DEFAULT_NLI = Path(__file__).resolve().parents[1] / "models" / "factcheck-nli-minilm"


@pytest.fixture
def tiny_bert_base(tmp_path: Path) -> Path:
    """A 2-layer, 32-wide random BERT with the default model's tokenizer: trains in seconds on a CPU."""
    from transformers import AutoTokenizer, BertConfig, BertModel

    if not (_DEFAULT_NLI / "tokenizer.json").exists():
        pytest.skip("default model tokenizer missing")
    path = tmp_path / "tiny-base"
    config = BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=512)
    BertModel(config).save_pretrained(path, safe_serialization=True)
    AutoTokenizer.from_pretrained(_DEFAULT_NLI).save_pretrained(path)
    return path


@pytest.fixture
def med_data_dir(tmp_path: Path) -> Path:
    """A shared/data-shaped folder holding only a 60-row MED file (entailment / neutral)."""
    import gzip

    rows = ["sentence1\tsentence2\tgold_label"]
    for i in range(60):
        rows.append(f"Some {i} dogs ran in park {i % 7} .\tSome dogs ran .\t{'entailment' if i % 2 else 'neutral'}")
    root = tmp_path / "data"
    (root / "nli" / "med").mkdir(parents=True)
    with gzip.open(root / "nli" / "med" / "MED.tsv.gz", "wb") as fh:
        fh.write(("\n".join(rows) + "\n").encode())
    return root


# ---- tiny plain BERTs (test_precision.py, test_startup.py): run by factcheck.runtime.bert without transformers


def build_tiny_bert(path: Path, words, classifier: bool = True, seed: int = 0) -> Path:
    """A random 2-layer, 32-wide BERT (a 3-way classifier, or a bare encoder for an embedder) over ``words``."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertModel, BertTokenizerFast

    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ",", ".", *sorted(set(words))]
    BertTokenizerFast(vocab={w: i for i, w in enumerate(vocab)}).save_pretrained(path)
    torch.manual_seed(seed)
    labels = {0: "entailment", 1: "neutral", 2: "contradiction"}
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=48, max_position_embeddings=128, initializer_range=0.3,
                        id2label=labels, label2id={v: k for k, v in labels.items()})
    (BertForSequenceClassification if classifier else BertModel)(config).eval().save_pretrained(path)
    return path
