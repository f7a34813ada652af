"""The built wheel carries the default NLI model: install it into a fresh venv and check two seeds offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
MODEL = "factcheck-nli-minilm"


def _run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: int = 600) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{cmd[:3]} failed ({proc.returncode}):\n{proc.stderr[-3000:]}"
    return proc


@pytest.mark.slow
def test_wheel_installs_and_checks_offline(tmp_path: Path) -> None:
    if not (ROOT / "models" / MODEL / "model.safetensors").is_file():
        pytest.skip("the default model is not in this checkout")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "FACTCHECK_MODELS_DIR")}
    env["HF_HUB_OFFLINE"] = "1"

    # Build with the current environment's setuptools (no network, no isolated build env).
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(ROOT)],
         cwd=tmp_path, env=env)
    [wheel] = dist.glob("factcheck-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    for part in ("model.safetensors", "config.json", "tokenizer.json", "thresholds.json", "README.md", "HISTORY.md"):
        assert f"factcheck/_models/{MODEL}/{part}" in names
    assert not any(n.endswith(".onnx") for n in names)
    assert "factcheck/report/report.css" in names
    stale = [n for n in names if n.endswith(".py") and not (ROOT / n).is_file()]
    assert not stale, f"modules in the wheel that the source tree no longer has: {stale}"

    # A fresh venv that sees this environment's dependencies (appended after its own site-packages,
    # without running this environment's .pth files, so an editable install of the checkout stays out).
    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    py = target / "bin" / "python"
    site = Path(subprocess.check_output([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                        text=True).strip())
    (site / "current_env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    _run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "-q", str(wheel)], cwd=tmp_path, env=env)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    seeds = sorted(SEEDS.glob("*.txt"))[:2]
    proc = _run([str(target / "bin" / "factcheck"), "check", *map(str, seeds), "--format", "json", "-q"],
                cwd=elsewhere, env=env)
    report = json.loads(proc.stdout)
    assert [a["id"] for a in report["articles"]] == [p.stem for p in seeds]
    assert report["stats"]["pairs_scored"] > 0
    installed = Path(subprocess.check_output(
        [str(py), "-c", "import factcheck.models as m; print(m.models_dir())"], cwd=elsewhere, env=env, text=True).strip())
    assert installed == site / "factcheck" / "_models"
    assert str(ROOT) not in json.dumps(report["models"]["nli"])
