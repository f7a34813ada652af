"""One job per output folder: an ``fcntl`` lock on ``OUT/.lock``, holding the holder's pid and host.

The kernel releases the lock when the holding process ends, however it ends (SIGKILL, a crash, a
power cut on a local disk), so a lock file left by a killed job never blocks its resume. The lock
is a POSIX record lock (``lockf``): child processes do not inherit it, so a worker that outlives a
killed job does not keep the folder locked. POSIX locks belong to the process, not the file
descriptor, so this module also refuses a second lock of the same folder within one process.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import time
from pathlib import Path

from factcheck.errors import InputError

try:
    import fcntl
except ImportError:  # Windows: no POSIX locks; jobs there are not guarded against a second copy
    fcntl = None

__all__ = ["LOCK", "FolderLock", "FolderLockedError"]

LOCK = ".lock"
_HELD: set[str] = set()  # real paths of the lock files this process holds


class FolderLockedError(InputError):
    """Another job holds the output folder's lock."""


def _describe(holder: dict) -> str:
    pid, host = holder.get("pid", "unknown"), holder.get("host", "an unknown host")
    since = f", since {holder['started']}" if holder.get("started") else ""
    return f"pid {pid} on {host}{since}"


class FolderLock:
    """The lock of one output folder. ``acquire`` raises ``FolderLockedError`` naming the holder."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / LOCK
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock (the folder must exist) and write this process's pid, host and start time into it.

        An ``OSError`` (a read-only or full disk) propagates to the caller.
        """
        key = os.path.realpath(self.path)
        if key in _HELD:
            raise FolderLockedError(f"{self.folder} is in use by another batch job in this process (pid {os.getpid()})")
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            if fcntl is not None:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno not in (errno.EACCES, errno.EAGAIN):
                raise
            raise FolderLockedError(
                f"{self.folder} is in use by another factcheck batch job ({_describe(self._read())}); "
                "wait for it to finish, or give another --out folder") from None
        try:
            info = {"pid": os.getpid(), "host": socket.gethostname(),
                    "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
            os.ftruncate(fd, 0)
            os.pwrite(fd, (json.dumps(info) + "\n").encode("utf-8"), 0)
        except OSError:
            os.close(fd)  # closing releases the lock
            raise
        self._fd = fd
        _HELD.add(key)

    def release(self) -> None:
        """Empty the lock file and release the lock (the file stays: deleting it would race a new job)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        _HELD.discard(os.path.realpath(self.path))
        try:
            os.ftruncate(fd, 0)
        except OSError:
            pass  # a full or vanished disk: the lock goes with the descriptor anyway
        finally:
            os.close(fd)

    def holder(self) -> str | None:
        """Who holds the lock now (``"pid 12 on host, since ..."``), or None when no job does."""
        if os.path.realpath(self.path) in _HELD:
            return f"pid {os.getpid()} (this process)"
        if fcntl is None:
            return None
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            return None
        try:
            fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return _describe(self._read())
        finally:
            os.close(fd)  # also drops the shared lock just taken
        return None

    def _read(self) -> dict:
        try:
            info = json.loads(self.path.read_text(encoding="utf-8") or "{}")
            return info if isinstance(info, dict) else {}
        except (OSError, ValueError):
            return {}

    def __enter__(self) -> FolderLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
