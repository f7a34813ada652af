"""Library errors. The CLI turns each into one line on stderr and exit code 2."""

from __future__ import annotations


class FactcheckError(Exception):
    """Base class: a problem the user can fix, described in one line."""


class InputError(FactcheckError):
    """Bad input: a missing, empty, binary or undecodable file, a bad column or label."""


class ModelError(FactcheckError):
    """A model that is unknown, cannot be loaded (offline), or has an unusable label set."""


class DeviceError(FactcheckError):
    """A device that is malformed (``--device banana``) or not present (CUDA without a GPU, ``cuda:7``)."""


class OutputError(FactcheckError):
    """A report that cannot be written where asked: a folder, a device, no permission, a format clash."""
