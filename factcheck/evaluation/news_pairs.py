"""Real aligned claim pairs from multi-outlet news, labelled by reading, stored by reference.

The labels live in the repository (``eval/news_pairs/labels.jsonl``) without any article text: each
record names its story, the two FNC-1 bodies, the character offsets of each claim in its body and a
sha256 of each claim's text. ``load_news_pairs`` rebuilds the texts from ``../shared/data`` and
refuses, naming the record, when a body is missing or a hash does not match.

Stories:
- dev: FNC-1 competition-test headlines with their related bodies (agree / disagree / discuss),
  joined into one story when headlines share a body (``dev_stories``);
- train / validation: FNC-1 train bodies grouped by embedding similarity (the draw script), split by
  story hash (``story_split``), never by pair.

Labels: ``contradiction``, ``compatible`` or ``unclear`` (unrelated or not decidable), each with a
type (``TYPES``) and an annotator id. See ``eval/news_pairs/GUIDELINE.md``.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from factcheck.errors import InputError

__all__ = [
    "LABELS", "TYPES", "SPLITS", "NewsPair", "PairRef", "card_counts", "cohen_kappa", "dev_stories", "load_news_pairs",
    "read_articles", "read_bodies", "read_refs", "sha", "story_split", "write_refs",
]

LABELS = ("contradiction", "compatible", "unclear")
TYPES = ("number", "date/time", "negation/polarity", "modality", "entity/role", "place", "denial/attribution",
         "paraphrase", "other")
SPLITS = ("train", "validation", "dev")
# Where each split's bodies come from, relative to the shared data folder.
BODY_FILES = {"train": "news/fnc1_train_bodies.csv", "validation": "news/fnc1_train_bodies.csv",
              "dev": "fnc1/fnc1_dev_bodies.csv"}
_SHA_CHARS = 16
# Records that carry their own texts (a user's file) name this body.
TEXT_BODY = "<text>"


def sha(text: str) -> str:
    """The short sha256 of a claim's text that a label record carries."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:_SHA_CHARS]


def story_split(story: str, validation_fraction: float = 0.2) -> str:
    """Train or validation for a train-bodies story, by a hash of its id (never by pair)."""
    h = int(hashlib.sha256(f"news-pairs:{story}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "validation" if h < validation_fraction else "train"


@dataclass(frozen=True)
class PairRef:
    """One labelled pair by reference: no text, only where to find it and what it was judged."""

    id: str
    split: str
    story: str
    body_a: str
    start_a: int
    end_a: int
    sha_a: str
    body_b: str
    start_b: int
    end_b: int
    sha_b: str
    label: str | None = None
    type: str | None = None
    annotator: str | None = None
    stratum: str | None = None
    weight: float = 1.0
    texts: tuple[str, str] | None = None  # only for a user's file that carries the texts

    def to_dict(self) -> dict:
        d = asdict(self)
        if d["texts"] is None:
            del d["texts"]
        return d


@dataclass(frozen=True)
class NewsPair:
    """A rebuilt pair: its reference and the two claim texts."""

    ref: PairRef
    a: str
    b: str


def read_bodies(path: str | Path) -> dict[str, str]:
    """An FNC-1 ``Body ID,articleBody`` CSV as ``{body_id: text}``."""
    csv.field_size_limit(10**8)
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            return {row["Body ID"]: row["articleBody"] for row in csv.DictReader(fh)}
    except OSError as exc:
        raise InputError(f"{path}: cannot read news bodies ({exc.strerror or exc})") from None
    except (KeyError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{path}: not a 'Body ID,articleBody' CSV in UTF-8 ({exc})") from None


def dev_stories(data_dir: str | Path) -> dict[str, list[str]]:
    """FNC-1 dev stories: headlines' related bodies, joined where headlines share a body.

    Returns ``{story_id: sorted body ids}``; the story id is ``dev-<smallest body id>``.
    """
    path = Path(data_dir) / "fnc1" / "fnc1_dev_stances.csv"
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = [r for r in csv.DictReader(fh) if r["Stance"] != "unrelated"]
    except OSError as exc:
        raise InputError(f"{path}: cannot read FNC-1 stances ({exc.strerror or exc})") from None
    except KeyError as exc:
        raise InputError(f"{path}: not an FNC-1 stances CSV (no column {exc})") from None
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    by_headline: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        by_headline[r["Headline"]].append(r["Body ID"])
    for bodies in by_headline.values():
        for b in bodies[1:]:
            parent[find(b)] = find(bodies[0])
        find(bodies[0])
    groups: dict[str, list[str]] = defaultdict(list)
    for b in parent:
        groups[find(b)].append(b)
    out = {}
    for bodies in groups.values():
        bodies = sorted(set(bodies), key=int)
        out[f"dev-{bodies[0]}"] = bodies
    return dict(sorted(out.items(), key=lambda kv: int(kv[0].split("-")[1])))


def read_refs(path: str | Path) -> list[PairRef]:
    """Label records (JSON lines) from ``path``; a bad line is refused with its number."""
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{p}: cannot read news-pair labels ({exc.strerror or exc})") from None
    names = set(PairRef.__dataclass_fields__)
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise TypeError("not a JSON object")
            if isinstance(obj.get("a"), str) and isinstance(obj.get("b"), str):
                obj = _text_record(obj, n)
            ref = PairRef(**{k: v for k, v in obj.items() if k in names})
        except (ValueError, TypeError) as exc:
            raise InputError(f"{p}:{n}: not a news-pair record ({exc})") from None
        if ref.split not in SPLITS:
            raise InputError(f"{p}:{n}: split {ref.split!r} is not one of {', '.join(SPLITS)}")
        if ref.label is not None and ref.label not in LABELS:
            raise InputError(f"{p}:{n}: label {ref.label!r} is not one of {', '.join(LABELS)}")
        if ref.type is not None and ref.type not in TYPES:
            raise InputError(f"{p}:{n}: type {ref.type!r} is not one of {', '.join(TYPES)}")
        out.append(ref)
    return out


def _text_record(obj: dict, n: int) -> dict:
    """A user's own labelled pair with its texts (``a``, ``b``, ``label``, optional ``type``, ``story``, ``id``)."""
    a, b = obj["a"], obj["b"]
    pid = str(obj.get("id", n))
    return {"id": pid, "split": obj.get("split", "dev"), "story": str(obj.get("story", pid)),
            "body_a": TEXT_BODY, "start_a": 0, "end_a": len(a), "sha_a": sha(a),
            "body_b": TEXT_BODY, "start_b": 0, "end_b": len(b), "sha_b": sha(b),
            "label": obj.get("label"), "type": obj.get("type"), "annotator": obj.get("annotator"),
            "texts": (a, b)}


def write_refs(refs: Iterable[PairRef], path: str | Path) -> None:
    """Write label records as JSON lines (sorted keys, one per line)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for r in refs:
            fh.write(json.dumps(r.to_dict(), sort_keys=True, ensure_ascii=False) + "\n")


def _span(bodies: Mapping[str, str], body: str, start: int, end: int, digest: str, where: str) -> str:
    text = bodies.get(body)
    if text is None:
        raise InputError(f"{where}: body {body} is not in the shared data")
    if not 0 <= start < end <= len(text):
        raise InputError(f"{where}: offsets {start}-{end} lie outside body {body} ({len(text)} characters)")
    span = text[start:end]
    if sha(span) != digest:
        raise InputError(f"{where}: the text at {body}[{start}:{end}] does not match its hash {digest}; "
                         "the shared data differs from the copy these labels were made on")
    return span


def read_articles(path: str | Path) -> dict[str, str]:
    """The project's own written articles (``eval/outlets/articles.jsonl``) as ``{article_id: text}``."""
    out: dict[str, str] = {}
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot read articles ({exc.strerror or exc})") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            out[str(row["id"])] = row["text"].strip()
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
            raise InputError(f"{path}:{n}: not an article record (JSON with 'id' and 'text')") from None
    return out


def load_news_pairs(path: str | Path, data_dir: str | Path, splits: Sequence[str] | None = None,
                    labelled_only: bool = True, articles: Mapping[str, str] | None = None) -> list[NewsPair]:
    """Rebuild labelled pairs from ``data_dir`` (the shared data folder), checking every hash.

    ``articles`` holds bodies that are not in the shared data (the project's written articles,
    ``read_articles``); a pair may take one or both of its sides from them.
    """
    refs = [r for r in read_refs(path) if (splits is None or r.split in splits)
            and (r.label is not None or not labelled_only)]
    cache: dict[str, dict[str, str]] = {}
    out = []
    for r in refs:
        if r.texts is not None:
            out.append(NewsPair(r, *r.texts))
            continue
        file = Path(data_dir) / BODY_FILES[r.split]
        if str(file) not in cache:
            if not file.is_file():
                raise InputError(f"{file}: not found; the news pairs are rebuilt from the shared data folder "
                                 "(give it with --data-dir)")
            cache[str(file)] = read_bodies(file)
        bodies = {**cache[str(file)], **articles} if articles else cache[str(file)]
        where = f"{Path(path).name}: pair {r.id}"
        a = _span(bodies, r.body_a, r.start_a, r.end_a, r.sha_a, where)
        b = _span(bodies, r.body_b, r.start_b, r.end_b, r.sha_b, where)
        out.append(NewsPair(r, a, b))
    return out


def cohen_kappa(first: Sequence[str], second: Sequence[str]) -> float:
    """Cohen's kappa of two annotators' labels of the same items."""
    if len(first) != len(second) or not first:
        raise ValueError("kappa needs two equally long, non-empty label lists")
    n = len(first)
    observed = sum(a == b for a, b in zip(first, second)) / n
    ca, cb = Counter(first), Counter(second)
    expected = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    return 1.0 if expected == 1.0 else (observed - expected) / (1.0 - expected)


def card_counts(refs: Sequence[PairRef]) -> dict:
    """Counts for the data card: per split, label and type; stories and annotators."""
    out: dict = {}
    for split in SPLITS:
        rs = [r for r in refs if r.split == split and r.label]
        if not rs:
            continue
        out[split] = {"pairs": len(rs), "stories": len({r.story for r in rs}),
                      "labels": dict(Counter(r.label for r in rs).most_common()),
                      "types": dict(Counter(r.type for r in rs).most_common()),
                      "contradiction_types": dict(Counter(r.type for r in rs if r.label == "contradiction").most_common()),
                      "annotators": dict(Counter(r.annotator for r in rs).most_common())}
    return out
