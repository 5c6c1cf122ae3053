"""Fixtures shared with other test packages: the staging tests' live index."""

from tests.index.staging.live import index

__all__ = ["index"]
