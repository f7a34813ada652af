"""Optional dependencies: import one, or say in one line which extra installs it.

``factcheck check`` needs only the core dependencies. Evaluation (``datasets``, ``matplotlib``) and
Parquet files (``pyarrow``) come with extras, ``pip install 'factcheck[eval]'`` or ``'factcheck[parquet]'``;
a missing one raises ``MissingExtraError``, which the CLI prints as one ``factcheck: error:`` line.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from factcheck.errors import FactcheckError

__all__ = ["MissingExtraError", "require_extra"]


class MissingExtraError(FactcheckError):
    """An optional dependency that is not installed, with the extra that installs it."""

    def __init__(self, module: str, extra: str, needed_by: str) -> None:
        self.module, self.extra, self.needed_by = module, extra, needed_by
        super().__init__(f"{needed_by} needs the {extra} extra: pip install 'factcheck[{extra}]' "
                         f"({module} is not installed)")

    def for_command(self, command: str) -> MissingExtraError:
        """The same error, naming the command that needed it (``factcheck eval``)."""
        return MissingExtraError(self.module, self.extra, f"`{command}`")


def require_extra(module: str, extra: str, needed_by: str | None = None) -> ModuleType:
    """``module`` imported, or ``MissingExtraError`` naming ``extra`` when it, or a module it needs, is missing.

    ``needed_by`` says what needed it (default: "this feature"). Installing the extra again mends both
    cases, so both get the same line; any other import failure raises as it is.
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        missing = (exc.name or module).split(".")[0]  # the distribution to install, not its submodule
        raise MissingExtraError(missing, extra, needed_by or "this feature") from None
