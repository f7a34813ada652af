"""A one-line article is compared, never dropped as its own title: every input format, and where titles come from."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import factcheck.embed
import factcheck.nli
from factcheck.batch.inputs import read_clusters
from factcheck.claims import extract_claim_set, no_claims_reason
from factcheck.cli import app
from factcheck.documents import Document, document_from_text, read_documents

# Real one-line cases: a passage (from a public set of contradicting passage pairs), a tweet, an infobox row.
ONE_LINE = {
    "passage": "After working for the Company for forty years, Charles DOyly retired and left India in 1838",
    "tweet": "Huge fire at Notre-Dame cathedral in Paris right now, the spire has collapsed #NotreDame",
    "infobox": "Born: 21 August 1968, Cardiff, Wales",
}
OTHER = "The ministry said on Monday that the bridge will reopen to traffic next month after repairs."
BODY = ("Officials from four countries met in Paris on Wednesday and agreed to meet again in Berlin.\n"
        "The sides also agreed to maintain the ceasefire in eastern Ukraine, the envoy said.\n")


def _whole_line_is_the_claim(doc: Document, line: str) -> None:
    assert doc.title == "", doc.title
    assert [doc.text[s:e] for s, e in doc.spans] == [line]
    claims = extract_claim_set(doc).claims
    assert [c.text for c in claims] == [line]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _html(line: str) -> str:
    return f"<html><body><p>{line}</p></body></html>\n"


@pytest.mark.parametrize("case", list(ONE_LINE))
@pytest.mark.parametrize("fmt", ["txt", "md", "html", "htm", "json", "json-list", "jsonl", "stdin", "unknown-suffix"])
def test_one_line_article_is_its_claim_in_every_check_format(tmp_path, case, fmt):
    line = ONE_LINE[case]
    record = json.dumps({"id": "a", "text": line})
    if fmt == "stdin":
        [doc] = read_documents(["-"], stdin=io.StringIO(line + "\n"))
    else:
        name, text = {
            "txt": ("a.txt", line + "\n"), "md": ("a.md", line + "\n"), "html": ("a.html", _html(line)),
            "htm": ("a.htm", _html(line)), "json": ("a.json", record), "json-list": ("a.json", f"[{record}]"),
            "jsonl": ("a.jsonl", record + "\n"), "unknown-suffix": ("a.log", line),
        }[fmt]
        [doc] = read_documents([_write(tmp_path / name, text)])
    _whole_line_is_the_claim(doc, line)


@pytest.mark.parametrize("case", list(ONE_LINE))
@pytest.mark.parametrize("layout", ["cluster-per-line", "article-per-line", "cluster-folders", "parquet"])
def test_one_line_article_is_its_claim_in_every_batch_format(tmp_path, case, layout):
    line = ONE_LINE[case]
    if layout == "cluster-per-line":
        source = _write(tmp_path / "c.jsonl", json.dumps({"id": "k", "articles": [{"text": line}, {"text": OTHER}]}))
    elif layout == "article-per-line":
        source = _write(tmp_path / "c.jsonl", "".join(json.dumps({"cluster": "k", "text": t}) + "\n" for t in (line, OTHER)))
    elif layout == "cluster-folders":
        source = tmp_path / "clusters"
        (source / "k").mkdir(parents=True)
        _write(source / "k" / "a.txt", line)
        _write(source / "k" / "b.txt", OTHER)
    else:
        pa = pytest.importorskip("pyarrow")
        pq = pytest.importorskip("pyarrow.parquet")
        source = tmp_path / "c.parquet"
        pq.write_table(pa.table({"cluster": ["k", "k"], "text": [line, OTHER]}), source)
    [cluster] = read_clusters([source])
    assert cluster.error is None, cluster.error
    _whole_line_is_the_claim(cluster.documents[0], line)


def test_the_cli_compares_one_line_records(tmp_path, monkeypatch, fake_nli, fake_embedder):
    """The issue's case: a JSONL of one-line passages used to stop with "nothing to compare"."""
    monkeypatch.setattr(factcheck.nli, "load_nli", lambda name, device=None: fake_nli)
    monkeypatch.setattr(factcheck.embed, "load_embedder", lambda name, device=None: fake_embedder)
    line = ONE_LINE["passage"]
    path = _write(tmp_path / "x.jsonl", "".join(json.dumps({"id": f"p{k}", "text": t}) + "\n"
                                                for k, t in enumerate((line, line.replace("retired", "never retired")))))
    result = CliRunner().invoke(app, ["check", str(path), "--format", "json", "--min-similarity", "0.1"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["stats"]["claims"] == 2
    assert [f["label"] for f in report["findings"]] == ["contradiction"]


# --------------------------------------------------------------------------- where titles still come from


def test_a_headline_above_the_story_is_still_the_title_of_plain_text():
    doc = document_from_text("Talks to resume in Berlin\n\n" + BODY, "a", "a.txt")
    assert doc.title == "Talks to resume in Berlin"
    assert len(extract_claim_set(doc).claims) == 2
    # A JSON record's text is plain text too; its 'title' field, when given, is the title.
    titled = document_from_text(BODY, "a", "a.json", title="Envoys agree to meet again")
    assert titled.title == "Envoys agree to meet again" and len(titled.spans) == 2


def test_markdown_heading_and_html_title(tmp_path):
    [md] = read_documents([_write(tmp_path / "a.md", "# Talks to resume in Berlin\n\n" + BODY)])
    assert md.title == "Talks to resume in Berlin"
    html = ("<html><head><title>Talks to resume in Berlin</title></head><body><article><p>"
            + "</p><p>".join(BODY.strip().split("\n")) + "</p></article></body></html>")
    [page] = read_documents([_write(tmp_path / "a.html", html)])
    assert page.title == "Talks to resume in Berlin" and len(page.spans) == 2


def test_html_main_text_is_not_searched_for_a_headline(tmp_path):
    """Without <title>/<h1> an HTML page has no title: its first text line is story, not headline."""
    html = _html("Police arrested two men in Leeds on Friday night") + _html(OTHER)
    [page] = read_documents([_write(tmp_path / "a.html", html.replace("</html>\n<html><body>", ""))])
    assert page.title == ""
    assert "Police arrested two men in Leeds on Friday night" in [page.text[s:e] for s, e in page.spans]


def test_a_title_field_equal_to_the_only_line_leaves_the_line_kept():
    doc = document_from_text(ONE_LINE["passage"], "a", "a.json", title=ONE_LINE["passage"])
    assert doc.title == ONE_LINE["passage"] and [doc.text[s:e] for s, e in doc.spans] == [ONE_LINE["passage"]]


def test_infobox_rows_are_facts_not_a_headline():
    doc = document_from_text("Born: 21 August 1968, Cardiff, Wales\nHeight: 1.85 m\nOccupation: actor and director", "a", "a.txt")
    assert doc.title == "" and len(extract_claim_set(doc).claims) == 3
    # A headline with a colon above a dateline paragraph is still a headline.
    story = document_from_text("Kim Jong-un: Not deposed, just having ankle surgery\n\nTokyo: Kim Jong-un, the North "
                               "Korean leader, is apparently just recovering from ankle surgery.", "b", "b.txt")
    assert story.title == "Kim Jong-un: Not deposed, just having ankle surgery"


@pytest.mark.parametrize("text", [
    "U.S., BRENT CRUDE FUTURES EXTEND GAINS ON UNCONFIRMED MARKET RUMOR OF OIL PIPELINE EXPLOSION IN SAUDI ARABIA",
    "BREAKING: Islamic State, in video, beheads American journalist who was kidnapped in 2012 -@BNONews",
    "Video: Users of the new phone are saying their hair is getting caught in between the screen and the back. "
    "The hashtag saw thousands of tweets overnight.",
    "Wildfire near Athens",
])
def test_a_text_that_was_all_furniture_keeps_what_reads_as_language(text):
    """All capitals, a tweet's handle, a misfired caption pattern, a four-word line: real one-item articles."""
    claims = extract_claim_set(document_from_text(text, "a", "a.txt")).claims
    assert claims and all(c.text in text for c in claims)


@pytest.mark.parametrize("text, reason", [
    ("1 2 3 4 5 6 7 8\n2 4 6 8 10 12 14 16", "all 34 characters were dropped as page furniture (no-sentence 34 characters)"),
    ("您所访问的资源已不存在。\n查看更多请返回网站主页。", "in Chinese, not compared"),
    ("Home > World > Europe\nShare this:\nAdvertisement", "dropped as page furniture (navigation"),
    ("Yes.\nNo.", "under the minimum words"),
])
def test_numbers_another_language_chrome_and_single_words_keep_their_reason(text, reason):
    doc = document_from_text(text, "a", "a.txt")
    cs = extract_claim_set(doc)
    assert cs.claims == () and reason in no_claims_reason(doc, cs)
