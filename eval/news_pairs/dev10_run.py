"""Run `check` on each dev cluster folder with models loaded once, writing <folder>/<cluster>.<tag>.json.

    python eval/news_pairs/dev10_run.py runs/dev10 --tag small --small
    python eval/news_pairs/dev10_run.py runs/dev10 --tag cascade

The reports are what `factcheck check <cluster> -f json` writes (the same judge: the cascade unless --small).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from factcheck.nli.cascade import default_verifier, load_cascade
from factcheck.pipeline import check, load_models, model_thresholds


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--tag", required=True)
    ap.add_argument("--small", action="store_true")
    args = ap.parse_args(argv)
    nli, emb, _ = load_models("default", "default", None)
    verify = default_verifier(None, args.small)
    if verify:
        nli = load_cascade(nli, verify)
    for cluster in sorted(p for p in args.folder.iterdir() if p.is_dir()):
        started = time.perf_counter()
        report = check([cluster], nli=nli, embedder_model=emb, thresholds=model_thresholds(nli), verify=verify)
        (args.folder / f"{cluster.name}.{args.tag}.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
        print(f"{cluster.name}: {len(report['findings'])} findings, {time.perf_counter() - started:.1f} s", flush=True)


if __name__ == "__main__":
    main()
