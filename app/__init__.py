"""Closeout's application core: workspace store, domain services, sync client and command line (no Qt)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("closeout")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
