"""Fixtures of the staging tests (also used by tests/e2e and tests/client)."""

from tests.index.staging.live import index

__all__ = ["index"]
