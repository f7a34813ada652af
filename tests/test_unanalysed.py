"""Nothing silently unanalysed: prose with " | ", run-on texts, overlong sentences, numbers, empty runs."""

from __future__ import annotations

import io
import os
import re

import pytest

from factcheck.claims import extract_claim_set, require_comparable
from factcheck.documents import collect_files, document_from_text, read_documents
from factcheck.errors import InputError
from factcheck.sentences import split_sentences, split_windows

RUN_ON = (
    "the bridge will reopen to traffic next month the ministry said on monday after a long inspection "
    "the army did not withdraw its troops from the northern city after the storm passed over the region "
    "prices of bread rose by five percent in march according to the national statistics office figures "
    "the union said the strike at the car plant would end on friday after talks with the management"
)


def _check_offsets(doc, cs) -> None:
    for c in cs.claims:
        assert doc.text[c.start : c.end] == c.words and c.text == c.lead + c.words
    for s in cs.sentences:
        assert doc.text[s.start : s.end] == s.text


def test_prose_with_pipes_is_kept_but_breadcrumbs_are_dropped():
    text = (
        "Home | News | World Politics\n\n"
        "Officials said on Monday | the bridge will reopen next month | the ministry confirmed it.\n\n"
        "The strike ended | the union said | workers return on Monday | talks go on next week with managers\n"
    )
    doc = document_from_text(text, "pipes", "pipes.txt")
    kept = [doc.text[s:e] for s, e in doc.spans]
    assert kept == text.strip().split("\n\n")[1:]
    assert {doc.text[s:e]: r for s, e, r in doc.dropped} == {"Home | News | World Politics": "navigation"}
    cs = extract_claim_set(doc)
    assert len(cs.claims) >= 2
    _check_offsets(doc, cs)


def test_run_on_text_without_stops_becomes_several_claims():
    doc = document_from_text(RUN_ON, "runon", "runon.txt")
    cs = extract_claim_set(doc, split_clauses=False)
    assert len(cs.claims) >= 3 and cs.windowed == 1
    assert all(len(c.text.split()) <= 20 for c in cs.claims)
    _check_offsets(doc, cs)
    # The windows cover the text: every word is in exactly one claim.
    assert " ".join(c.text for c in cs.claims).split() == RUN_ON.split()


def test_a_3000_word_sentence_is_windowed():
    sentence = ", ".join(f"officials in district {k} said the road number {k} would reopen" for k in range(300)) + "."
    doc = document_from_text(sentence, "long", "long.txt")
    cs = extract_claim_set(doc)
    words = [len(s.text.split()) for s in cs.sentences]
    assert len(sentence.split()) > 3000 and len(cs.sentences) > 50
    assert max(words) <= 60 and cs.windowed == 1
    _check_offsets(doc, cs)
    # Cuts prefer the commas: every window but the last ends on one.
    assert sum(s.text.endswith(",") for s in cs.sentences) >= len(cs.sentences) - 1


def test_split_windows_balanced_and_offsets():
    text = "  " + " ".join(f"w{k}" for k in range(101)) + "  "
    windows = split_windows(text, 0, len(text), 50)
    sizes = [len(text[s:e].split()) for s, e in windows]
    assert sizes == [34, 34, 33] and sum(sizes) == 101
    assert split_windows("one two", 0, 7, 5) == [(0, 7)]
    assert [s.text for s in split_sentences("A b c. D e f.", max_words=2)] == ["A b", "c.", "D e", "f."]


def test_normal_sentences_are_not_windowed():
    text = "The minister said on Monday that the bridge would reopen next month after a long inspection."
    assert [s.text for s in split_sentences(text, max_words=60)] == [text]


def test_text_of_only_numbers_is_not_claims():
    text = "\n".join(" ".join(str(n * k) for n in range(1, 9)) for k in range(1, 31))
    doc = document_from_text(text, "numbers", "numbers.txt")
    assert not doc.spans and doc.dropped_chars > 0
    cs = extract_claim_set(doc)
    assert cs.claims == ()
    # Numbers inside real prose stay.
    prose = document_from_text("Prices rose 3.4 percent in 2021 and 5.6 percent in 2022, the office said.", "p", "p.txt")
    assert len(extract_claim_set(prose).claims) == 1


def test_numbers_given_as_json_text_are_not_claims(tmp_path):
    doc = read_documents([_write(tmp_path, "n.json", '{"text": "1 2 3 4 5 6. 7 8 9 10 11 12."}')])[0]
    cs = extract_claim_set(doc)
    assert cs.claims == ()


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD = "The bridge will reopen to traffic next month, the ministry said on Monday after an inspection."


def test_require_comparable_names_the_articles_that_lost_everything():
    docs = [document_from_text(GOOD, "good", "good.txt"),
            document_from_text("Home | News | World\nShare this:\n", "nav", "nav.html"),
            document_from_text("Yes.\nNo way.\n", "short", "short.txt")]
    sets = [extract_claim_set(d) for d in docs]
    with pytest.raises(InputError) as err:
        require_comparable(docs, sets, within=False)
    msg = str(err.value)
    assert "\n" not in msg and "1 of 3" in msg
    assert "nav.html: all 30 characters were dropped as page furniture (navigation 19, promo 11 characters)" in msg
    assert "short.txt: 7 characters kept, but only 1 fragment(s) under the minimum words" in msg
    assert "good.txt" not in msg
    two = document_from_text(GOOD + " " + GOOD.replace("will", "will not"), "two", "two.txt")
    require_comparable([two], [extract_claim_set(two)], within=True)
    with pytest.raises(InputError, match="at least two claims"):
        require_comparable(docs[1:], sets[1:], within=True)
    require_comparable(docs[:1] * 2, sets[:1] * 2, within=False)


def test_urls_are_not_fetched_and_not_mangled():
    with pytest.raises(InputError) as err:
        collect_files(["https://example.com/news/a.html", "b.txt"])
    assert str(err.value).startswith("https://example.com/news/a.html: URLs are not fetched")


def test_stdin_twice():
    with pytest.raises(InputError, match="more than once"):
        read_documents(["-", "-"], stdin=io.StringIO(GOOD))


def test_symlink_loop_and_device(tmp_path):
    loop = tmp_path / "loop.txt"
    os.symlink(loop, loop)
    with pytest.raises(InputError, match="symlink loop"):
        collect_files([loop])
    with pytest.raises(InputError, match=re.escape("/dev/zero: not a regular file")):
        collect_files(["/dev/zero"])
