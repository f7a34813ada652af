"""Optional extras (`factcheck[eval]`, `factcheck[parquet]`): a missing one is one clear line, never a traceback.

The missing package is simulated by putting ``None`` in ``sys.modules`` for it and its submodules, which
makes ``import`` raise ``ModuleNotFoundError`` as if it were not installed.
"""

from __future__ import annotations

import re
import json
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factcheck.cli import app
from factcheck.extras import MissingExtraError, require_extra

ROOT = Path(__file__).resolve().parents[1]


def block(monkeypatch, name: str) -> None:
    """Make ``name`` (and every submodule already imported) look uninstalled for this test."""
    for key in [k for k in sys.modules if k == name or k.startswith(name + ".")] + [name]:
        monkeypatch.setitem(sys.modules, key, None)


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def pairs(tmp_path) -> Path:
    return write_jsonl(tmp_path / "d.jsonl", [{"premise": "A cat sat.", "hypothesis": "A cat sat.", "label": "entailment"}])


def one_error_line(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


def test_require_extra_returns_the_module_or_names_the_extra(monkeypatch) -> None:
    assert require_extra("json", "eval") is json
    block(monkeypatch, "json")
    with pytest.raises(MissingExtraError) as err:
        require_extra("json", "eval", "reading things")
    assert str(err.value) == "reading things needs the eval extra: pip install 'factcheck[eval]' (json is not installed)"
    assert (err.value.module, err.value.extra) == ("json", "eval")
    assert "`factcheck eval` needs" in str(err.value.for_command("factcheck eval"))


def test_a_submodule_of_a_missing_package_names_the_package(monkeypatch) -> None:
    block(monkeypatch, "pyarrow")
    with pytest.raises(MissingExtraError, match=r"\(pyarrow is not installed\)"):
        require_extra("pyarrow.parquet", "parquet")


@pytest.mark.parametrize("command", ["eval", "calibrate"])
def test_eval_commands_without_datasets_say_which_extra(monkeypatch, pairs, command) -> None:
    block(monkeypatch, "datasets")
    line = one_error_line(CliRunner().invoke(app, [command, "--data", str(pairs)]))
    assert line == (f"factcheck: error: `factcheck {command}` needs the eval extra: pip install 'factcheck[eval]' "
                    "(datasets is not installed)")


def test_eval_plots_without_matplotlib_fail_before_any_work(monkeypatch, pairs, tmp_path) -> None:
    import factcheck.cli.eval

    def no_model(*args, **kwargs):
        raise AssertionError("the model must not load when the plots cannot be written")

    monkeypatch.setattr(factcheck.cli.eval, "_load_model", no_model)
    block(monkeypatch, "matplotlib")
    line = one_error_line(CliRunner().invoke(app, ["eval", "--data", str(pairs), "--plots", str(tmp_path / "p")]))
    assert line.startswith("factcheck: error: `factcheck eval` needs the eval extra: pip install 'factcheck[eval]'")
    assert "matplotlib" in line


def test_library_reader_without_datasets_raises_the_extra_error(monkeypatch, pairs) -> None:
    from factcheck.evaluation.data import read_table

    block(monkeypatch, "datasets")
    with pytest.raises(MissingExtraError, match=r"reading evaluation data needs the eval extra"):
        read_table(pairs)


def test_parquet_in_batch_without_pyarrow_names_the_parquet_extra(monkeypatch, tmp_path) -> None:
    from factcheck.batch.inputs import read_clusters
    from factcheck.batch.sink import ShardSink

    block(monkeypatch, "pyarrow")
    ShardSink(tmp_path / "jsonl", "jsonl")  # JSONL shards need nothing extra
    with pytest.raises(MissingExtraError, match=r"writing Parquet shards needs the parquet extra: pip install 'factcheck\[parquet\]'"):
        ShardSink(tmp_path / "out", "parquet")
    source = tmp_path / "in.parquet"
    source.write_bytes(b"PAR1")
    with pytest.raises(MissingExtraError, match=r"in\.parquet: reading Parquet needs the parquet extra"):
        read_clusters([source])


def test_the_core_dependencies_leave_the_eval_packages_to_the_extra() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = {dep.split(">")[0].split("<")[0].split("=")[0].split("[")[0].strip() for dep in project["dependencies"]}
    assert not core & {"datasets", "pyarrow", "matplotlib"}
    extras = project["optional-dependencies"]
    assert {d.split(">")[0] for d in extras["eval"]} >= {"datasets", "pyarrow", "matplotlib"}
    assert re.search(r'"\.\[[^]]*\beval\b[^]]*\]"', (ROOT / "Makefile").read_text(encoding="utf-8")), "make setup installs the eval extra"


def test_make_setup_installs_the_ray_extra_so_ci_runs_the_ray_engine_tests() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert any(d.startswith("ray[data]") for d in extras["ray"])
    assert re.search(r'"\.\[[^]]*\bray\b[^]]*\]"', (ROOT / "Makefile").read_text(encoding="utf-8")), "make setup installs the ray extra"
