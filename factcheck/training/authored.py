"""The authored news pairs (``eval/authored/``): premises by reference into the FNC-1 train bodies, hypotheses
written by the project's writers, and the pool mix that trains the judge on them.

A record of ``authored.jsonl``: ``id, premise, hypothesis, label, family, author``; ``premises.jsonl`` maps each
premise id to ``story, body, start, end, sha``. The texts are rebuilt from ``shared/data`` and every hash checked.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from factcheck.errors import InputError
from factcheck.training.data import NLIExample

AUTHORED_LABELS = ("contradiction", "compatible", "unclear")
BODIES = "news/fnc1_train_bodies.csv"


@dataclass(frozen=True)
class AuthoredPair:
    id: str
    story: str
    premise: str
    hypothesis: str
    label: str
    family: str
    author: str


def _jsonl(path: Path) -> list[dict]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    out = []
    for n, line in enumerate(lines, 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except ValueError as exc:
                raise InputError(f"{path}:{n}: not JSON ({exc})") from None
    return out


def premise_texts(premises: Path, data_dir: Path) -> dict[str, tuple[str, str]]:
    """Premise id -> (story, text), rebuilt from the shared bodies with each hash checked."""
    from factcheck.evaluation.news_pairs import read_bodies, sha

    file = Path(data_dir) / BODIES
    if not file.is_file():
        raise InputError(f"{file}: not found; the authored premises are rebuilt from the shared data folder")
    bodies = read_bodies(file)
    out = {}
    for r in _jsonl(premises):
        text = bodies.get(r["body"], "")[r["start"]:r["end"]]
        if sha(text) != r["sha"]:
            raise InputError(f"{premises.name}: premise {r['id']}: the text at body {r['body']}[{r['start']}:"
                             f"{r['end']}] does not match its hash")
        out[r["id"]] = (r["story"], text)
    return out


def load_authored(path: Path, premises: Path, data_dir: Path) -> list[AuthoredPair]:
    """Every authored pair with its premise text."""
    texts = premise_texts(premises, data_dir)
    out = []
    for n, r in enumerate(_jsonl(path), 1):
        if r.get("label") not in AUTHORED_LABELS:
            raise InputError(f"{path}:{n}: label {r.get('label')!r} is not one of {', '.join(AUTHORED_LABELS)}")
        if r.get("premise") not in texts:
            raise InputError(f"{path}:{n}: premise {r.get('premise')!r} is not in {premises.name}")
        story, text = texts[r["premise"]]
        out.append(AuthoredPair(r["id"], story, text, r["hypothesis"], r["label"], r["family"], r["author"]))
    return out


def authored_examples(pairs: list[AuthoredPair]) -> list[NLIExample]:
    """NLI examples, both directions: a contradiction both ways; compatible is anything but a contradiction
    (it may add detail, so not entailment); unclear, a different fact of the same story, is neutral."""
    to = {"contradiction": "contradiction", "compatible": "not_contradiction", "unclear": "neutral"}
    out = []
    for p in pairs:
        group = f"story:{p.story}"
        lab = to[p.label]
        out += [NLIExample(p.premise, p.hypothesis, lab, "authored", group),
                NLIExample(p.hypothesis, p.premise, lab, "authored", group)]
    return out


NEGATION = re.compile(
    r"\b(not|no|never|none|nobody|nothing|neither|nor|without|cannot|deny|denies|denied|denying|false|fake|hoax)\b"
    r"|n't\b", re.IGNORECASE)


def has_negation(text: str) -> bool:
    """Whether a sentence holds one of the authoring guide's negation words."""
    return bool(NEGATION.search(text.replace("\u2019", "'")))


def negation_balanced(pairs: list[AuthoredPair], share: float, seed: int = 0) -> list[AuthoredPair]:
    """The pairs with rows repeated so that, within every label, ``share`` of the hypotheses hold a negation word.

    Writers put negation into compatible pairs (negated paraphrases) more often than into contradictions;
    repeating the rarer side of each label keeps every pair and takes away negation as a cue to the label.
    """
    rng = random.Random(seed)
    out: list[AuthoredPair] = []
    for label in AUTHORED_LABELS:
        rows = [p for p in pairs if p.label == label]
        neg = [p for p in rows if has_negation(p.hypothesis)]
        pos = [p for p in rows if not has_negation(p.hypothesis)]
        if not neg or not pos:
            out += rows
            continue
        # Repeat one side by a real factor (whole copies plus a random remainder) until it has the target share.
        if len(neg) / len(rows) < share:
            factor, side, other = share * len(pos) / ((1 - share) * len(neg)), neg, pos
        else:
            factor, side, other = (1 - share) * len(neg) / (share * len(pos)), pos, neg
        whole = int(factor)
        extra = rng.sample(side, round((factor - whole) * len(side)))
        out += other + side * whole + extra
    return out


def authored_subset(pairs: list[AuthoredPair], limit: int = 0, contradiction_share: float = 0.0,
                    seed: int = 0) -> list[AuthoredPair]:
    """A random subset of the authored pairs: at most ``limit`` premises' pairs (0: all), and contradictions
    dropped at random until they are at most ``contradiction_share`` of the rows (0: as written).

    Writers were asked for many contradictions; real aligned news pairs hold about 8%. Sampling whole premises
    keeps each premise's contrasting hypotheses together.
    """
    rng = random.Random(seed)
    if limit:
        premises = sorted({p.premise for p in pairs})
        rng.shuffle(premises)
        keep = set(premises[:limit])
        pairs = [p for p in pairs if p.premise in keep]
    if contradiction_share:
        con = [p for p in pairs if p.label == "contradiction"]
        rest = [p for p in pairs if p.label != "contradiction"]
        room = int(contradiction_share * len(rest) / (1 - contradiction_share))
        if len(con) > room:
            con = rng.sample(con, room)
        pairs = con + rest
    return pairs


def mix_pool(args: argparse.Namespace) -> dict:
    """A training pool: the authored pairs, the read news pairs' train split and a replay sample of a base pool.

    Replay rows whose premise comes from a validation story's body are left out (the base pool's synthetic
    streams were cut from every FNC-1 train body).
    """
    from factcheck.training.distill import read_pool, write_pool
    from factcheck.training.train import news_pair_examples

    data_dir = Path(args.data_dir)
    rng = random.Random(args.seed)
    header, base_train, base_val = read_pool(Path(args.base_pool))
    held = []
    if args.stories:
        from factcheck.evaluation.news_pairs import read_bodies

        stories = json.loads(Path(args.stories).read_text(encoding="utf-8"))
        bodies = read_bodies(data_dir / BODIES)
        held = [bodies[b] for s, m in stories["stories"].items() if stories["split"][s] == "validation" for b in m]
    blob = "\n".join(held)
    replay_pool = [e for e in base_train if e.source not in {"news_pairs"}]
    rng.shuffle(replay_pool)
    replay, dropped = [], 0
    for e in replay_pool:
        if len(replay) >= args.replay:
            break
        if blob and e.premise[:80] in blob:
            dropped += 1
            continue
        replay.append(e)
    pairs = load_authored(Path(args.authored), Path(args.premises), data_dir)
    written = len(pairs)
    if args.keep:
        # The ids that survive the hypothesis-only filter (eval/authored/train_filter.json).
        kept = set(json.loads(Path(args.keep).read_text(encoding="utf-8"))["kept_ids"])
        pairs = [p for p in pairs if p.id in kept]
    pairs = authored_subset(pairs, args.authored_limit, args.authored_contradiction_share, args.seed)
    if args.negation_share:
        pairs = negation_balanced(pairs, args.negation_share, args.seed)
    authored = authored_examples(pairs)
    news = news_pair_examples(Path(args.news_pairs), data_dir, args.news_contradiction_repeat,
                              Path(args.articles) if args.articles else None)
    streams = {"authored": authored * args.authored_repeat, "news_pairs": news * args.news_repeat,
               "replay": replay}
    train = [(name, e) for name, rows in streams.items() for e in rows]
    rng.shuffle(train)
    meta = {"base_pool": {"file": Path(args.base_pool).name, "data": header.get("data")},
            "train_streams": {k: len(v) for k, v in streams.items()},
            "authored_repeat": args.authored_repeat, "negation_share": args.negation_share,
            "authored_limit": args.authored_limit,
            "authored_contradiction_share": args.authored_contradiction_share, "news_repeat": args.news_repeat,
            "authored_pairs": {"written": written, "kept": len({p.id for p in pairs}),
                               "keep_file": Path(args.keep).name if args.keep else None,
                               "ids_sha256": hashlib.sha256("\n".join(sorted({p.id for p in pairs})).encode()).hexdigest()},
            "authored_negation_share": {lab: round(sum(has_negation(p.hypothesis) for p in pairs if p.label == lab)
                                                   / max(1, sum(p.label == lab for p in pairs)), 3)
                                        for lab in AUTHORED_LABELS}, "replay_dropped_validation_story": dropped,
            "validation_sources": dict(Counter(e.source for e in base_val)), "seed": args.seed}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    write_pool(Path(args.out), train, base_val, meta)
    return meta


def main(argv: list[str] | None = None) -> None:
    import logging

    ap = argparse.ArgumentParser(prog="python -m factcheck.training.authored", description=mix_pool.__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default="../shared/data")
    ap.add_argument("--base-pool", required=True, help="the pool to replay from (.jsonl.xz)")
    ap.add_argument("--replay", type=int, default=30000, help="rows of the base pool to replay")
    ap.add_argument("--authored", default="eval/authored/authored.jsonl")
    ap.add_argument("--premises", default="eval/authored/premises.jsonl")
    ap.add_argument("--authored-repeat", type=int, default=1)
    ap.add_argument("--keep", default="eval/authored/train_filter.json",
                    help="train only on the ids this file keeps (the hypothesis-only filter); '' for all")
    ap.add_argument("--negation-share", type=float, default=0.25,
                    help="repeat rows so this share of every label's hypotheses hold a negation word (0: as written)")
    ap.add_argument("--stories", default="eval/authored/stories.json", help="story split: drop validation replay")
    ap.add_argument("--news-pairs", default="eval/news_pairs/labels.jsonl")
    ap.add_argument("--articles", default="", help="written articles some news pairs take a side from "
                    "(eval/outlets/articles.jsonl); '' for none")
    ap.add_argument("--news-contradiction-repeat", type=int, default=3)
    ap.add_argument("--news-repeat", type=int, default=1, help="put the news pairs' stream in the mix this many times")
    ap.add_argument("--authored-limit", type=int, default=0, help="keep the pairs of this many premises (0: all)")
    ap.add_argument("--authored-contradiction-share", type=float, default=0.0,
                    help="drop authored contradictions at random down to this share of the rows (0: as written)")
    ap.add_argument("--seed", type=int, default=23)
    ap.add_argument("--out", required=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    print(json.dumps(mix_pool(ap.parse_args(argv)), indent=2))


if __name__ == "__main__":
    main()
