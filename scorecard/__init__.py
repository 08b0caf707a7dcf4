"""Scorecard: vendor evaluation for enterprise buyers of AI video generation."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("scorecard")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"
