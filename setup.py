"""Build hook: put the project's own models into the wheel as ``factcheck/_models``.

Metadata lives in pyproject.toml. ``models/`` sits beside the package in a checkout (and an
editable install finds it there); a wheel has no checkout, so ``build_py`` copies each model
directory into the package, where ``factcheck.models.models_dir`` looks for it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

MODELS = Path(__file__).resolve().parent / "models"
# Generated on demand by `factcheck export-onnx`; large and not part of the release.
_SKIP = ("*.onnx",)


class build_py_with_models(build_py):
    """``build_py`` that also copies ``models/*`` into ``<build_lib>/factcheck/_models``."""

    def run(self) -> None:
        if not self.editable_mode:
            # build/ survives between in-tree builds; without this a moved module (report.py -> report/)
            # would still ship in the next wheel.
            shutil.rmtree(Path(self.build_lib) / "factcheck", ignore_errors=True)
        super().run()
        if self.editable_mode or not MODELS.is_dir():
            return
        target = Path(self.build_lib) / "factcheck" / "_models"
        shutil.rmtree(target, ignore_errors=True)
        for model in sorted(p for p in MODELS.iterdir() if p.is_dir()):
            shutil.copytree(model, target / model.name, ignore=shutil.ignore_patterns(*_SKIP))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        target = Path(self.build_lib) / "factcheck" / "_models"
        if target.is_dir():
            outputs += [str(p) for p in sorted(target.rglob("*")) if p.is_file()]
        return outputs


setup(cmdclass={"build_py": build_py_with_models})
