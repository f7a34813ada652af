"""Stopping a batch job on SIGINT or SIGTERM, between shard writes and never inside one.

``stop_on_signals()`` makes the first SIGINT/SIGTERM raise ``Stopped`` in the main thread, which
unwinds the job: the shard being checked is dropped (it was never written, so it is redone on
resume), and worker processes are shut down. A signal that arrives while a shard is being written
(inside ``critical()``) waits until the shard and its checksum are in place. A second signal ends
the process at once (the default action), for a job that is slow to unwind.

A handler can run anywhere in the main thread, including inside a finalizer (``__del__``, a generator closed by
the garbage collector) or code that catches every exception. There Python cannot raise ``Stopped``: it prints
"Exception ignored in ..." with a traceback and carries on. So the handler also records the signal; such a
``Stopped`` is kept off stderr, and ``stop_on_signals`` raises it again when its block ends without it, so a
job that was told to stop always ends as stopped, never with exit 0 and a traceback.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["SIGNALS", "Stopped", "critical", "ignore_signals", "stop_on_signals"]

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Stopped(BaseException):
    """Raised by the signal handler; a BaseException so that no ``except Exception`` swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


class _State:
    depth = 0  # nesting of critical sections
    pending: int | None = None  # a signal that arrived inside one
    received: int | None = None  # the first signal of the block, whether or not its Stopped got through


_state = _State()


def _handler(signum: int, frame) -> None:
    for s in SIGNALS:  # a second signal: the default action (the process ends)
        signal.signal(s, signal.SIG_DFL)
    if _state.received is None:
        _state.received = signum
    if _state.depth:
        _state.pending = signum
    else:
        raise Stopped(signum)


@contextmanager
def stop_on_signals(enabled: bool = True) -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM raise ``Stopped`` (main thread only; elsewhere a no-op).

    A ``Stopped`` that was swallowed on the way (raised in a finalizer, or caught by someone else's
    ``except BaseException``) is raised again when the block ends."""
    if not enabled or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.getsignal(s) for s in SIGNALS}
    previous_hook = sys.unraisablehook
    _state.pending = _state.received = None

    def unraisable(info) -> None:  # a Stopped raised in a finalizer: recorded by the handler, not printed
        if not isinstance(info.exc_value, Stopped):
            previous_hook(info)

    sys.unraisablehook = unraisable
    for s in SIGNALS:
        signal.signal(s, _handler)
    try:
        yield
        if _state.received is not None:  # the body ended normally although a signal came: its Stopped was lost
            raise Stopped(_state.received)
    finally:
        for s, old in previous.items():
            signal.signal(s, old if old is not None else signal.SIG_DFL)
        sys.unraisablehook = previous_hook
        _state.pending = _state.received = None


@contextmanager
def critical() -> Iterator[None]:
    """A signal arriving inside the block is acted on when the block completes."""
    _state.depth += 1
    try:
        yield
    finally:
        _state.depth -= 1
    if not _state.depth and _state.pending is not None:
        signum, _state.pending = _state.pending, None
        raise Stopped(signum)


def ignore_signals() -> None:
    """For worker processes: leave SIGINT/SIGTERM to the job's main process, which shuts the workers down."""
    for s in SIGNALS:
        signal.signal(s, signal.SIG_IGN)
