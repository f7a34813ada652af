"""Evaluation data: local JSONL/JSON/CSV/TSV/Parquet or Hub datasets, read through `datasets`.

Built-in presets describe the public sets in ``../shared/data`` as data (columns, label map, task);
code appears only where a format needs it (the FNC-1 headline/body join, SummEdits domains).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path

from factcheck.errors import InputError
from factcheck.extras import require_extra
from factcheck.labels import LABELS
from factcheck.models import file_sha256, portable_path

__all__ = [
    "DROP",
    "LABELS",
    "PRESETS",
    "BinaryScore",
    "DataRef",
    "DataSpec",
    "EvalSet",
    "Example",
    "Preset",
    "PresetName",
    "Task",
    "check_disjoint",
    "load_eval_set",
    "parse_label_map",
]

# A label-map target that drops the row (counted in the report).
DROP = "drop"
# Gold values that mean "no gold label": such rows are dropped and counted.
_NO_GOLD = frozenset({"", "-", "none", "nan"})


class Task(str, Enum):
    """How examples are scored."""

    pairs = "pairs"
    document = "document"


class BinaryScore(str, Enum):
    """Score of the positive class for a two-way gold set."""

    contradiction = "contradiction"
    not_entailment = "not_entailment"


SCORE_DEFINITIONS: dict[BinaryScore, str] = {
    BinaryScore.contradiction: "P(contradiction)",
    BinaryScore.not_entailment: "1 - P(entailment)",
}


@dataclass(frozen=True)
class Example:
    """One evaluation example; ``label`` is a model class, ``gold`` the value in the file."""

    id: str
    premise: str
    hypothesis: str
    label: str
    gold: str


@dataclass(frozen=True)
class DataRef:
    """What was read, for provenance and for refusing to fit and report on the same rows."""

    source: str
    files: tuple[tuple[str, str], ...] = ()  # (resolved path, sha256)
    hub: str | None = None
    selection: tuple[tuple[str, str], ...] = ()  # e.g. (("split", "test"),)

    @property
    def sha256(self) -> str | None:
        """One digest for all files (the file's own digest when there is one file)."""
        if not self.files:
            return None
        if len(self.files) == 1:
            return self.files[0][1]
        joined = "\n".join(f"{digest}  {Path(path).name}" for path, digest in sorted(self.files))
        return hashlib.sha256(joined.encode()).hexdigest()

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "sha256": self.sha256,
            "files": [{"path": p, "sha256": d} for p, d in self.files],
            "hub": self.hub,
            "selection": dict(self.selection),
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> DataRef:
        return cls(
            source=str(data.get("source", "")),
            files=tuple((f["path"], f["sha256"]) for f in data.get("files", [])),
            hub=data.get("hub"),
            selection=tuple(sorted((str(k), str(v)) for k, v in (data.get("selection") or {}).items())),
        )


@dataclass(frozen=True)
class EvalSet:
    """Examples ready to score, with what the report needs to say about them."""

    name: str
    ref: DataRef
    task: Task
    classes: tuple[str, ...]
    label_map: Mapping[str, str]
    examples: tuple[Example, ...]
    rows_read: int
    dropped: Mapping[str, int] = field(default_factory=dict)
    limit: int | None = None
    score: BinaryScore | None = None

    @property
    def binary(self) -> bool:
        return len(self.classes) == 2

    @property
    def positive(self) -> str | None:
        """The positive class of a two-way set: the one that is not entailment."""
        if not self.binary:
            return None
        return self.classes[1]


Reader = Callable[[Path, "DataSpec"], tuple[list[dict], list[Path]]]


@dataclass(frozen=True)
class Preset:
    """A built-in adapter: where the columns are, what the labels mean, how to score."""

    name: str
    description: str
    task: Task
    premise: str
    hypothesis: str
    label: str
    labels: Mapping[str, str]
    id_column: str | None = None
    score: BinaryScore | None = None
    reader: Reader | None = None


@dataclass(frozen=True)
class DataSpec:
    """What the user asked for; every field optional except one of ``path`` / ``dataset``."""

    path: Path | None = None
    dataset: str | None = None
    dataset_config: str | None = None
    split: str | None = None
    preset: str | None = None
    domain: str | None = None
    task: Task | None = None
    premise: str | None = None
    hypothesis: str | None = None
    label: str | None = None
    id_column: str | None = None
    labels: Mapping[str, str] | None = None
    score: BinaryScore | None = None
    limit: int | None = None


# ---------------------------------------------------------------------------------------------
# Reading files through `datasets`

_FORMATS: dict[str, tuple[str, dict]] = {
    ".jsonl": ("json", {}),
    ".json": ("json", {}),
    ".csv": ("csv", {}),
    ".tsv": ("csv", {"delimiter": "\t"}),
    ".parquet": ("parquet", {}),
}


def _datasets():
    """The `datasets` package (the eval extra), or one line saying how to install it."""
    return require_extra("datasets", "eval", "reading evaluation data")


@contextlib.contextmanager
def _quiet_datasets() -> Iterator[None]:
    datasets = _datasets()

    was_enabled = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()
    try:
        yield
    finally:
        if was_enabled:
            datasets.enable_progress_bars()


def _rows(ds) -> list[dict]:
    """Rows of a `datasets.Dataset` as dicts, ClassLabel integers turned into their names."""
    datasets = _datasets()

    class_labels = {
        name: feat for name, feat in ds.features.items() if isinstance(feat, datasets.ClassLabel)
    }
    rows = ds.to_list()
    for name, feat in class_labels.items():
        for row in rows:
            value = row[name]
            row[name] = feat.int2str(value) if value is not None and value >= 0 else None
    return rows


def read_table(path: Path) -> list[dict]:
    """Read one local JSON/JSONL/CSV/TSV/Parquet file as a list of row dicts."""
    suffix = path.suffix.lower()
    if suffix not in _FORMATS:
        raise InputError(f"{path}: unknown file type {suffix!r}; use .jsonl, .json, .csv, .tsv or .parquet")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty")
    builder, kwargs = _FORMATS[suffix]
    datasets = _datasets()

    try:
        with _quiet_datasets():
            ds = datasets.load_dataset(builder, data_files=str(path), split="train", **kwargs)
    except Exception as exc:  # datasets/pyarrow/pandas raise many types for unreadable files
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "corresponds to no data" in first:  # a header and no rows
            raise InputError(f"{path}: no rows") from exc
        raise InputError(f"{path}: cannot be read as {suffix[1:].upper()} ({first})") from exc
    return _rows(ds)


def read_json(path: Path, missing: str) -> object:
    """The parsed JSON in ``path``; InputError ``"{path}: {missing}"`` when there is no such file, or when it is not JSON."""
    if not path.is_file():
        raise InputError(f"{path}: {missing}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not valid JSON ({exc})") from exc


def read_hub(name: str, config: str | None, split: str | None) -> list[dict]:
    """Read a split of a Hugging Face Hub dataset (needs network or the local datasets cache)."""
    datasets = _datasets()

    try:
        with _quiet_datasets():
            loaded = datasets.load_dataset(name, config, split=split)
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(
            f"dataset {name!r} could not be loaded from the Hugging Face Hub ({first}); "
            "check the name and your network, or pass a local file with --data"
        ) from exc
    if isinstance(loaded, datasets.DatasetDict):
        splits = ", ".join(loaded)
        if len(loaded) != 1:
            raise InputError(f"dataset {name!r} has several splits ({splits}); choose one with --split")
        loaded = next(iter(loaded.values()))
    return _rows(loaded)


# ---------------------------------------------------------------------------------------------
# Format-specific readers (code only where the format needs it)


def _fnc1_pair(path: Path) -> tuple[Path, Path]:
    """The (bodies, stances) CSV pair for a FNC-1 folder or either file of the pair."""
    if path.is_file():
        stem = path.name.removesuffix("_bodies.csv").removesuffix("_stances.csv")
        if stem == path.name:
            raise InputError(f"{path}: the fnc1 preset needs a *_bodies.csv/*_stances.csv pair or their folder")
        folder = path.parent
    elif path.is_dir():
        stems = sorted(p.name.removesuffix("_stances.csv") for p in path.glob("*_stances.csv"))
        stems = [s for s in stems if (path / f"{s}_bodies.csv").is_file()]
        if len(stems) != 1:
            found = ", ".join(stems) or "none"
            raise InputError(
                f"{path}: expected one *_bodies.csv/*_stances.csv pair, found {found}; pass one file of the pair"
            )
        stem, folder = stems[0], path
    else:
        raise InputError(f"{path}: no such file or folder")
    bodies, stances = folder / f"{stem}_bodies.csv", folder / f"{stem}_stances.csv"
    for p in (bodies, stances):
        if not p.is_file():
            raise InputError(f"{p}: missing (the fnc1 preset reads {bodies.name} with {stances.name})")
    return bodies, stances


def _read_fnc1(path: Path, spec: DataSpec) -> tuple[list[dict], list[Path]]:
    """Join FNC-1 stances (Headline, Body ID, Stance) to their article bodies."""
    bodies_path, stances_path = _fnc1_pair(path)
    bodies = read_table(bodies_path)
    stances = read_table(stances_path)
    for name, rows, column in ((bodies_path, bodies, "articleBody"), (stances_path, stances, "Headline")):
        if rows and ("Body ID" not in rows[0] or column not in rows[0]):
            raise InputError(f"{name}: not a FNC-1 file (needs columns 'Body ID' and {column!r})")
    by_id = {str(row["Body ID"]): row["articleBody"] for row in bodies}
    out = []
    for i, row in enumerate(stances):
        body_id = str(row["Body ID"])
        if body_id not in by_id:
            raise InputError(f"{stances_path}: row {i + 2} refers to Body ID {body_id}, not in {bodies_path.name}")
        out.append({**row, "articleBody": by_id[body_id], "id": f"{body_id}-{i}"})
    return out, [bodies_path, stances_path]


def _read_summedits(path: Path, spec: DataSpec) -> tuple[list[dict], list[Path]]:
    """SummEdits: one ``summedits_<domain>.json`` file, or a folder (all domains or ``--domain``)."""
    if path.is_dir():
        files = sorted(path.glob("summedits_*.json"))
        if spec.domain:
            files = [f for f in files if f.stem.removeprefix("summedits_") == spec.domain]
            if not files:
                known = ", ".join(sorted(f.stem.removeprefix("summedits_") for f in path.glob("summedits_*.json")))
                raise InputError(f"{path}: no SummEdits domain {spec.domain!r} (domains: {known or 'none'})")
        if not files:
            raise InputError(f"{path}: no summedits_*.json files")
    else:
        if spec.domain and path.stem.removeprefix("summedits_") != spec.domain:
            raise InputError(f"{path}: --domain {spec.domain} does not match this file; pass the folder instead")
        files = [path]
    rows = []
    for f in files:
        domain = f.stem.removeprefix("summedits_")
        rows.extend({**row, "domain": domain} for row in read_table(f))
    return rows, files


PRESETS: dict[str, Preset] = {
    "anli": Preset(
        name="anli",
        description="ANLI analysis CSVs: context vs statement, gold_label e/n/c (3-way)",
        task=Task.pairs,
        premise="context",
        hypothesis="statement",
        label="gold_label",
        labels={"e": "entailment", "n": "neutral", "c": "contradiction"},
        id_column="uid",
    ),
    "fnc1": Preset(
        name="fnc1",
        description="FNC-1 headline vs article body; agree vs disagree (discuss/unrelated dropped)",
        task=Task.document,
        premise="articleBody",
        hypothesis="Headline",
        label="Stance",
        labels={"agree": "entailment", "disagree": "contradiction", "discuss": DROP, "unrelated": DROP},
        id_column="id",
        score=BinaryScore.contradiction,
        reader=_read_fnc1,
    ),
    "summedits": Preset(
        name="summedits",
        description="SummEdits document vs edited summary; 1 consistent / 0 inconsistent",
        task=Task.document,
        premise="doc",
        hypothesis="summary",
        label="label",
        labels={"1": "entailment", "0": "contradiction"},
        id_column="id",
        score=BinaryScore.not_entailment,
        reader=_read_summedits,
    ),
}

# news-pairs is its own task (two-way verdicts on labelled real news pairs, factcheck.evaluation.news_eval),
# not an NLI table, so it is a preset name without a table adapter.
NEWS_PAIRS = "news-pairs"
PresetName = Enum("PresetName", {**{name: name for name in PRESETS}, NEWS_PAIRS: NEWS_PAIRS}, type=str)
PresetName.__doc__ = "Built-in dataset adapters."

_DEFAULT_LABELS: dict[str, str] = {
    **{label: label for label in LABELS},
    "e": "entailment",
    "n": "neutral",
    "c": "contradiction",
}


# ---------------------------------------------------------------------------------------------
# Labels


def _key(value) -> str:
    """A label value as a lookup key: 1, 1.0, True and "1" all become "1"; text is lower-cased."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value).strip().lower()


def parse_label_map(text: str) -> dict[str, str]:
    """Parse ``"e=entailment,n=neutral,c=contradiction"`` (targets: model classes or ``drop``)."""
    mapping: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        value, sep, target = item.partition("=")
        target = target.strip().lower()
        if not sep or not value.strip():
            raise InputError(f"bad --labels item {item!r}; write VALUE=CLASS, e.g. e=entailment,c=contradiction")
        if target not in LABELS and target != DROP:
            raise InputError(f"bad --labels target {target!r} in {item!r}; use one of {', '.join(LABELS)} or {DROP}")
        mapping[_key(value)] = target
    if not mapping:
        raise InputError("--labels is empty; write VALUE=CLASS pairs, e.g. e=entailment,c=contradiction")
    return mapping


def _classes(label_map: Mapping[str, str]) -> tuple[str, ...]:
    targets = {t for t in label_map.values() if t != DROP}
    classes = tuple(label for label in LABELS if label in targets)
    if len(classes) < 2:
        raise InputError(f"the label map must name at least two classes; it names {', '.join(classes) or 'none'}")
    return classes


# ---------------------------------------------------------------------------------------------
# Loading


def _resolve_spec(spec: DataSpec) -> tuple[DataSpec, Preset | None]:
    """Fill the spec's unset fields from its preset (or the generic defaults)."""
    preset = None
    if spec.preset is not None:
        key = getattr(spec.preset, "value", spec.preset)
        if key not in PRESETS:
            raise InputError(f"unknown preset {key!r}; choose from {', '.join(PRESETS)}")
        preset = PRESETS[key]
    defaults = preset or Preset("", "", Task.pairs, "premise", "hypothesis", "label", _DEFAULT_LABELS)
    return (
        replace(
            spec,
            task=spec.task or defaults.task,
            premise=spec.premise or defaults.premise,
            hypothesis=spec.hypothesis or defaults.hypothesis,
            label=spec.label or defaults.label,
            id_column=spec.id_column or defaults.id_column,
            labels=spec.labels or defaults.labels,
            score=spec.score or defaults.score,
        ),
        preset,
    )


def _read(spec: DataSpec, preset: Preset | None) -> tuple[list[dict], DataRef]:
    if (spec.path is None) == (spec.dataset is None):
        raise InputError("give exactly one of --data FILE (local) or --dataset NAME (Hugging Face Hub)")
    if spec.dataset is not None:
        if preset is not None and preset.reader is not None:
            raise InputError(f"the {preset.name} preset reads local files; use --data PATH")
        rows = read_hub(spec.dataset, spec.dataset_config, spec.split)
        hub = spec.dataset + (f"/{spec.dataset_config}" if spec.dataset_config else "")
        selection = (("split", spec.split),) if spec.split else ()
        return rows, DataRef(source=f"hub:{hub}", hub=hub, selection=selection)

    path = Path(spec.path).expanduser()
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if preset is not None and preset.reader is not None:
        rows, files = preset.reader(path, spec)
    elif path.is_dir():
        raise InputError(f"{path}: is a folder; pass a file (or a preset that reads folders: fnc1, summedits)")
    else:
        if spec.domain:
            raise InputError("--domain applies to the summedits preset only")
        rows, files = read_table(path), [path]
    selection: list[tuple[str, str]] = []
    if spec.domain:
        selection.append(("domain", spec.domain))
    if spec.split:
        if rows and "split" not in rows[0]:
            raise InputError(f"{path}: --split needs a 'split' column in a local file (or a Hub --dataset)")
        rows = [row for row in rows if str(row.get("split")) == spec.split]
        if not rows:
            raise InputError(f"{path}: no rows with split {spec.split!r}")
        selection.append(("split", spec.split))
    ref = DataRef(
        source=portable_path(path, digest=False),
        files=tuple((portable_path(f, digest=False), file_sha256(f)) for f in files),
        selection=tuple(sorted(selection)),
    )
    return rows, ref


def load_eval_set(spec: DataSpec) -> EvalSet:
    """Read, map labels, drop what the label map drops, apply ``limit``; raise InputError on bad input."""
    asked_id_column = spec.id_column
    spec, preset = _resolve_spec(spec)
    rows, ref = _read(spec, preset)
    where = ref.source.removeprefix("hub:")
    if not rows:
        raise InputError(f"{where}: no rows")
    if spec.limit is not None and spec.limit <= 0:
        raise InputError(f"--limit must be positive, not {spec.limit}")
    columns = list(rows[0])
    for option, column in (("--premise", spec.premise), ("--hypothesis", spec.hypothesis), ("--label", spec.label)):
        if column not in rows[0]:
            raise InputError(f"{where}: no column {column!r} (columns: {', '.join(map(str, columns))}); use {option} COLUMN")
    if asked_id_column and asked_id_column not in rows[0]:
        raise InputError(f"{where}: no id column {asked_id_column!r} (columns: {', '.join(map(str, columns))})")

    label_map = {_key(k): v for k, v in spec.labels.items()}
    classes = _classes(label_map)
    keys = [_key(row[spec.label]) for row in rows]
    unknown = Counter(k for k in keys if k not in label_map and k not in _NO_GOLD)
    if unknown:
        shown = ", ".join(f"{k!r} ({n} rows)" for k, n in unknown.most_common(5))
        raise InputError(
            f"{where}: unknown label values in column {spec.label!r}: {shown}; "
            f"map them with --labels VALUE=CLASS (classes: {', '.join(LABELS)}, or {DROP})"
        )

    dropped: Counter[str] = Counter()
    examples: list[Example] = []
    examined = 0
    for i, (row, key) in enumerate(zip(rows, keys)):
        examined += 1
        target = label_map.get(key)
        if target is None:
            dropped["no gold label"] += 1
            continue
        if target == DROP:
            dropped[f"label {key}"] += 1
            continue
        premise, hypothesis = row[spec.premise], row[spec.hypothesis]
        if not isinstance(premise, str) or not isinstance(hypothesis, str):
            dropped["missing premise or hypothesis"] += 1
            continue
        ident = row.get(spec.id_column) if spec.id_column else None
        examples.append(Example(str(ident if ident is not None else i), premise, hypothesis, target, key))
        if spec.limit is not None and len(examples) >= spec.limit:
            break
    if not examples:
        raise InputError(f"{where}: no examples left after dropping {dict(dropped)}")

    name = preset.name if preset else (ref.hub or Path(ref.source).name)
    if spec.domain:
        name += f"/{spec.domain}"
    if spec.split:
        name += f":{spec.split}"
    binary = len(classes) == 2
    score = None
    if binary:
        score = spec.score or (BinaryScore.contradiction if classes[1] == "contradiction" else BinaryScore.not_entailment)
    return EvalSet(
        name=name,
        ref=ref,
        task=Task(spec.task),
        classes=classes,
        label_map=label_map,
        examples=tuple(examples),
        rows_read=examined,
        dropped=dict(dropped),
        limit=spec.limit,
        score=score,
    )


def _selections_overlap(a: DataRef, b: DataRef) -> bool:
    sa, sb = dict(a.selection), dict(b.selection)
    return all(sa[k] == sb[k] for k in sa.keys() & sb.keys())


def _describe(ref: DataRef) -> str:
    rows = ", ".join(f"{k}={v}" for k, v in ref.selection) or "all rows"
    return f"{ref.source}, {rows}"


def check_disjoint(fit: DataRef, report: DataRef) -> None:
    """Refuse (InputError) when thresholds would be fitted on rows the report scores.

    Overlap: a shared file (same path or same sha256, e.g. a copy, or a folder holding the file)
    or the same Hub dataset, with row selections (split, domain) that do not exclude each other.
    """
    fit_paths, report_paths = {p for p, _ in fit.files}, {p for p, _ in report.files}
    same_file = bool(fit_paths & report_paths) or bool({d for _, d in fit.files} & {d for _, d in report.files})
    same_hub = fit.hub is not None and fit.hub == report.hub
    if (same_file or same_hub) and _selections_overlap(fit, report):
        how = "" if fit_paths & report_paths or same_hub else " (same sha256)"
        raise InputError(
            f"refusing to fit thresholds on the data the report scores: fit data ({_describe(fit)}) and"
            f" report data ({_describe(report)}) share rows{how}; fit on a separate dev split"
        )

