"""The default model's card stays short, keeps its licence metadata, and every file it or its history cites exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

MODEL = Path(__file__).resolve().parents[1] / "models" / "factcheck-nli-minilm"
CARD, HISTORY = MODEL / "README.md", MODEL / "HISTORY.md"
LINK = re.compile(r"\]\(([^)\s]+)\)")

pytestmark = pytest.mark.skipif(not CARD.is_file(), reason="the default model is not in this checkout")


def local_links(text: str) -> list[str]:
    """Relative link targets of a Markdown text, without #anchors (web links left out)."""
    return [t.split("#")[0] for t in LINK.findall(text) if not re.match(r"[a-z]+:", t) and not t.startswith("#")]


def test_card_is_short_and_links_its_history() -> None:
    text = CARD.read_text(encoding="utf-8")
    assert len(text.encode()) < 10_000, "the card is read in two minutes; the long record belongs in HISTORY.md"
    assert "HISTORY.md" in local_links(text)
    for section in ("## How good, on what", "## Limits", "## Reproduce"):
        assert section in text


def test_card_front_matter_carries_the_licence() -> None:
    front = CARD.read_text(encoding="utf-8").split("---")[1]
    assert re.search(r"^license:\s*mit\s*$", front, re.M)


def test_history_keeps_the_stages() -> None:
    text = HISTORY.read_text(encoding="utf-8")
    assert not text.startswith("---"), "one card carries the model's metadata"
    for section in ("## Training (stage 5", "## Stage 4 (the previous default", "## Stage 3 (the default before stage 4"):
        assert section in text


@pytest.mark.parametrize("doc", [CARD, HISTORY], ids=lambda p: p.name)
def test_every_cited_file_exists(doc: Path) -> None:
    missing = [t for t in local_links(doc.read_text(encoding="utf-8")) if t and not (doc.parent / t).exists()]
    assert not missing, f"{doc.name} cites files that are not there: {missing}"
