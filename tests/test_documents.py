"""read_documents: formats, furniture dropped and recorded, offsets, and every bad input."""

from __future__ import annotations

import csv
import io
import json
import logging
import textwrap
from pathlib import Path

import pytest

from factcheck.documents import (
    Document,
    DropReason,
    collect_files,
    document_from_text,
    read_documents,
)
from factcheck.errors import InputError

DATA = Path(__file__).parent / "data"
SEEDS = Path(__file__).parents[1] / "seeds"
SHARED_NEWS = Path(__file__).parents[2] / "shared" / "data" / "news" / "fnc1_train_bodies.csv"

BODY = (
    "Officials from four countries met in Paris on Wednesday and agreed to meet again in Berlin.\n"
    "The sides also agreed to maintain the ceasefire in eastern Ukraine, the envoy said.\n"
)


def assert_partition(doc: Document) -> None:
    """Spans and dropped regions are disjoint, trimmed, and cover every non-space character."""
    regions = sorted([(s, e) for s, e in doc.spans] + [(s, e) for s, e, _ in doc.dropped])
    covered = [False] * len(doc.text)
    for s, e in regions:
        assert 0 <= s < e <= len(doc.text)
        assert doc.text[s:e] == doc.text[s:e].strip(), (s, e, doc.text[s:e])
        for k in range(s, e):
            assert not covered[k], f"overlap at {k}"
            covered[k] = True
    missing = [k for k, c in enumerate(doc.text) if not c.isspace() and not covered[k]]
    assert not missing, doc.text[missing[0] : missing[0] + 40]
    for _, _, reason in doc.dropped:
        assert reason in {r.value for r in DropReason}


def kept(doc: Document) -> list[str]:
    return [doc.text[s:e] for s, e in doc.spans]


def dropped(doc: Document) -> dict[str, str]:
    return {doc.text[s:e]: r for s, e, r in doc.dropped}


# --------------------------------------------------------------------------- formats


def test_txt_headline_furniture_and_offsets(tmp_path: Path) -> None:
    path = tmp_path / "paris-talks.txt"
    path.write_text(
        "Home > World > Europe\n\nTalks on Ukraine to resume in Berlin\n\nBy Jane Doe\n\n"
        + BODY
        + "Photo: John Smith/Reuters\nStory continues below advertisement\nShare this:\n"
        "(Reporting by Jane Doe; Editing by John Roe)\n© 2022 Example Media\n",
        encoding="utf-8",
    )
    [doc] = read_documents([path])
    assert doc.id == "paris-talks" and doc.source == str(path)
    assert doc.title == "Talks on Ukraine to resume in Berlin"
    assert kept(doc) == BODY.strip().split("\n")
    d = dropped(doc)
    assert d["Talks on Ukraine to resume in Berlin"] == "title"
    assert d["Home > World > Europe"] == "navigation"
    assert d["By Jane Doe"] == "credit"
    assert d["Photo: John Smith/Reuters"] == "credit"
    assert d["Story continues below advertisement"] == "advertisement"
    assert d["Share this:"] == "promo"
    assert d["(Reporting by Jane Doe; Editing by John Roe)"] == "credit"
    assert d["© 2022 Example Media"] == "copyright"
    assert doc.dropped_chars == sum(len(t) for t in d) and doc.kept_chars == len(BODY) - 2
    assert_partition(doc)


def test_first_line_sentence_is_not_a_title(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text(BODY, encoding="utf-8")
    [doc] = read_documents([path])
    assert doc.title == "" and kept(doc) == BODY.strip().split("\n")


def test_markdown_heading_is_the_title(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("# Talks to resume in Berlin\n\n" + BODY, encoding="utf-8")
    [doc] = read_documents([path])
    assert doc.title == "Talks to resume in Berlin"
    assert dropped(doc)["# Talks to resume in Berlin"] == "title"


def test_html_fixture_main_text_metadata_and_furniture() -> None:
    [doc] = read_documents([DATA / "article.html"])
    assert doc.id == "article"
    assert doc.title == "Kremlin sees little ground for optimism after US reply"
    assert doc.url == "https://news.example.org/world/kremlin-optimism"
    assert doc.date == "2022-01-27"
    body = kept(doc)
    assert len(body) == 4
    assert body[0].startswith("The Kremlin said on Thursday")
    assert body[-1].startswith("NATO said it was putting forces on standby")
    text = doc.text
    for chrome in ("Politics", "Newsletter", "Recent Comments", "Twitter"):
        assert chrome.lower() not in " ".join(body).lower()
    d = dropped(doc)
    assert d["Story continues below advertisement"] == "advertisement"
    assert d["Read more: Russia moves troops to Belarus for joint drills"] == "navigation"
    assert d["Copyright 2022 Example News. All rights reserved."] == "copyright"
    assert all(text[s:e] in text for s, e in doc.spans)
    assert_partition(doc)


def test_jsonl_fields_ids_and_furniture() -> None:
    docs = read_documents([DATA / "articles.jsonl"])
    assert [d.id for d in docs] == ["wire-1", "articles-3"]
    first, second = docs
    assert first.title == "Talks to resume in Berlin"
    assert first.url == "https://example.org/wire-1" and first.date == "2022-01-27"
    assert first.source.endswith("articles.jsonl:1") and second.source.endswith("articles.jsonl:3")
    assert dropped(first) == {"Advertisement": "advertisement"}
    assert dropped(second) == {"Share this:": "promo"}
    assert second.title == "No breakthrough in Paris" and second.url is None
    for d in docs:
        assert len(d.spans) == 2
        assert_partition(d)


def test_json_object_and_list(tmp_path: Path) -> None:
    (tmp_path / "one.json").write_text(json.dumps({"text": BODY, "title": "T"}), encoding="utf-8")
    (tmp_path / "many.json").write_text(json.dumps([{"id": 7, "text": BODY}, {"text": BODY}]), encoding="utf-8")
    docs = read_documents([tmp_path])
    assert [d.id for d in docs] == ["7", "many-1", "one"]
    assert docs[2].title == "T"
    assert all(kept(d) == BODY.strip().split("\n") for d in docs)


def test_stdin_plain_text() -> None:
    [doc] = read_documents(["-"], stdin=io.StringIO("Advertisement\n" + BODY))
    assert doc.id == "stdin" and doc.source == "<stdin>"
    assert kept(doc) == BODY.strip().split("\n")
    assert dropped(doc) == {"Advertisement": "advertisement"}


def test_folder_sorted_and_unsupported_files_reported(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "b.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "a.md").write_text(BODY, encoding="utf-8")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\x00")
    (tmp_path / ".hidden.txt").write_text(BODY, encoding="utf-8")
    found = collect_files([tmp_path])
    assert [p.name for p in found.files] == ["a.md", "b.txt"]
    assert [p.name for p in found.skipped] == ["photo.jpg"]
    with caplog.at_level(logging.WARNING, logger="factcheck.documents"):
        docs = read_documents([tmp_path])
    assert [d.id for d in docs] == ["a", "b"]
    assert "photo.jpg" in caplog.text


def test_bom_and_utf16_are_decoded(tmp_path: Path) -> None:
    (tmp_path / "bom.txt").write_bytes("\ufeff".encode() + BODY.encode("utf-8"))
    (tmp_path / "wide.txt").write_bytes(BODY.encode("utf-16"))
    docs = read_documents([tmp_path / "bom.txt", tmp_path / "wide.txt"])
    assert [d.text for d in docs] == [BODY, BODY]


def test_metadata_prefix_and_agency_tag_are_dropped_inside_a_line() -> None:
    text = " date 2022-01-28 The Kremlin said dialogue was still possible.\nKozak said the talks were useful. (AP)\n"
    doc = document_from_text(text, id="x", source="x")
    assert doc.date == "2022-01-28"
    assert kept(doc) == ["The Kremlin said dialogue was still possible.", "Kozak said the talks were useful."]
    assert dropped(doc) == {"date 2022-01-28": "metadata", "(AP)": "credit"}
    assert_partition(doc)


def test_hard_wrapped_text_is_unwrapped_in_place() -> None:
    paragraphs = [BODY.replace("\n", " ") * 2] * 3
    text = "\n\n".join(textwrap.fill(p, 60) for p in paragraphs) + "\n"
    doc = document_from_text(text, id="w", source="w")
    assert len(doc.text) == len(text)
    assert len(doc.spans) == 3
    assert all("\n" not in doc.text[s:e] for s, e in doc.spans)
    assert all(doc.text[s:e].split() == p.split() for (s, e), p in zip(doc.spans, paragraphs))


@pytest.mark.parametrize(
    "line, reason",
    [
        ("Home | News | World", "navigation"),
        ("Advertisement", "advertisement"),
        ("Sponsored content", "advertisement"),
        ("Sign up for our daily newsletter", "promo"),
        ("Follow her on Twitter @someone", "promo"),
        ("Join our mailing list", "promo"),
        ("Click here to read the full statement", "navigation"),
        ("RELATED: Minister resigns after vote", "navigation"),
        ("Scroll down for video", "navigation"),
        ("(AP Photo/Evan Vucci)", "credit"),
        ("[Image via Facebook]", "credit"),
        ("Soldiers patrol the border on Monday. (Photo: Jane Doe/Getty)", "caption"),
        ("This article originally appeared on Example.com.", "credit"),
        ("Jane Doe in Kyiv contributed to this report.", "credit"),
        ("Copyright 2024 Example Media. All rights reserved.", "copyright"),
        ("BREAKING NEWS", "no-sentence"),
        ("Key points", "no-sentence"),
        ("— Someone (@handle) January 5, 2022", "no-sentence"),
    ],
)
def test_furniture_lines_are_dropped_with_reason(line: str, reason: str) -> None:
    doc = document_from_text(BODY + line + "\n", id="x", source="x")
    assert dropped(doc) == {line: reason}
    assert kept(doc) == BODY.strip().split("\n")


@pytest.mark.parametrize(
    "line",
    [
        "Millions of people subscribe to the service, the company said.",
        "He appeared on television on Monday and denied the report.",
        "Photos showed a crater about 12 metres wide near the airport.",
        "Blinken agreed on Twitter, saying the talks would continue.",
        "Like many Russians, he follows the news closely.",
        "The reports could not be independently confirmed.",
        "Lavrov said top officials will submit proposals to Putin.",
        "No 10 will not confirm or deny that the suspect has been named, but cautions against speculation",
    ],
)
def test_story_lines_are_kept(line: str) -> None:
    doc = document_from_text(BODY + line + "\n", id="x", source="x")
    assert kept(doc)[-1] == line and not doc.dropped


def test_seeds_partition_and_titles() -> None:
    docs = read_documents([SEEDS])
    assert len(docs) == 5
    for doc in docs:
        assert_partition(doc)
        assert doc.kept_chars > 0.85 * (doc.kept_chars + doc.dropped_chars)
    titles = {d.id[:3]: d.title for d in docs}
    assert titles["000"] == "" and titles["004"] == "There are no concessions to Russia in the US response"
    assert titles["002"].startswith("Russia sees room for dialogue")


def test_news_bodies_partition_when_shared_data_present() -> None:
    if not SHARED_NEWS.is_file():
        pytest.skip(f"{SHARED_NEWS} not present")
    with SHARED_NEWS.open(encoding="utf-8", newline="") as f:
        rows = [r for _, r in zip(range(150), csv.DictReader(f))]
    kept_total = dropped_total = 0
    for row in rows:
        doc = document_from_text(row["articleBody"], id=row["Body ID"], source="fnc")
        assert_partition(doc)
        kept_total += doc.kept_chars
        dropped_total += doc.dropped_chars
    assert dropped_total < 0.15 * (kept_total + dropped_total)


# --------------------------------------------------------------------------- bad inputs


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "name, data, expected",
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\n\t\n", "empty"),
        ("binary.txt", b"PK\x03\x04\x00\x00\x14\x00 some zip", "binary"),
        ("control.txt", bytes(range(1, 9)) * 50, "binary"),
        ("latin1.txt", "Caf\u00e9 au lait is served daily.".encode("latin-1"), "offset 3"),
        ("bad.json", b'{"id": "a",\n "text": "x",\n oops}', "line 3"),
        ("bad.jsonl", b'{"text": "A sentence here."}\n{"text": \n', "bad.jsonl:2"),
        ("notext.jsonl", b'{"text": "A sentence here."}\n{"id": "b", "title": "t"}\n', "notext.jsonl:2: missing 'text'"),
        ("notext.json", b'{"id": "b"}', "missing 'text'"),
        ("emptytext.json", b'{"id": "b", "text": "  "}', "non-empty"),
        ("empty.html", b"<html><head><title>Nothing</title></head><body><div></div></body></html>", "no article text"),
    ],
)
def test_bad_files_raise_input_error_naming_the_file(tmp_path: Path, name: str, data: bytes, expected: str) -> None:
    path = _write(tmp_path / name, data)
    with pytest.raises(InputError) as err:
        read_documents([path])
    msg = str(err.value)
    assert name in msg and expected in msg and "\n" not in msg


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nope.txt: no such file"):
        read_documents([tmp_path / "nope.txt"])


def test_folder_without_supported_files(tmp_path: Path) -> None:
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    with pytest.raises(InputError, match="no supported files"):
        read_documents([tmp_path])


def test_no_inputs_and_empty_stdin() -> None:
    with pytest.raises(InputError, match="no input"):
        read_documents([])
    with pytest.raises(InputError, match="stdin"):
        read_documents(["-"], stdin=io.StringIO("  \n"))


def test_duplicate_ids(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "same.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "b" / "same.md").write_text(BODY, encoding="utf-8")
    with pytest.raises(InputError, match="duplicate article id 'same'.*same.txt.*same.md"):
        read_documents([tmp_path / "a", tmp_path / "b"])


def test_html_in_its_declared_charset(tmp_path: Path) -> None:
    page = (
        '<html><head><meta charset="windows-1252"><title>Caf\u00e9 owners protest</title></head><body><article>'
        "<p>Caf\u00e9 owners in Kyiv protested on Monday against the new curfew rules, the city said.</p>"
        "<p>The mayor said the rules would be reviewed at the end of the month.</p></article></body></html>"
    )
    path = tmp_path / "cafe.html"
    path.write_bytes(page.encode("cp1252"))
    [doc] = read_documents([path])
    assert doc.title == "Caf\u00e9 owners protest"
    assert kept(doc)[0].startswith("Caf\u00e9 owners in Kyiv")


def test_a_list_of_headlines_is_not_taken_for_wrapped_text() -> None:
    headlines = "\n".join(
        [
            "Russia sees room for dialogue after US responds to demands",
            "Markets rally as rouble gains against the dollar on Thursday",
            "NATO puts forces on standby and sends jets to eastern Europe",
            "Ukraine says it will not be drawn into a provocation by Moscow",
        ]
    )
    doc = document_from_text(headlines + "\n\n" + BODY, id="x", source="x")
    assert doc.text == headlines + "\n\n" + BODY
    assert kept(doc) == BODY.strip().split("\n")
