"""Training data for the project's NLI model: readers for the licence-clean sets in shared/data/nli,
the synthetic news pairs, and a premise-grouped validation split."""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from factcheck.errors import InputError
from factcheck.labels import LABELS

LABEL_NAMES = LABELS  # the project's one label order (factcheck.labels)
# Every training label is a set of the model's labels; a set-valued one (FEVER's 2-way not_entailment) is
# trained with -log of the summed probability of its members and counts as correct when the argmax is inside.
LABEL_SETS: dict[str, tuple[str, ...]] = {
    "entailment": ("entailment",),
    "neutral": ("neutral",),
    "contradiction": ("contradiction",),
    "not_entailment": ("neutral", "contradiction"),
    # Real news pairs read as compatible (rewording, added detail) and templated time words: anything but a clash.
    "not_contradiction": ("entailment", "neutral"),
    # No hard label: a row that only a teacher's probabilities train (``distill fit --teacher-probs``).
    "any": ("entailment", "neutral", "contradiction"),
}


def label_mask(label: str) -> tuple[bool, bool, bool]:
    """Which of LABEL_NAMES the (possibly set-valued) training label allows."""
    members = LABEL_SETS[label]
    return tuple(name in members for name in LABEL_NAMES)  # type: ignore[return-value]


_NORMALISE = {"entailment": "entailment", "neutral": "neutral", "contradiction": "contradiction",
              "e": "entailment", "n": "neutral", "c": "contradiction",
              "not_contradiction": "not_contradiction"}


@dataclass(frozen=True)
class NLIExample:
    premise: str
    hypothesis: str
    label: str
    source: str
    group: str = ""  # what the validation split is grouped by (premise, or article for synthetic pairs)


def _example(premise: str, hypothesis: str, label: str, source: str, group: str | None = None) -> NLIExample | None:
    lab = _NORMALISE.get(label.strip().lower())
    premise, hypothesis = premise.strip(), hypothesis.strip()
    if lab is None or not premise or not hypothesis:
        return None  # SNLI's "-" (no gold label) and blank rows
    return NLIExample(premise, hypothesis, lab, source, group if group is not None else premise.lower())


def read_esnli(folder: Path) -> Iterator[NLIExample]:
    for split in ("dev", "test"):
        s1 = (folder / f"s1.{split}").read_text(encoding="utf-8").splitlines()
        s2 = (folder / f"s2.{split}").read_text(encoding="utf-8").splitlines()
        labels = (folder / f"labels.{split}").read_text(encoding="utf-8").splitlines()
        if not len(s1) == len(s2) == len(labels):
            raise InputError(f"{folder}: s1/s2/labels.{split} have different line counts")
        for p, h, lab in zip(s1, s2, labels):
            if (ex := _example(p, h, lab, "esnli")) is not None:
                yield ex


def _read_tsv(path: Path, premise: str, hypothesis: str, label: str, source: str) -> Iterator[NLIExample]:
    csv.field_size_limit(10**8)
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if (ex := _example(row[premise] or "", row[hypothesis] or "", row[label] or "", source)) is not None:
                yield ex


def read_cad(folder: Path) -> Iterator[NLIExample]:
    for name in ("train.tsv", "dev.tsv"):
        yield from _read_tsv(folder / name, "sentence1", "sentence2", "gold_label", "cad")


def read_taxinli(folder: Path) -> Iterator[NLIExample]:
    yield from _read_tsv(folder / "taxinli_dev80.tsv", "prem", "hyp", "label", "taxinli")


def read_breaking_nli(folder: Path) -> Iterator[NLIExample]:
    with open(folder / "dataset.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if (ex := _example(row["sentence1"], row["sentence2"], row["gold_label"], "breaking_nli")) is not None:
                yield ex


def read_synthetic(path: Path, split: str = "train") -> Iterator[NLIExample]:
    """Synthetic (factcheck.training.synth) or mined (factcheck.training.mine_pairs) news pairs; grouped by article
    (story cluster for mined pairs) so none straddles splits."""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row["split"] == split:
                source = "mined_news" if row.get("edit", "").startswith("mined") else "synthetic_news"
                ex = _example(row["premise"], row["hypothesis"], row["label"], source,
                              group=f"article:{row['article']}")
                if ex is not None:
                    yield ex


SOURCES: dict[str, tuple[str, Callable[[Path], Iterator[NLIExample]]]] = {
    "esnli": ("nli/esnli", read_esnli),
    "cad": ("nli/cad", read_cad),
    "breaking_nli": ("nli/breaking_nli", read_breaking_nli),
    "taxinli": ("nli/taxinli", read_taxinli),
}




def is_validation(group: str, fraction: float) -> bool:
    """Deterministic premise-grouped (or article-grouped) validation membership."""
    h = int(hashlib.sha256(group.encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF
    return h < fraction


def split_train_validation(examples: list[NLIExample], fraction: float = 0.06) -> tuple[list[NLIExample], list[NLIExample]]:
    train, val = [], []
    for ex in examples:
        (val if is_validation(ex.group, fraction) else train).append(ex)
    return train, val
