"""Cross-article sentence pairs mined from unlabelled news, for NLI training and for measuring
false contradictions on natural rewording.

Synthetic edits (``factcheck.training.synth``) change one word of one sentence, so a model trained on them
learns that *any* surface difference between two near-identical sentences is suspicious. Real
articles about one event restate each other with different attribution, word order, quotes versus
paraphrase and translations. This module finds such restatements across different article bodies
by embedding similarity and labels them without a model:

- a pair where no deterministic cue (numbers, dates, negation, modality; ``factcheck.cues``) differs
  is a restatement: ``entailment`` in a direction where the premise covers the hypothesis's content
  words, else ``neutral`` (one side adds detail);
- its *twin* applies one contradiction edit from ``factcheck.training.synth.EDITS`` to the hypothesis:
  ``contradiction``. The pair of twins teaches the model to look at what changed in meaning, not
  at how much the wording changed.

Labels are heuristic (a mined pair can disagree in a way no cue sees), so the pairs are split by
article body like the synthetic ones and the test split is used to measure, not to fit thresholds.

    python -m factcheck.training.mine_pairs --news ../shared/data/news/fnc1_train_bodies.csv --out runs/mined.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from factcheck.cues import contradiction_cues
from factcheck.errors import FactcheckError
from factcheck.sentences import split_sentences
from factcheck.training.edits import CONTRADICTION, EDITS, ENTAILMENT, NEUTRAL
from factcheck.training.synth import SynthPair, article_split, print_counts, read_news_bodies, write_jsonl
from factcheck.verdict import same_wording

__all__ = ["MinedPair", "coverage", "label_pair", "mine_pairs", "mine_to_file", "twin_pairs"]

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_STOP = frozenset(
    "a an the of to in on at for by with from and or but that this these those is are was were be been being "
    "it its he she they them his her their we our you your i as has have had will would could should may "
    "might can said says say told also which who whom what when where than then there here not no".split()
)
# Edits whose output is a contradiction of the input sentence (the twin of a restatement).
_TWIN_EDITS = ("negation", "number", "date", "modality", "antonym", "place")


@dataclass(frozen=True)
class MinedPair:
    """Two sentences from different bodies, their cosine similarity and body ids."""

    a: str
    b: str
    body_a: str
    body_b: str
    similarity: float


def _content(text: str) -> set[str]:
    # Five-letter prefixes: "negotiable"/"negotiated" and "deploy"/"deployment" meet, cheaply.
    return {t.casefold()[:5] for t in _TOKEN.findall(text) if t.casefold() not in _STOP}


def coverage(premise: str, hypothesis: str) -> float:
    """Share of the hypothesis's content words (prefixes) that also occur in the premise."""
    hyp = _content(hypothesis)
    return len(hyp & _content(premise)) / len(hyp) if hyp else 1.0


def label_pair(premise: str, hypothesis: str, min_coverage: float = 0.8) -> str:
    """Heuristic label of a cue-free restatement in one direction."""
    return ENTAILMENT if coverage(premise, hypothesis) >= min_coverage else NEUTRAL


def _usable(sentence: str) -> bool:
    words = sentence.split()
    return (8 <= len(words) <= 50 and sentence[:1].isupper() and "http" not in sentence
            and "@" not in sentence)


def mine_pairs(bodies: dict[str, str], embed, min_similarity: float = 0.78, max_similarity: float = 0.97,
               top_k: int = 2, block: int = 2048) -> list[MinedPair]:
    """Sentence pairs from different bodies with cosine in [min, max), each sentence's ``top_k`` best.

    ``embed(texts) -> (n, d) array``. Exact restatements (same wording) and pairs a cue flags are left out.
    """
    texts: list[str] = []
    owners: list[str] = []
    seen: set[str] = set()
    for body_id in sorted(bodies):
        for s in split_sentences(bodies[body_id]):
            key = s.text.casefold()
            if _usable(s.text) and key not in seen:
                seen.add(key)
                texts.append(s.text)
                owners.append(body_id)
    x = np.asarray(embed(texts), dtype=np.float32)
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    owner_ids = np.unique(np.array(owners), return_inverse=True)[1]
    found: dict[tuple[int, int], float] = {}
    for start in range(0, len(texts), block):
        sims = x[start:start + block] @ x.T
        rows = np.arange(start, min(start + block, len(texts)))
        sims[owner_ids[rows][:, None] == owner_ids[None, :]] = -1.0  # same body
        sims[sims >= max_similarity] = -1.0
        best = np.argsort(-sims, axis=1)[:, :top_k]
        for r, row in enumerate(rows):
            for j in best[r]:
                s = float(sims[r, j])
                if s >= min_similarity:
                    found[(min(row, int(j)), max(row, int(j)))] = s
    out = []
    for (i, j), s in sorted(found.items()):
        if same_wording(texts[i], texts[j]) or contradiction_cues(texts[i], texts[j]):
            continue
        out.append(MinedPair(texts[i], texts[j], owners[i], owners[j], s))
    return out


def _components(pairs: list[MinedPair]) -> dict[str, str]:
    """Body id -> the smallest body id connected to it through mined pairs (one story's cluster)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in pairs:
        ra, rb = find(p.body_a), find(p.body_b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in parent}


def _removed_words_in(premise: str, original: str, edited: str) -> bool:
    """The words an edit removed all occur in the premise, so the edit changes shared content."""
    removed = {t.casefold() for t in _TOKEN.findall(original)} - {t.casefold() for t in _TOKEN.findall(edited)}
    return removed <= {t.casefold() for t in _TOKEN.findall(premise)}


def twin_pairs(pairs: list[MinedPair], seed: int = 13, twin_share: float = 0.6,
               test_fraction: float = 0.15, min_twin_coverage: float = 0.6) -> list[SynthPair]:
    """Both directions of every mined pair with heuristic labels, plus contradiction twins.

    Bodies linked by mined pairs form one story cluster, and a whole cluster goes to train or test.
    A twin is made only where the premise covers most of the hypothesis and holds every word the
    edit removed: negating or renumbering material the premise never mentions is no contradiction.
    """
    rng = random.Random(seed)
    cluster = _components(pairs)
    out: list[SynthPair] = []
    for p in pairs:
        group = cluster[p.body_a]
        split = article_split(group, test_fraction)
        for premise, hypothesis in ((p.a, p.b), (p.b, p.a)):
            out.append(SynthPair(premise, hypothesis, label_pair(premise, hypothesis), "mined", group, split))
        if rng.random() >= twin_share:
            continue
        premise, hypothesis = (p.a, p.b) if rng.random() < 0.5 else (p.b, p.a)
        if coverage(premise, hypothesis) < min_twin_coverage:
            continue
        for name in rng.sample(_TWIN_EDITS, len(_TWIN_EDITS)):
            edited = EDITS[name][0](hypothesis, rng)
            if edited and edited != hypothesis and _removed_words_in(premise, hypothesis, edited):
                first, second = (premise, edited) if rng.random() < 0.5 else (edited, premise)
                out.append(SynthPair(first, second, CONTRADICTION, f"mined_{name}", group, split))
                break
    return out


def mine_to_file(news: str | Path, out: str | Path, embedder: str = "default", min_similarity: float = 0.78,
                 seed: int = 13, raw: str | Path | None = None) -> tuple[int, int]:
    """Mine ``news`` (or reuse ``raw`` when it exists), write labelled rows and twins to ``out``.

    Returns (mined pairs, rows written).
    """
    from factcheck.embed import load_embedder

    if raw and Path(raw).exists():
        mined = [MinedPair(**json.loads(line)) for line in Path(raw).read_text(encoding="utf-8").splitlines()]
    else:
        bodies = read_news_bodies(news)
        model = load_embedder(embedder)
        mined = mine_pairs(bodies, lambda t: model.embed(t, batch_size=64), min_similarity=min_similarity)
        if raw:
            Path(raw).write_text("".join(json.dumps(asdict(m), ensure_ascii=False) + "\n" for m in mined),
                                 encoding="utf-8")
    rows = twin_pairs(mined, seed=seed)
    n = write_jsonl(rows, out)
    print_counts(rows)
    return len(mined), n


def main(argv: list[str] | None = None) -> None:
    """``python -m factcheck.training.mine_pairs``: the same as `factcheck train mine`."""
    parser = argparse.ArgumentParser(prog="python -m factcheck.training.mine_pairs",
                                     description="Mine cross-article restatements, label them, add contradiction twins.")
    parser.add_argument("--news", required=True, type=Path, help="FNC-1 style bodies CSV (columns Body ID, articleBody)")
    parser.add_argument("--out", required=True, type=Path, help="output JSONL of labelled pairs")
    parser.add_argument("--embedder", default="default", help="sentence embedder used to find restatements")
    parser.add_argument("--min-similarity", type=float, default=0.78, help="cosine floor for a restatement")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--raw", type=Path, help="also keep the mined pairs here; read them from it when it exists")
    args = parser.parse_args(argv)
    try:
        mined, n = mine_to_file(args.news, args.out, embedder=args.embedder, min_similarity=args.min_similarity,
                                seed=args.seed, raw=args.raw)
    except FactcheckError as exc:  # one line and exit code 2, as the CLI's
        print(f"factcheck: error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    print(f"{mined} mined pairs; wrote {n} rows to {args.out}")


if __name__ == "__main__":
    main()
