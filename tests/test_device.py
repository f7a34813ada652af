"""Device names: one-line DeviceError for malformed names and devices that are not there."""

from __future__ import annotations

import pytest

from factcheck.device import check_device_name, resolve_device
from factcheck.errors import DeviceError, FactcheckError

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("name, expected", [(None, None), ("", None), ("cpu", "cpu"), (" CUDA ", "cuda"),
                                            ("cuda:1", "cuda:1"), ("mps", "mps")])
def test_well_formed_names(name, expected):
    assert check_device_name(name) == expected


@pytest.mark.parametrize("name", ["banana", "cuda:", "cuda:x", "gpu", "cuda:-1", "cpu:0", "cuda 0"])
def test_malformed_names(name):
    with pytest.raises(DeviceError, match="unknown device") as err:
        check_device_name(name)
    assert isinstance(err.value, FactcheckError) and "\n" not in str(err.value)
    with pytest.raises(DeviceError):
        resolve_device(name)


def test_cuda_without_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device(None) == "cpu"
    assert resolve_device("cpu") == "cpu"
    for name in ("cuda", "cuda:0", "cuda:7"):
        with pytest.raises(DeviceError, match="use --device cpu"):
            resolve_device(name)


def test_gpu_index_out_of_range(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert resolve_device(None) == "cuda"
    assert resolve_device("cuda:1") == "cuda:1"
    with pytest.raises(DeviceError, match=r"no GPU 7 \(2 visible"):
        resolve_device("cuda:7")


def test_mps_unavailable(monkeypatch):
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    with pytest.raises(DeviceError, match="MPS is not available"):
        resolve_device("mps")


def test_onnx_session_checks_the_name_first(tmp_path):
    from factcheck.runtime.onnx import onnx_session

    with pytest.raises(DeviceError):
        onnx_session(tmp_path / "missing.onnx", "banana")
