"""Stopping a batch job: a signal whose ``Stopped`` is lost on the way still stops the job, and quietly."""

from __future__ import annotations

import signal
import sys

import pytest

from factcheck.batch.stop import Stopped, critical, stop_on_signals


class _SignalledInFinalizer:
    """Its finalizer receives SIGTERM, as a job's garbage collection can: Python cannot raise there."""

    def __del__(self) -> None:
        signal.raise_signal(signal.SIGTERM)  # runs the handler now; its Stopped is "ignored" by Python


def test_signal_in_a_finalizer_stops_the_block_without_a_traceback(capsys):
    reached_end = False
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(Stopped) as info:
        with stop_on_signals():
            obj = _SignalledInFinalizer()
            del obj  # the finalizer runs here and swallows the Stopped
            reached_end = True
    assert reached_end, "the Stopped escaped the finalizer: the case under test did not happen"
    assert info.value.name == "SIGTERM"
    assert "Exception ignored" not in capsys.readouterr().err
    assert signal.getsignal(signal.SIGTERM) is before


def test_signal_swallowed_by_a_catch_all_still_stops_the_block():
    with pytest.raises(Stopped) as info:
        with stop_on_signals():
            try:
                signal.raise_signal(signal.SIGINT)
            except BaseException:  # someone else's catch-all
                pass
    assert info.value.name == "SIGINT"


def test_signal_inside_a_critical_section_waits_for_its_end():
    done = []
    with pytest.raises(Stopped):
        with stop_on_signals():
            with critical():
                signal.raise_signal(signal.SIGTERM)
                done.append("shard written")
    assert done == ["shard written"]


def test_no_signal_no_stop_and_the_hooks_come_back():
    hook, before = sys.unraisablehook, signal.getsignal(signal.SIGINT)
    with stop_on_signals():
        assert sys.unraisablehook is not hook
        assert signal.getsignal(signal.SIGINT) is not before
    assert sys.unraisablehook is hook
    assert signal.getsignal(signal.SIGINT) is before


def test_other_unraisable_exceptions_still_reach_the_previous_hook(monkeypatch):
    seen = []
    monkeypatch.setattr(sys, "unraisablehook", lambda info: seen.append(type(info.exc_value)))

    class Broken:
        def __del__(self) -> None:
            raise ValueError("a real bug")

    with stop_on_signals():
        obj = Broken()
        del obj
    assert seen == [ValueError]
