"""Start-up: the CLI and a check with plain-BERT models import no heavy libraries (datasets, pyarrow, ...)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import build_tiny_bert

ROOT = Path(__file__).resolve().parents[1]
# Never needed by `factcheck check` with BERT models: evaluation, plotting, training and wrapper libraries.
HEAVY = ("datasets", "pyarrow", "matplotlib", "pandas", "sklearn", "scipy", "sentence_transformers", "transformers")

_PROBE = """
import json, sys
{body}
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def _imported(body: str) -> list[str]:
    code = _PROBE.format(body=body, heavy=HEAVY + ("torch",))
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_importing_the_cli_loads_no_model_library() -> None:
    assert _imported("import factcheck.cli") == []


def test_checks_import_path_loads_no_heavy_library() -> None:
    body = "import factcheck.cli\nfrom factcheck.pipeline import load_models, run_check\nimport factcheck.nli, factcheck.embed"
    assert _imported(body) == []


def test_a_check_with_plain_bert_models_imports_neither_transformers_nor_datasets(tmp_path) -> None:
    a = "The bridge will reopen to traffic next month after repairs, the ministry said."
    b = "The bridge will not reopen to traffic next month, the ministry said."
    words = {w.strip(".,").lower() for w in (a + " " + b).split()}
    nli = build_tiny_bert(tmp_path / "nli", words, classifier=True, seed=1)
    emb = build_tiny_bert(tmp_path / "emb", words, classifier=False, seed=2)
    (tmp_path / "a.txt").write_text(a)
    (tmp_path / "b.txt").write_text(b)
    argv = ["factcheck", "check", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "--nli-model", str(nli),
            "--embedder", str(emb), "--device", "cpu", "--format", "json", "-o", str(tmp_path / "r.json"), "-q",
            "--min-similarity", "-1"]
    body = f"import sys\nsys.argv = {argv!r}\nfrom factcheck.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass"
    loaded = _imported(body)
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["models"]["nli"]["backend"] == "torch" and report["models"]["embedder"]["backend"] == "torch"
    assert loaded == ["torch"]
