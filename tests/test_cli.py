"""The CLI: help for every command, check with fake models, exit codes, one-line errors for bad input."""

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import factcheck.embed
import factcheck.nli
from factcheck.cli import app
from factcheck.errors import ModelError

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
runner = CliRunner()


def _commands() -> dict:
    """Every command, sub-commands of groups (``train synth``) included, by its path."""
    out: dict = {}

    def walk(group, prefix: tuple[str, ...]) -> None:
        for name, cmd in group.commands.items():
            out[prefix + (name,)] = cmd
            if hasattr(cmd, "commands"):  # a group (typer ships its own click, so no isinstance)
                walk(cmd, prefix + (name,))

    walk(typer.main.get_command(app), ())
    return out


def test_every_command_has_help():
    commands = _commands()
    assert {("check",), ("eval",), ("calibrate",), ("train",), ("train", "synth"), ("train", "mine")} <= set(commands)
    for path, cmd in commands.items():
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, path
        assert (cmd.help or "").strip(), f"{path} has no help text"
        for param in cmd.params:
            if param.param_type_name == "option" and param.name != "help":
                assert (param.help or "").strip(), f"{path} {param.opts} has no help text"
    assert any(p.param_type_name == "option" for p in commands[("check",)].params)  # the loop above did look


def test_train_synth_writes_pairs_and_refuses_a_missing_file(tmp_path):
    news = tmp_path / "bodies.csv"
    body = ("The ministry said on Monday that 12 people were injured in the blast in Kabul. "
            "Officials said the bridge will reopen next month after repairs were completed. "
            "The company reported profits of 300 million dollars in March, the statement said. ")
    news.write_text('Body ID,articleBody\n1,"' + body * 2 + '"\n2,"' + body.replace("12", "15") + '"\n', encoding="utf-8")
    out = tmp_path / "pairs.jsonl"
    result = runner.invoke(app, ["train", "synth", "--news", str(news), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows and {r["label"] for r in rows} <= {"entailment", "neutral", "contradiction"}
    assert f"wrote {len(rows)} pairs" in result.output
    missing = runner.invoke(app, ["train", "synth", "--news", str(tmp_path / "nope.csv"), "--out", str(out)])
    assert missing.exit_code == 2 and "Traceback" not in missing.output


def test_python_m_synth_writes_what_train_synth_writes(tmp_path, capsys):
    """``python -m factcheck.training.synth`` (no CLI import): same rows as `train synth`, --modal = --kind modal."""
    from factcheck.training import synth

    news = tmp_path / "bodies.csv"
    body = "The deal is non-negotiable, the minister said on Monday. The plan was not acceptable to the unions. "
    news.write_text('Body ID,articleBody\n1,"' + body * 3 + '"\n2,"' + body + '"\n', encoding="utf-8")
    via_cli, via_module = tmp_path / "cli.jsonl", tmp_path / "module.jsonl"
    result = runner.invoke(app, ["train", "synth", "--news", str(news), "--out", str(via_cli), "--kind", "modal"])
    assert result.exit_code == 0, result.output
    synth.main(["--news", str(news), "--out", str(via_module), "--modal"])
    assert via_module.read_text(encoding="utf-8") == via_cli.read_text(encoding="utf-8")
    assert f"to {via_module}" in capsys.readouterr().out
    with pytest.raises(SystemExit) as stopped:
        synth.main(["--news", str(tmp_path / "nope.csv"), "--out", str(via_module)])
    assert stopped.value.code == 2
    assert capsys.readouterr().err.startswith("factcheck: error: " + str(tmp_path / "nope.csv"))


@pytest.fixture
def fakes(monkeypatch, fake_nli, fake_embedder):
    monkeypatch.setattr(factcheck.nli, "load_nli", lambda name, device=None: fake_nli)
    monkeypatch.setattr(factcheck.embed, "load_embedder", lambda name, device=None: fake_embedder)
    return fake_nli, fake_embedder


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


A = "The bridge will reopen to traffic next month, the ministry said on Monday after an inspection."
B = "The bridge will not reopen to traffic next month, the ministry said on Monday after an inspection."


def test_check_json_output(tmp_path, fakes):
    a, b = _write(tmp_path, "a.txt", A), _write(tmp_path, "b.txt", B)
    out = tmp_path / "r.json"
    result = runner.invoke(app, ["check", str(a), str(b), "--format", "json", "--output", str(out),
                                 "--min-similarity", "0.1"])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["schema"] == "factcheck.report/1"
    assert [x["id"] for x in report["articles"]] == ["a", "b"]
    assert report["findings"][0]["label"] == "contradiction"


def test_fail_on_contradiction_exit_code(tmp_path, fakes):
    a, b = _write(tmp_path, "a.txt", A), _write(tmp_path, "b.txt", B)
    args = ["check", str(a), str(b), "--format", "json", "--min-similarity", "0.1"]
    assert runner.invoke(app, args).exit_code == 0
    assert runner.invoke(app, args + ["--fail-on-contradiction"]).exit_code == 1
    same = _write(tmp_path, "c.txt", A)
    assert runner.invoke(app, ["check", str(a), str(same), "--fail-on-contradiction", "-q"]).exit_code == 0


def test_html_and_markdown_reports(tmp_path, fakes):
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["check", str(SEEDS), "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "<html" in out.read_text().lower()
    result = runner.invoke(app, ["check", str(SEEDS), "--format", "markdown"])
    assert result.exit_code == 0 and "|" in result.output


def _bad_inputs(tmp_path):
    good = _write(tmp_path, "good.txt", A)
    empty = _write(tmp_path, "empty.txt", "")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x00\x01\x02\x03" * 50)
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Der Bürgermeister sagte, die Brücke werde geöffnet.".encode("latin-1"))
    bad_json = _write(tmp_path, "bad.jsonl", '{"id": "x", "text": "fine"}\n{not json\n')
    return {
        "missing path": ([str(tmp_path / "nope.txt"), str(good)], "nope.txt"),
        "empty file": ([str(empty), str(good)], "empty.txt"),
        "binary file": ([str(binary), str(good)], "binary.txt"),
        "undecodable text": ([str(latin), str(good)], "latin.txt"),
        "malformed json": ([str(bad_json), str(good)], "bad.jsonl"),
        "one article": ([str(good)], "at least two"),
    }


@pytest.mark.parametrize("case", ["missing path", "empty file", "binary file", "undecodable text",
                                  "malformed json", "one article"])
def test_bad_input_is_one_line_exit_2(tmp_path, fakes, case):
    args, needle = _bad_inputs(tmp_path)[case]
    result = runner.invoke(app, ["check", *args])
    assert result.exit_code == 2, (case, result.output)
    err = result.stderr if hasattr(result, "stderr") else result.output
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("factcheck: error:"), err
    assert needle in lines[0]
    assert "Traceback" not in result.output


def test_unknown_model_names_are_one_line_errors(tmp_path):
    a, b = _write(tmp_path, "a.txt", A), _write(tmp_path, "b.txt", B)
    result = runner.invoke(app, ["check", str(a), str(b), "--nli-model", "no-such-model"])
    assert result.exit_code == 2
    assert "no-such-model" in result.stderr and "Traceback" not in result.output


def test_model_that_cannot_load_offline(tmp_path, monkeypatch, fake_embedder):
    def offline(name, device=None):
        raise ModelError(f"cannot load NLI model '{name}' from the Hugging Face Hub (no network?); "
                         "use --nli-model default for the offline model")

    monkeypatch.setattr(factcheck.nli, "load_nli", offline)
    monkeypatch.setattr(factcheck.embed, "load_embedder", lambda name, device=None: fake_embedder)
    a, b = _write(tmp_path, "a.txt", A), _write(tmp_path, "b.txt", B)
    result = runner.invoke(app, ["check", str(a), str(b), "--nli-model", "org/model"])
    assert result.exit_code == 2
    assert "--nli-model default" in result.stderr


def test_stdin_with_within(fakes):
    result = runner.invoke(app, ["check", "-", "--within", "--format", "json", "--min-similarity", "0.1"],
                           input=A + " " + B)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["articles"][0]["id"] == "stdin"
    assert report["findings"]


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and "factcheck" in result.output
