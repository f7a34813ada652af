"""Headless Chromium on an HTML report built from the repo's seed articles: screenshots at a desktop and a
phone width, and layout measured in the page (nothing capped, every article reachable, no nested scrolling).

Set FACTCHECK_SCREENSHOT_DIR to keep the screenshots (eval/results/ holds two made this way)."""

from __future__ import annotations

import json
import os
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


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess:
    browser = _browser()
    if browser is None:
        raise FileNotFoundError("no chromium")
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--hide-scrollbars", f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120)


# Measures the laid-out page and writes the result into the DOM, which --dump-dom prints.
_PROBE = """<script>
addEventListener('load', () => {
  const W = document.documentElement.clientWidth;
  const scrollers = [...document.querySelectorAll('body *')].filter(el => {
    const cs = getComputedStyle(el);
    const y = /(auto|scroll)/.test(cs.overflowY) && el.scrollHeight > el.clientHeight + 1;
    const x = /(auto|scroll)/.test(cs.overflowX) && el.scrollWidth > el.clientWidth + 1;
    const clipped = /(hidden|clip)/.test(cs.overflowY) && el.scrollHeight > el.clientHeight + 1
      && !el.classList.contains('title');
    return y || x || clipped;
  }).map(el => el.tagName + '.' + el.className);
  const docs = [...document.querySelectorAll('article.doc')].map(d => {
    const r = d.getBoundingClientRect();
    return {left: r.left, right: r.right, width: r.width, height: r.height};
  });
  const findings = [...document.querySelectorAll('li.finding')].map(li => li.getBoundingClientRect().height);
  const out = {width: W, pageWidth: document.documentElement.scrollWidth, scrollers, docs, findings,
               toc: document.querySelectorAll('nav.toc a').length};
  const pre = document.createElement('pre'); pre.id = 'probe'; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


def _page(tmp_path: Path) -> tuple[Path, int, int]:
    report, texts = seed_report(n_articles=5, n_findings=6)
    html = render(Report.from_dict(report), "html", texts)
    path = tmp_path / "report.html"
    path.write_text(html, encoding="utf-8")
    return path, len(report["articles"]), len(report["findings"])


def _measure(html_path: Path, width: int, profile: Path) -> dict:
    page = html_path.read_text(encoding="utf-8")
    page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page).replace("</body>", _PROBE + "</body>")
    probe_path = html_path.with_name(f"probe-{width}.html")
    probe_path.write_text(page, encoding="utf-8")
    dom = _chromium([f"--window-size={width},900", "--virtual-time-budget=3000", "--dump-dom",
                     probe_path.resolve().as_uri()], profile).stdout
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    return json.loads(html_unescape(found.group(1)))


def html_unescape(text: str) -> str:
    import html

    return html.unescape(text)


@pytest.mark.slow
@pytest.mark.parametrize("width", [1280, 1400, 1600, 390])
def test_html_layout_every_article_and_finding_reachable(tmp_path: Path, width: int):
    if _browser() is None:
        pytest.skip("chromium is not installed")
    if not SEEDS.is_dir():
        pytest.skip("seeds/ is absent")
    html_path, n_articles, n_findings = _page(tmp_path)
    m = _measure(html_path, width, tmp_path / "profile")
    assert m["pageWidth"] <= m["width"], f"the page scrolls sideways at {width} px"
    assert m["scrollers"] == [], f"nested scrolling boxes at {width} px: {m['scrollers']}"
    assert len(m["findings"]) == n_findings and all(h > 0 for h in m["findings"])
    assert m["toc"] == n_articles and len(m["docs"]) == n_articles
    for d in m["docs"]:
        assert d["left"] >= 0 and d["right"] <= m["width"] and d["width"] >= min(300, width - 40)
    columns = len({round(d["left"]) for d in m["docs"]})
    assert columns == (1 if width < 600 else 3), (width, columns)


@pytest.mark.slow
@pytest.mark.parametrize("size", ["1440,900", "390,844"])
def test_html_report_screenshot(tmp_path: Path, size: str):
    if _browser() is None:
        pytest.skip("chromium is not installed")
    if not SEEDS.is_dir():
        pytest.skip("seeds/ is absent")
    image = pytest.importorskip("PIL.Image")
    html_path, _, _ = _page(tmp_path)
    png_path = tmp_path / "report.png"
    screenshot(html_path, png_path, tmp_path / "profile", size=size)

    width, height = map(int, size.split(","))
    assert png_path.is_file() and png_path.stat().st_size > 20_000
    with image.open(png_path) as im:
        assert im.size == (width, height)
        rgb = im.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 50  # text was drawn, not a blank page
    near = [n for n, c in colours if all(abs(x - y) <= 6 for x, y in zip(c, CONTRADICTION_BG))]
    assert sum(near) > 300  # highlighted claims are visible
    keep = os.environ.get("FACTCHECK_SCREENSHOT_DIR")
    if keep:
        shutil.copy(png_path, Path(keep) / f"report_html_{width}px.png")
