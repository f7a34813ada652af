"""Report rendering: every format from a hand-made report, escaping, highlight offsets."""

from __future__ import annotations

import io
import json
import random
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rich.console import Console

from factcheck.errors import InputError
from factcheck.report import (
    SCHEMA,
    Report,
    ReportFormat,
    Segment,
    highlight_segments,
    load_report,
    render,
    write_report,
)

A, B, C = 'a&<1>', 'b"2\'', "c"
TEXTS = {
    A: "Fire at the plant.\nThe fire killed 12 people, police said. <script>alert(1)</script> & more \"quotes\".",
    B: "Officials said 3 people died in the fire. Crews | worked all night.\nThe plant reopened [bold]Monday[/bold].",
    C: "Nothing to see here.",
}


def _claim(article: str, sentence: str) -> dict:
    start = TEXTS[article].index(sentence)
    return {"article": article, "text": sentence, "start": start, "end": start + len(sentence)}


def _finding(label: str, score: float, a: dict, b: dict, reasons: list[str]) -> dict:
    return {
        "label": label, "score": score, "similarity": 0.81,
        "claims": [a, b],
        "nli": {"forward": {"entailment": 0.02, "neutral": 0.05, "contradiction": 0.93},
                "backward": {"entailment": 0.03, "neutral": 0.1, "contradiction": 0.87}},
        "reasons": reasons,
    }


def make_report(findings: list[dict] | None = None) -> Report:
    return Report.from_dict(make_data(findings))


def make_data(findings: list[dict] | None = None) -> dict:
    if findings is None:
        findings = [
            _finding("contradiction", 0.9, _claim(B, "Officials said 3 people died in the fire."),
                     _claim(A, "The fire killed 12 people, police said."), ["numbers differ: 3 vs 12"]),
            # Overlaps the first finding's sentence in A, and carries markup/pipes/newlines.
            _finding("contradiction", 0.7, _claim(A, "killed 12 people, police said. <script>alert(1)</script>"),
                     _claim(B, "Crews | worked all night.\nThe plant"), ["<b>odd</b> | reason"]),
        ]
    return {
        "schema": SCHEMA, "version": "0.1.0",
        "models": {"embedder": {"name": "tiny-embedder", "source": "local", "backend": "torch", "revision": "abc123",
                                "licence": "MIT", "extra": {}},
                   "nli": {"name": "tiny-nli", "source": "local", "backend": "onnx", "revision": None,
                           "licence": None, "extra": {}}},
        "settings": {"threshold": 0.5, "top_k": 3},
        "articles": [{"id": A, "source": "https://example.org/a?x=1&y=2", "title": "Fire <i>kills</i> \"12\"",
                      "n_claims": 3},
                     {"id": B, "source": "b.txt", "title": "Plant fire", "n_claims": 3},
                     {"id": C, "source": "c.txt", "title": "Unrelated", "n_claims": 1}],
        "stats": {"claims": 7, "pairs_scored": 5, "pairs_possible": 21, "seconds": 1.25},
        "findings": findings,
    }


# --------------------------------------------------------------------------- segments


def test_segments_split_overlaps():
    segs = highlight_segments([(0, 10, "x"), (5, 15, "y"), (20, 25, "z"), (7, 7, "empty")])
    assert segs == [Segment(0, 5, ("x",)), Segment(5, 10, ("x", "y")), Segment(10, 15, ("y",)),
                    Segment(20, 25, ("z",))]


def test_segments_nested_and_identical():
    segs = highlight_segments([(2, 8, "outer"), (4, 6, "inner"), (4, 6, "same")])
    assert segs == [Segment(2, 4, ("outer",)), Segment(4, 6, ("outer", "inner", "same")),
                    Segment(6, 8, ("outer",))]


def test_segments_reject_bad_span():
    with pytest.raises(ValueError):
        highlight_segments([(5, 3, "bad")])


def test_segments_match_brute_force():
    rng = random.Random(7)
    for _ in range(200):
        spans = []
        for k in range(rng.randint(0, 6)):
            s = rng.randint(0, 30)
            spans.append((s, s + rng.randint(0, 10), k))
        segs = highlight_segments(spans)
        assert all(a.end <= b.start for a, b in zip(segs, segs[1:]))
        for pos in range(45):
            covering = tuple(k for s, e, k in spans if s <= pos < e)
            inside = [seg for seg in segs if seg.start <= pos < seg.end]
            assert (inside[0].keys if inside else ()) == covering


# --------------------------------------------------------------------------- JSON / JSONL


def test_json_round_trip_keeps_unicode():
    report = make_report()
    out = render(report, ReportFormat.json)
    assert json.loads(out) == report.to_dict()
    assert Report.from_dict(json.loads(out)) == report
    assert 'a&<1>' in out and "\\u" not in out


def test_jsonl_header_then_findings():
    report = make_report()
    lines = [json.loads(line) for line in render(report, "jsonl").splitlines()]
    header, rest = lines[0], lines[1:]
    assert header["type"] == "header" and header["n_findings"] == 2 and header["schema"] == SCHEMA
    assert [f["type"] for f in rest] == ["finding", "finding"] and [f["rank"] for f in rest] == [1, 2]
    rebuilt = {k: v for k, v in header.items() if k not in {"type", "n_findings"}}
    rebuilt["findings"] = [{k: v for k, v in f.items() if k not in {"type", "rank"}} for f in rest]
    assert rebuilt == report.to_dict()


# --------------------------------------------------------------------------- Markdown


def _cells(row: str) -> list[str]:
    return re.split(r"(?<!\\)\|", row.strip())[1:-1]


def test_markdown_tables_escape_pipes_newlines_and_html():
    out = render(make_report(), ReportFormat.markdown)
    rows = [line for line in out.splitlines() if line.startswith("| ")]
    header = next(r for r in rows if "sentence A" in r)
    width = len(_cells(header))
    finding_rows = [r for r in rows if re.match(r"\| [12] \|", r)]
    assert len(finding_rows) == 2
    assert all(len(_cells(r)) == width for r in finding_rows)
    assert "Crews \\| worked all night. The plant" in finding_rows[1]
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "| Pairs scored | 5 / 21 |" in out


def test_markdown_says_no_contradictions():
    out = render(make_report([]), "markdown")
    assert "No contradictions found" in out


# --------------------------------------------------------------------------- HTML


class _Collect(HTMLParser):
    """Text inside each highlight, per claim anchor; all ids, hrefs, and resource attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.by_claim: dict[str, str] = {}
        self.ids: set[str] = set()
        self.hrefs: list[tuple[str, dict]] = []
        self.loads: list[tuple[str, str, str]] = []
        self.tags: list[str] = []
        self._open: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        d = dict(attrs)
        self.tags.append(tag)
        if "id" in d:
            self.ids.add(d["id"])
        if "href" in d:
            self.hrefs.append((d["href"], d))
        for attr in ("src", "srcset", "poster", "data", "action", "background"):
            if attr in d:
                self.loads.append((tag, attr, d[attr]))
        if tag == "a" and "hl" in d.get("class", "").split():
            self._open = d["data-claims"].split()

    def handle_endtag(self, tag):
        if tag == "a":
            self._open = None

    def handle_data(self, data):
        for key in self._open or ():
            self.by_claim[key] = self.by_claim.get(key, "") + data


def _parse(doc: str) -> _Collect:
    parser = _Collect()
    parser.feed(doc)
    return parser


def test_html_highlights_equal_offsets_even_when_overlapping():
    report = make_report()
    parsed = _parse(render(report, ReportFormat.html, TEXTS))
    expected = {}
    for rank, f in enumerate(report.findings, 1):
        for side, c in enumerate(f.claims):
            expected[f"c-{rank}-{side}"] = TEXTS[c.article][c.start:c.end]
    assert parsed.by_claim == expected
    assert set(expected) <= parsed.ids  # each sentence is an anchor target


def test_html_links_go_both_ways_and_resolve():
    parsed = _parse(render(make_report(), "html", TEXTS))
    local = [h for h, _ in parsed.hrefs if h.startswith("#")]
    assert {"#finding-1", "#finding-2", "#c-1-0", "#c-1-1", "#c-2-0", "#c-2-1"} <= set(local)
    assert all(h[1:] in parsed.ids for h in local)


def test_html_escapes_everything_and_loads_nothing():
    doc = render(make_report(), ReportFormat.html, TEXTS)
    parsed = _parse(doc)
    assert "script" not in parsed.tags and "link" not in parsed.tags and "img" not in parsed.tags
    assert "<script>" not in doc and "&lt;script&gt;alert(1)&lt;/script&gt;" in doc
    assert "<i>kills</i>" not in doc and "<b>odd</b>" not in doc
    assert "a&amp;&lt;1&gt;" in doc and "b&quot;2&#x27;" in doc
    assert parsed.loads == []
    assert not re.search(r"url\(|@import", doc)
    external = [(h, d) for h, d in parsed.hrefs if not h.startswith("#")]
    assert external == [("https://example.org/a?x=1&y=2", external[0][1])]
    assert "noopener" in external[0][1]["rel"]
    assert "default-src 'none'" in doc


def test_html_shows_articles_side_by_side_in_order():
    doc = render(make_report(), "html", TEXTS)
    columns = re.findall(r'<article class="doc" id="article-(\d+)"><header><h2>(.*?)</h2>', doc)
    assert columns == [("0", "a&amp;&lt;1&gt;"), ("1", "b&quot;2&#x27;"), ("2", "c")]


def test_html_without_texts_lists_findings_only():
    doc = render(make_report(), "html")
    parsed = _parse(doc)
    assert "article" not in parsed.tags and parsed.by_claim == {}
    assert not any(h.startswith("#c-") for h, _ in parsed.hrefs)
    assert "Officials said 3 people died in the fire." in doc


def test_html_rejects_offsets_that_do_not_index_texts():
    data = make_data()
    data["findings"][0]["claims"][0]["end"] = 10_000
    with pytest.raises(InputError, match="outside article"):
        render(Report.from_dict(data), "html", TEXTS)
    shifted = {**TEXTS, B: "XX" + TEXTS[B]}
    with pytest.raises(InputError, match="not the claim's sentence"):
        render(make_report(), "html", shifted)


def test_html_no_findings():
    doc = render(make_report([]), "html", TEXTS)
    assert "No contradictions found" in doc and 'class="hl' not in doc


# --------------------------------------------------------------------------- terminal


def test_terminal_shows_pairs_sentences_and_fits_80_columns():
    out = render(make_report(), ReportFormat.terminal)
    assert "\x1b[" not in out
    assert all(len(line) <= 80 for line in out.splitlines())
    flat = " ".join(out.split())
    assert f"{B} ↔ {A}" in out and out.count("↔") == 1  # both findings are the same unordered pair
    assert "Officials said 3 people died in the fire." in flat
    assert "The fire killed 12 people, police said." in flat
    assert "[bold]Monday[/bold]" not in flat  # not in any finding
    assert "CONTRADICTION" in out and "forward 0.93 · backward 0.87" in out and "numbers differ: 3 vs 12" in flat
    assert "5 / 21" in out and "tiny-nli" in out and "2 contradictions" in out


def test_terminal_keeps_rich_markup_literal():
    data = make_data()
    data["findings"][1]["claims"][1] = _claim(B, "The plant reopened [bold]Monday[/bold].")
    flat = " ".join(render(Report.from_dict(data), "terminal").split())
    assert "The plant reopened [bold]Monday[/bold]." in flat


def test_terminal_no_contradictions_but_other_findings():
    agree = _finding("agreement", 0.8, _claim(A, "Fire at the plant."), _claim(C, "Nothing to see here."), [])
    out = render(make_report([agree]), "terminal")
    assert "No contradictions found (1 agreement shown)." in out and "AGREEMENT" in out
    assert "No contradictions found." in render(make_report([]), "terminal")


# --------------------------------------------------------------------------- dispatch and I/O


def test_every_format_renders():
    for fmt in ReportFormat:
        assert render(make_report(), fmt, TEXTS).strip()


def test_bad_format_and_schema():
    with pytest.raises(InputError, match="unknown report format"):
        render(make_report(), "pdf")
    with pytest.raises(InputError, match="schema"):
        Report.from_dict({**make_data(), "schema": "other/9"})
    with pytest.raises(InputError, match="expected a factcheck Report"):
        render(make_data(), "json")
    with pytest.raises(InputError, match=r"findings\[0\]\.claims\[0\] has no 'start'"):
        bad = make_data()
        del bad["findings"][0]["claims"][0]["start"]
        Report.from_dict(bad)


def test_write_report_to_file_console_and_stdout(tmp_path: Path, capsys):
    target = tmp_path / "out" / "r.html"
    write_report(make_report(), ReportFormat.html, target, texts=TEXTS)
    assert target.read_text(encoding="utf-8") == render(make_report(), "html", TEXTS)

    buffer = io.StringIO()
    write_report(make_report(), ReportFormat.terminal, None, console=Console(file=buffer, width=80))
    assert f"{B} ↔ {A}" in buffer.getvalue()

    write_report(make_report(), "json", None)
    assert json.loads(capsys.readouterr().out) == make_report().to_dict()


def test_load_report(tmp_path: Path):
    path = tmp_path / "r.json"
    write_report(make_report(), "json", path)
    assert load_report(path) == make_report()
    path.write_text("not json", encoding="utf-8")
    with pytest.raises(InputError, match="not a JSON report"):
        load_report(path)
    with pytest.raises(InputError, match="cannot read"):
        load_report(tmp_path / "missing.json")


def test_html_greys_out_dropped_furniture_and_says_why():
    data = make_data()
    text = TEXTS[B]
    start = text.index("reopened")
    data["articles"][1]["dropped"] = [{"start": start, "end": start + 9, "reason": "no sentence <here>"},
                                      {"start": 5, "end": 10_000, "reason": "out of range"}]
    doc = render(Report.from_dict(data), "html", TEXTS)
    assert '<span class="furniture" title="dropped: no sentence &lt;here&gt;">reopened </span>' in doc
    assert "out of range" not in doc  # offsets that do not fit the text are ignored, not drawn
    # Highlights still work beside it.
    assert 'class="hl contradiction' in doc


def test_a_list_item_claim_keeps_its_lead_through_json():
    from factcheck.report.schema import Claim

    item = Claim("a", "warplanes in Kaliningrad", 10, 34, lead="Russia launched drills involving ")
    assert item.statement == "Russia launched drills involving warplanes in Kaliningrad"
    assert Claim.from_dict(item.to_dict()) == item
    plain = Claim("a", "The army left.", 0, 14)
    assert "lead" not in plain.to_dict() and Claim.from_dict(plain.to_dict()) == plain
