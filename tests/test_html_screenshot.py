"""Headless-Chromium screenshot of an HTML report built from the repo's seed articles."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from factcheck.report import SCHEMA, Report, render
from factcheck.sentences import split_sentences

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
CONTRADICTION_BG = (0xF8, 0xC9, 0xC5)  # --contradiction in report.py's CSS
_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _browser() -> str | None:
    return next((path for name in _BROWSERS if (path := shutil.which(name))), None)


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)}


def seed_report(n_articles: int = 3, n_findings: int = 5) -> tuple[dict, dict[str, str]]:
    """A report over real seed texts; findings are the most word-overlapping sentence pairs (no models)."""
    files = sorted(SEEDS.glob("*.txt"))[:n_articles]
    texts = {f.stem.split("_")[0]: f.read_text(encoding="utf-8") for f in files}
    sentences = {a: [s for s in split_sentences(t) if len(s.text) > 40] for a, t in texts.items()}
    ids = list(texts)
    pairs = []
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            for sa in sentences[a]:
                for sb in sentences[b]:
                    wa, wb = _words(sa.text), _words(sb.text)
                    pairs.append((len(wa & wb) / max(1, len(wa | wb)), (b, sb), (a, sa)))
    pairs.sort(key=lambda p: -p[0])
    findings = []
    for rank, (sim, *claims) in enumerate(pairs[:n_findings]):
        label = "agreement" if rank % 3 == 2 else "contradiction"
        findings.append({
            "label": label, "score": round(1 - rank * 0.1, 2), "similarity": round(sim, 2),
            "claims": [{"article": a, "text": s.text, "start": s.start, "end": s.end} for a, s in claims],
            "nli": {"forward": {"entailment": 0.1, "neutral": 0.1, "contradiction": 0.8},
                    "backward": {"entailment": 0.2, "neutral": 0.1, "contradiction": 0.7}},
            "reasons": ["sample finding built from word overlap"],
        })
    report = {
        "schema": SCHEMA, "version": "test",
        "models": {"embedder": {"name": "word-overlap", "source": "test", "backend": "python"},
                   "nli": {"name": "none", "source": "test", "backend": "python"}},
        "settings": {},
        "articles": [{"id": a, "source": f.name, "title": texts[a].strip().splitlines()[0][:80],
                      "n_claims": len(sentences[a])} for a, f in zip(ids, files)],
        "stats": {"claims": sum(map(len, sentences.values())), "pairs_scored": len(pairs),
                  "pairs_possible": len(pairs), "seconds": 0.0},
        "findings": findings,
    }
    return report, texts


def screenshot(html_path: Path, png_path: Path, profile: Path, size: str = "1400,900") -> None:
    """Render ``html_path`` with headless Chromium into ``png_path`` (no network, throwaway profile)."""
    browser = _browser()
    if browser is None:
        raise FileNotFoundError("no chromium")
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", f"--screenshot={png_path}", f"--window-size={size}",
           html_path.resolve().as_uri()]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)


@pytest.mark.slow
def test_html_report_screenshot(tmp_path: Path):
    if _browser() is None:
        pytest.skip("chromium is not installed")
    if not SEEDS.is_dir():
        pytest.skip("seeds/ is absent")
    image = pytest.importorskip("PIL.Image")
    report, texts = seed_report()
    html_path, png_path = tmp_path / "report.html", tmp_path / "report.png"
    html_path.write_text(render(Report.from_dict(report), "html", texts), encoding="utf-8")
    screenshot(html_path, png_path, tmp_path / "profile")

    assert png_path.is_file() and png_path.stat().st_size > 20_000
    with image.open(png_path) as im:
        assert im.size == (1400, 900)
        rgb = im.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 50  # text was drawn, not a blank page
    near = [n for n, c in colours if all(abs(x - y) <= 6 for x, y in zip(c, CONTRADICTION_BG))]
    assert sum(near) > 500  # highlighted sentences are visible
