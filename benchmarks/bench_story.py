"""Cost of the story view (disputes, time check, language ID, lexical pairs): two trees, one run, same inputs.

    python benchmarks/bench_story.py --before /tmp/before --after . --big runs/dev10 --out eval/results/bench_story

Each tree runs in its own process (``PYTHONPATH=<tree>``), with models loaded once; ``run_check`` is timed
on seeds/ and on one 50-article cluster (the first 50 bodies of the folders under ``--big``, e.g. the
FNC-1 dev clusters of ``eval/news_pairs/dev_clusters.py``), median of ``--repeats``, the trees
alternating so that both see the same machine load. Only ``read_documents``, ``run_check`` and the
loaders are used, so an older tree runs it too.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import dataclasses, json, os, sys, time
from pathlib import Path
import factcheck.pipeline as P
from factcheck.documents import read_documents
from factcheck.pipeline import CheckSettings, load_models, model_thresholds, run_check
nli, emb, load = load_models()
settings = CheckSettings(thresholds=model_thresholds(nli))
if os.environ.get("STORY_OFF"):  # the same tree with the story view switched off: its own cost, same backend
    names = {f.name for f in dataclasses.fields(CheckSettings)}
    settings = dataclasses.replace(settings, **{k: None for k in ("lexical_floor", "nli_language") if k in names})
    P.plan_time_checks = lambda *a, **k: []
    P.build_disputes = lambda *a, **k: ()
import factcheck
out = {"load_seconds": load, "tree": str(Path(factcheck.__file__).resolve().parents[1])}
for name, paths in json.loads(sys.argv[1]).items():
    docs = read_documents(paths)
    run_check(docs[:2], emb, nli, settings)  # warm-up
    t = time.perf_counter(); r = run_check(docs, emb, nli, settings); out[name] = time.perf_counter() - t
    out[name + "_findings"] = r.count("contradiction")
    out[name + "_pairs"] = r.stats.pairs_scored
print(json.dumps(out))
"""


def measure(tree: Path, inputs: dict[str, list[str]], story_off: bool = False) -> dict:
    env = {"PYTHONPATH": str(tree.resolve()), "PATH": "/usr/bin:/bin", **({"STORY_OFF": "1"} if story_off else {})}
    # cwd outside any checkout: `python -c` puts the working directory first on sys.path.
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(inputs)], env=env, capture_output=True, text=True,
                          check=True, cwd=tempfile.gettempdir())
    if f'"tree": "{tree.resolve()}' not in done.stdout and str(tree.resolve()) not in done.stdout:
        raise SystemExit(f"{tree}: the child imported factcheck from elsewhere")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", type=Path, required=True)
    ap.add_argument("--after", type=Path, default=Path("."))
    ap.add_argument("--seeds", type=Path, default=Path("seeds"))
    ap.add_argument("--big", type=Path, required=True)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    bodies = sorted(p for d in sorted(args.big.iterdir()) if d.is_dir() for p in d.glob("*.txt"))[:50]
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "cluster50"
        big.mkdir()
        for p in bodies:
            (big / f"{p.parent.name}_{p.name}").write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
        inputs = {"seeds": [str(args.seeds.resolve())], "cluster50": [str(big)]}
        runs: dict[str, list[dict]] = {"before": [], "after, story view off": [], "after": []}
        for _ in range(args.repeats):
            for name, tree in (("before", args.before), ("after, story view off", args.after), ("after", args.after)):
                runs[name].append(measure(tree, inputs, story_off=name.endswith("off")))
    med = {name: {k: statistics.median(r[k] for r in rs) for k in rs[0] if k != "tree"} for name, rs in runs.items()}
    result = {"machine": f"{platform.processor() or platform.machine()}, {platform.node()}", "repeats": args.repeats,
              "n_big": len(bodies), "median": med,
              "ratio": {k: round(med["after"][k] / med["before"][k], 2) for k in ("seeds", "cluster50")},
              "story_view_cost": {k: round(med["after"][k] / med["after, story view off"][k], 2) for k in ("seeds", "cluster50")}}
    lines = ["# Cost of the story view: before → after (`benchmarks/bench_story.py`)", "",
             f"Median of {args.repeats} runs per tree, the trees alternating; models loaded once per process; "
             f"{len(bodies)} FNC-1 dev bodies as one cluster. Machine: {result['machine']} (2 cores, shared with "
             "other jobs).", "",
             "The middle column is the after tree with the time check, language ID, lexical pairs and disputes "
             "switched off: after / off is the story view's own cost; before → after also holds the other changes "
             "between the trees (the plain-torch NLI backend and precision choice of #18).", "",
             "| input | before s | after, story view off s | after s | after / off | after / before "
             "| pairs before → after | contradictions before → after |",
             "|---|---:|---:|---:|---:|---:|---|---|"]
    for k in ("seeds", "cluster50"):
        b, o, a = med["before"], med["after, story view off"], med["after"]
        lines.append(f"| {k} | {b[k]:.1f} | {o[k]:.1f} | {a[k]:.1f} | {result['story_view_cost'][k]} | {result['ratio'][k]} "
                     f"| {b[k + '_pairs']:.0f} → {a[k + '_pairs']:.0f} | {b[k + '_findings']:.0f} → {a[k + '_findings']:.0f} |")
    args.out.with_suffix(".md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
