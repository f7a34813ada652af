"""Where a report goes: the format a file name implies, a writability check before any work, atomic writes.

``check_output`` runs before models load, so a bad ``-o`` fails in a second instead of after the
analysis, and it leaves nothing behind. ``write_output`` writes through a temporary file in the same
folder and renames it, so a failed write (a full disk) never leaves half a report.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from factcheck.errors import OutputError

__all__ = ["FORMAT_BY_SUFFIX", "check_output", "output_format", "write_output"]

# File name endings that say which report format a file holds. "terminal" is the plain-text report.
FORMAT_BY_SUFFIX: dict[str, str] = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".txt": "terminal",
    ".text": "terminal",
    ".log": "terminal",
}
# Endings that take any format (a plain text file, no ending at all, /dev/stdout).
_ANY = ("", ".txt", ".text", ".log", ".out")
# Devices a report may be written to; any other device (/dev/full, a disk) is refused.
_DEVICES_OK = ("/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty")


def output_format(output: Path | None, fmt: str | None) -> str:
    """The report format: ``fmt`` when given, else the one ``output``'s ending implies, else terminal.

    Raises OutputError when ``fmt`` contradicts the ending (``-o r.html --format json``) or when
    no format is given and the ending is unknown (``-o r.pdf``).
    """
    fmt = getattr(fmt, "value", fmt)
    if output is None:
        return fmt or "terminal"
    suffix = output.suffix.lower()
    implied = FORMAT_BY_SUFFIX.get(suffix)
    if fmt is None:
        if implied is None and suffix not in _ANY:
            known = ", ".join(s for s in FORMAT_BY_SUFFIX if s not in _ANY)
            raise OutputError(f"-o {output}: cannot tell the report format from '{suffix}'; name it {known} or .txt, or give --format")
        return implied or "terminal"
    if suffix not in _ANY and implied is not None and implied != fmt:
        raise OutputError(f"-o {output} looks like {implied} but --format is {fmt}; change one of them")
    return fmt


def _nearest_existing(path: Path) -> Path:
    for parent in path.parents:
        if parent.exists() or parent.is_symlink():
            return parent
    return Path(".")


def check_output(output: Path | None) -> None:
    """Refuse, before any work, an output path that cannot take the report; leaves nothing behind."""
    if output is None:
        return
    if output.is_dir():
        raise OutputError(f"-o {output} is a folder; give a file name, e.g. {output / 'report.html'}")
    if output.exists():
        mode = output.stat().st_mode
        if stat.S_ISFIFO(mode):
            return
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
            if str(output) in _DEVICES_OK or os.path.realpath(output).startswith(("/dev/pts/", "/proc/")):
                return
            raise OutputError(f"-o {output} is a device, not a file; give a file name, or leave -o out for stdout")
        if not stat.S_ISREG(mode):
            raise OutputError(f"-o {output} is not a regular file; give a file name")
        try:
            with open(output, "ab"):  # opens for writing without changing the file
                pass
        except OSError as exc:
            raise OutputError(f"-o {output}: cannot write to the file ({exc.strerror}); choose another path") from None
        return
    folder = _nearest_existing(output)
    if not folder.is_dir():
        raise OutputError(f"-o {output}: {folder} is not a folder; choose another path")
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".factcheck-", suffix=".tmp"):
            pass
    except OSError as exc:
        raise OutputError(f"-o {output}: cannot write in {folder} ({exc.strerror}); choose another folder") from None


def write_output(output: Path, text: str) -> None:
    """Write ``text`` to ``output`` (UTF-8), creating missing folders; a failure leaves no partial file."""
    try:
        if output.exists() and not output.is_file():  # a pipe or an allowed device: write straight through
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text)
            return
        output.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            if output.exists():
                os.chmod(tmp, stat.S_IMODE(output.stat().st_mode))
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o666 & ~umask)
            os.replace(tmp, output)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OutputError(f"cannot write report to {output}: {exc.strerror or exc}") from None
