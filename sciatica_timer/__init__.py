"""Sciatica Timer: a calm, hands-free timer for sciatica self-care routines."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sciatica-timer")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.1.0"
