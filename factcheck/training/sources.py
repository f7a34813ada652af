"""Readers for the second wave of licence-clean training sets in shared/data (MultiNLI dev, VitaminC, FEVER 2-way,
ConjNLI, MED, WikiSplit). Each reader has an explicit label map: a label it does not know is an error, never
silently dropped. Each example carries the group the validation split is hashed on (premise, Wikipedia page,
FEVER claim/evidence component, WikiSplit source sentence)."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from pathlib import Path
from typing import Iterable, Iterator

from factcheck.errors import InputError
from factcheck.training.data import SOURCES, NLIExample

MNLI_LABELS = {"entailment": "entailment", "neutral": "neutral", "contradiction": "contradiction"}
VITAMINC_LABELS = {"SUPPORTS": "entailment", "REFUTES": "contradiction", "NOT ENOUGH INFO": "neutral"}
# not_entailment is a set-valued label: {neutral, contradiction} (see factcheck.training.data.LABEL_SETS).
FEVER_LABELS = {"entailment": "entailment", "not_entailment": "not_entailment"}
CONJNLI_LABELS = {"entailment": "entailment", "neutral": "neutral", "contradiction": "contradiction"}
MED_LABELS = {"entailment": "entailment", "neutral": "neutral"}

WIKISPLIT_SEPARATOR = "<::::>"


def _map(label_map: dict[str, str], label: str, where: str) -> str:
    try:
        return label_map[label.strip()]
    except KeyError:
        raise InputError(f"{where}: unknown label {label!r} (expected one of {sorted(label_map)})") from None


def _open_text(path: Path, encoding: str = "utf-8") -> io.TextIOBase:
    if not path.exists():
        raise InputError(f"{path}: training data file not found")
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding=encoding, newline="")
    return open(path, encoding=encoding, newline="")


def _rows(path: Path, delimiter: str, encoding: str = "utf-8") -> Iterator[tuple[int, dict[str, str]]]:
    csv.field_size_limit(10**8)
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    with _open_text(path, encoding) as fh:
        for line_no, row in enumerate(csv.DictReader(fh, delimiter=delimiter, quoting=quoting), start=2):
            yield line_no, row


def _column(row: dict[str, str], name: str, where: str) -> str:
    value = row.get(name)
    if value is None:
        raise InputError(f"{where}: column {name!r} missing (columns: {sorted(k for k in row if k)})")
    return value.strip()


def _pair(premise: str, hypothesis: str, label: str, source: str, group: str) -> NLIExample | None:
    if not premise or not hypothesis:
        return None  # blank rows carry nothing to learn
    return NLIExample(premise, hypothesis, label, source, group)


def _premise_grouped(path: Path, delimiter: str, columns: tuple[str, str, str], label_map: dict[str, str],
                     source: str, encoding: str = "utf-8") -> Iterator[NLIExample]:
    """Pairs of a CSV/TSV with premise, hypothesis and label columns (names in ``columns``); grouped by premise."""
    premise_col, hypothesis_col, label_col = columns
    for line_no, row in _rows(path, delimiter, encoding):
        where = f"{path.name}:{line_no}"
        p, h = _column(row, premise_col, where), _column(row, hypothesis_col, where)
        if (ex := _pair(p, h, _map(label_map, _column(row, label_col, where), where), source, p.lower())):
            yield ex


def read_mnli_dev(folder: Path) -> Iterator[NLIExample]:
    """MultiNLI dev (matched + mismatched): CSV premise, hypothesis, label; grouped by premise."""
    yield from _premise_grouped(folder / "mnli_dev_folds1-4.csv.gz", ",", ("premise", "hypothesis", "label"),
                                MNLI_LABELS, "mnli")


def _read_vitaminc(path: Path, source: str) -> Iterator[NLIExample]:
    with _open_text(path) as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            where = f"{path.name}:{line_no}"
            try:
                row = json.loads(line)
                evidence, claim, label, page = row["evidence"], row["claim"], row["label"], row["page"]
            except (json.JSONDecodeError, KeyError) as exc:
                raise InputError(f"{where}: not a VitaminC row ({exc})") from None
            ex = _pair(evidence.strip(), claim.strip(), _map(VITAMINC_LABELS, label, where), source, f"page:{page}")
            if ex is not None:
                yield ex


def read_vitaminc_real(folder: Path) -> Iterator[NLIExample]:
    """VitaminC real Wikipedia revisions: evidence premise, claim hypothesis; grouped by Wikipedia page."""
    yield from _read_vitaminc(folder / "vitaminc_real_train90.jsonl.gz", "vitaminc_real")


def read_vitaminc_synthetic(folder: Path) -> Iterator[NLIExample]:
    """VitaminC synthetic revisions; grouped by Wikipedia page."""
    yield from _read_vitaminc(folder / "vitaminc_synthetic_train90.jsonl.gz", "vitaminc_synthetic")


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def read_fever(folder: Path) -> Iterator[NLIExample]:
    """FEVER dev 2-way (entailment / not_entailment). A claim recurs with several evidence sentences and an
    evidence sentence with several claims, so the group is the connected component of shared premises and
    claims: neither a claim nor an evidence sentence can fall on both sides of the split."""
    path = folder / "fever_dev_2way.tsv.gz"
    rows: list[tuple[str, str, str]] = []
    for line_no, row in _rows(path, "\t"):
        where = f"{path.name}:{line_no}"
        p, h = _column(row, "premise", where), _column(row, "hypothesis", where)
        label = _map(FEVER_LABELS, _column(row, "label", where), where)
        if p and h:
            rows.append((p, h, label))
    components = _UnionFind()
    for p, h, _ in rows:
        components.union("premise:" + p.lower(), "claim:" + h.lower())
    for p, h, label in rows:
        yield NLIExample(p, h, label, "fever", "fever:" + components.find("premise:" + p.lower()))


def connect_groups(examples: list[NLIExample]) -> list[NLIExample]:
    """Merge groups that share a premise text (the same generic sentence on two Wikipedia pages, two WikiSplit
    rows with one split): each example's group becomes its component's smallest key, so no premise falls on
    both sides of the split."""
    from dataclasses import replace

    components = _UnionFind()
    for ex in examples:
        components.union(ex.group, "text:" + ex.premise.lower())
    return [replace(ex, group=components.find(ex.group)) for ex in examples]


def read_conjnli(folder: Path) -> Iterator[NLIExample]:
    """ConjNLI adversarial train + dev (TSV with a UTF-8 byte-order mark); grouped by premise."""
    for name in ("adversarial_train_15k.tsv.gz", "conj_dev.tsv.gz"):
        yield from _premise_grouped(folder / name, "\t", ("Premise", "Hypothesis", "Label"), CONJNLI_LABELS,
                                    "conjnli", encoding="utf-8-sig")


def read_med(folder: Path) -> Iterator[NLIExample]:
    """MED monotonicity pairs: sentence1, sentence2, gold_label (entailment / neutral); grouped by premise."""
    yield from _premise_grouped(folder / "MED.tsv.gz", "\t", ("sentence1", "sentence2", "gold_label"), MED_LABELS, "med")


_WORD = re.compile(r"[a-z0-9]+")
# Function words a split may add or drop without adding content ("X , who ..." -> "X ... . He ...").
_FUNCTION_WORDS = frozenset("""a an the and or but nor so yet for of in on at to by with from as into onto upon
it its it's he she they them his her hers their theirs him we us our you your i me my this that these those there
here is are was were be been being has have had do does did which who whom whose what where when while then also
than not no s t ll d re ve m
""".split())


def novel_content_words(premise: str, hypothesis: str) -> set[str]:
    """Content words of ``hypothesis`` that ``premise`` does not contain (lower-cased word tokens)."""
    have = set(_WORD.findall(premise.lower()))
    return {w for w in _WORD.findall(hypothesis.lower()) if w not in have and w not in _FUNCTION_WORDS}


def read_wikisplit(folder: Path) -> Iterator[NLIExample]:
    """WikiSplit (tune, validation, test): a long sentence and its split into several sentences, used as
    entailment in both directions. Wikipedia editors sometimes add or drop facts while splitting, so a
    direction is kept only where its hypothesis brings no content word the premise lacks. Grouped by the
    source sentence."""
    for name in ("tune.tsv.gz", "validation.tsv.gz", "test.tsv.gz"):
        path = folder / name
        with _open_text(path) as fh:
            for line_no, line in enumerate(fh, start=1):
                line = line.rstrip("\r\n")
                if not line.strip():
                    continue
                parts = line.split("\t")
                if len(parts) != 2:
                    raise InputError(f"{name}:{line_no}: expected 2 tab-separated columns, found {len(parts)}")
                original = parts[0].strip()
                split = " ".join(s.strip() for s in parts[1].split(WIKISPLIT_SEPARATOR) if s.strip())
                if not original or not split:
                    continue
                group = "wikisplit:" + original.lower()
                if not novel_content_words(original, split):
                    yield NLIExample(original, split, "entailment", "wikisplit", group)
                if not novel_content_words(split, original):
                    yield NLIExample(split, original, "entailment", "wikisplit", group)


# name -> (folder under the data dir, reader)
NEW_SOURCES = {
    "mnli": ("nli/mnli_dev", read_mnli_dev),
    "vitaminc_real": ("nli/vitaminc", read_vitaminc_real),
    "vitaminc_synthetic": ("nli/vitaminc", read_vitaminc_synthetic),
    "fever": ("nli/fever_dev", read_fever),
    "conjnli": ("nli/conjnli", read_conjnli),
    "med": ("nli/med", read_med),
    "wikisplit": ("paraphrase/wikisplit", read_wikisplit),
}


def load_sources(data_dir: Path, names: list[str] | None = None) -> list[NLIExample]:
    """Examples of the named sources (default: the first wave, ``factcheck.training.data.SOURCES``; ``NEW_SOURCES``
    names the second wave)."""
    known = {**SOURCES, **NEW_SOURCES}
    out: list[NLIExample] = []
    for name in names or list(SOURCES):
        if name not in known:
            raise InputError(f"unknown training source {name!r} (known: {', '.join(known)})")
        rel, reader = known[name]
        folder = data_dir / rel
        if not folder.exists():
            raise InputError(f"{folder}: training data folder not found (pass --data-dir pointing at shared/data)")
        out.extend(reader(folder))
    return out


def data_files(data_dir: Path, names: Iterable[str]) -> list[Path]:
    """The files each named source reads (for hashing into training.json)."""

    files: list[Path] = []
    for name in names:
        rel = {**SOURCES, **NEW_SOURCES}[name][0]
        files.extend(sorted(p for p in (data_dir / rel).iterdir()
                            if p.is_file() and p.name not in ("LICENSE", "README.md")))
    return files


def load_streams(data_dir: Path, sources: list[str] | None, jsonl_files: Iterable[Path] = ()) -> dict[str, list[NLIExample]]:
    """The training pool as named streams: one per data-dir source (or the whole first wave as ``first_wave``
    when ``sources`` is empty) and one per synthetic/mined JSONL file (its stem). Second-wave groups are joined
    across sources wherever they share a premise text; first-wave and news groups are left as they were, so
    the earlier models' validation split is unchanged."""
    from factcheck.training.data import read_synthetic

    streams: dict[str, list[NLIExample]] = {}
    if not sources:
        streams["first_wave"] = load_sources(data_dir)
    else:
        for name in sources:
            streams[name] = load_sources(data_dir, [name])
        second = [name for name in sources if name in NEW_SOURCES]
        joined = connect_groups([ex for name in second for ex in streams[name]])
        start = 0
        for name in second:
            streams[name], start = joined[start:start + len(streams[name])], start + len(streams[name])
    for path in jsonl_files:
        streams[Path(path).stem] = list(read_synthetic(Path(path), "train"))
    return streams
